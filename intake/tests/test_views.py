"""The intake's pages for an editor (Django's test client), and the services under them."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from actors.models import Agreement, Mention, TradeFigure
from actors.tests.factories import make_country
from articles.models import Article, Author
from intake import services
from intake.candidates import CandidateKind
from intake.evaluation import evaluate, totals
from intake.management.commands.evaluate_intake import curated_articles
from intake.models import RejectedCandidate
from intake.tests.helpers import CORPUS, fictional

pytestmark = pytest.mark.django_db
PASTE = reverse("intake:paste")


@pytest.fixture
def countries():
    return {
        "veloria": make_country(10, name="Veloria", iso_code="VL"),
        "ostrand": make_country(11, name="Ostrand", iso_code="OX"),
    }


@pytest.fixture
def saved(countries):
    ((article, created),) = services.intake_save(text=fictional("01"))
    assert created
    return article


def test_the_preview_shows_what_was_read_and_writes_nothing(editor_client, countries):
    response = editor_client.post(PASTE, {"text": fictional("01"), "preview": "Preview"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Veloria and Ostrand Rebuild Their Caspian Trade" in page
    assert "Marta Kelling (new author)" in page
    assert "veloria-port-2025.jpg" in page
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0


def test_confirming_saves_the_article_needing_review_with_its_new_author(editor_client, countries):
    response = editor_client.post(PASTE, {"text": fictional("02"), "confirm": "Save"})

    article = Article.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("intake:candidates", args=[article.pk])
    assert article.review_status == "needs_review"
    assert article.title == ""
    assert "title, publication date" in article.review_note
    assert [a.name for a in article.authors.order_by("authorships__position")] == [
        "Tomas Brenner",
        "Ilse Voronova",
    ]
    assert Author.objects.get(name="Ilse Voronova").bio.startswith("Ilse Voronova is a")


def test_a_known_author_is_matched_by_name_and_an_article_is_not_saved_twice(editor_client, saved):
    text = fictional("01").replace("Marta Kelling is", "MARTA KELLING is")
    (preview,) = services.intake_preview(text=text)

    assert [a.pk for a in preview.authors_found] == [saved.authors.get().pk]
    assert preview.existing == saved
    editor_client.post(PASTE, {"text": text, "confirm": "Save"})
    assert Article.objects.count() == 1


def test_empty_text_gets_a_clear_message(editor_client):
    response = editor_client.post(PASTE, {"text": "Nothing like an article.", "preview": "1"})

    assert "No article found in the text" in response.content.decode()
    assert Article.objects.count() == 0


def test_viewers_cannot_use_the_intake(viewer_client, saved):
    assert viewer_client.get(PASTE).status_code == 403
    response = viewer_client.post(PASTE, {"text": fictional("03"), "confirm": "Save"})
    assert response.status_code == 403
    key = services.article_candidates(article=saved).by_kind[CandidateKind.TRADE_FIGURE][0].key
    reject = reverse("intake:reject", args=[saved.pk, CandidateKind.TRADE_FIGURE, key])
    assert viewer_client.post(reject).status_code == 403
    assert RejectedCandidate.objects.count() == 0
    accept_all = reverse("intake:accept_mentions", args=[saved.pk])
    assert viewer_client.post(accept_all).status_code == 403
    assert Mention.objects.count() == 0


def test_accepting_a_trade_figure_saves_it_through_the_services_with_its_citation(
    editor_client, saved, countries
):
    candidate = services.article_candidates(article=saved).by_kind[CandidateKind.TRADE_FIGURE][0]
    url = reverse("intake:accept", args=[saved.pk, CandidateKind.TRADE_FIGURE, candidate.key])
    form = editor_client.get(url).context["form"]
    assert form.initial["value"] == candidate.values["value"]
    data = {**form.initial, "reporter": "veloria", "partner": "ostrand", "year": 2019}

    response = editor_client.post(url, data)

    assert response.status_code == 302
    figure = TradeFigure.objects.get()
    assert (figure.reporter, figure.partner, figure.year) == (
        countries["veloria"],
        countries["ostrand"],
        2019,
    )
    assert figure.review_status == "needs_review"
    assert "Guessed, to check" in figure.review_note
    citation = figure.citations.get()
    assert saved.text[citation.char_start : citation.char_end] == candidate.quote
    # Curated now: recognised, not proposed again.
    keys = [c.key for c in services.article_candidates(article=saved).by_kind["trade_figure"]]
    assert candidate.key not in keys


def test_a_quote_edited_out_of_the_article_is_refused_on_the_form(editor_client, saved):
    candidate = services.article_candidates(article=saved).by_kind[CandidateKind.TRADE_FIGURE][0]
    url = reverse("intake:accept", args=[saved.pk, CandidateKind.TRADE_FIGURE, candidate.key])
    data = {**editor_client.get(url).context["form"].initial, "quote": "Not in the text."}

    response = editor_client.post(url, {**data, "reporter": "veloria", "partner": "ostrand"})

    assert response.status_code == 200
    assert response.context["form"].errors["quote"]
    assert TradeFigure.objects.count() == 0


def test_accepting_an_agreement_and_a_mention(editor_client, countries):
    ((article, _),) = services.intake_save(
        text=fictional("01").replace(
            "Total trade between",
            "In May 2024, Veloria and Ostrand signed a treaty. Total trade between",
        )
    )
    found = services.article_candidates(article=article)
    (agreement,) = found.by_kind[CandidateKind.AGREEMENT]
    url = reverse("intake:accept", args=[article.pk, CandidateKind.AGREEMENT, agreement.key])
    initial = editor_client.get(url).context["form"].initial
    assert initial["signed"] == "2024-05"

    filled = {name: "" if value is None else value for name, value in initial.items()}
    editor_client.post(url, {**filled, "title": "Veloria–Ostrand treaty"})

    saved_agreement = Agreement.objects.get()
    assert saved_agreement.review_status == "needs_review"
    assert set(saved_agreement.actors.values_list("slug", flat=True)) == {"veloria", "ostrand"}
    mention = found.by_kind[CandidateKind.MENTION][0]
    editor_client.post(
        reverse("intake:accept", args=[article.pk, CandidateKind.MENTION, mention.key])
    )
    assert Mention.objects.filter(article=article).count() == 1


def test_a_rejected_candidate_is_remembered_and_not_proposed_again(editor_client, saved):
    candidate = services.article_candidates(article=saved).by_kind[CandidateKind.TRADE_FIGURE][1]

    response = editor_client.post(
        reverse("intake:reject", args=[saved.pk, CandidateKind.TRADE_FIGURE, candidate.key])
    )

    assert response.status_code == 302
    rejection = RejectedCandidate.objects.get()
    assert rejection.quote == candidate.quote
    found = services.article_candidates(article=saved)
    assert candidate.key not in [c.key for c in found.by_kind[CandidateKind.TRADE_FIGURE]]
    assert found.rejected == 1
    page = editor_client.get(reverse("intake:candidates", args=[saved.pk])).content.decode()
    assert "1 rejected" in page


def test_the_command_brings_files_in(countries, tmp_path, capsys):
    path = tmp_path / "page.txt"
    path.write_text(fictional("03"), encoding="utf-8")

    call_command("intake", str(path), "--dry-run")
    assert Article.objects.count() == 0
    call_command("intake", str(path))

    assert Article.objects.get().authors.get().name == "Arvid Solberg"
    assert "needs review" in capsys.readouterr().out


def test_on_the_corpus_the_candidates_reach_the_recall_goals():
    call_command("seed", verbosity=0)

    results = evaluate(
        curated_articles(CORPUS.read_text(encoding="utf-8")), services.actor_index_build()
    )

    summed = totals(results)
    assert len(results) == 5
    assert summed[CandidateKind.MENTION].recall >= 0.95
    assert summed[CandidateKind.TRADE_FIGURE].recall >= 0.95
    assert summed[CandidateKind.AGREEMENT].recall >= 0.80


def test_all_mentions_are_accepted_at_once(editor_client, saved):
    response = editor_client.post(reverse("intake:accept_mentions", args=[saved.pk]))

    assert response.status_code == 302
    assert set(Mention.objects.filter(article=saved).values_list("actor__slug", flat=True)) == {
        "veloria",
        "ostrand",
    }
    assert services.article_candidates(article=saved).by_kind[CandidateKind.MENTION] == []


def test_another_passage_about_an_agreement_becomes_one_of_its_citations(editor_client, countries):
    text = fictional("01").replace(
        "Total trade between",
        "In May 2024, Veloria and Ostrand signed a treaty. The treaty covers transit. "
        "Total trade between",
    )
    ((article, _),) = services.intake_save(text=text)
    first, second = services.article_candidates(article=article).by_kind["agreement"]
    agreement = services.agreement_accept(
        article=article,
        quote=first.quote,
        title="Veloria–Ostrand treaty",
        kind="treaty",
        status="signed",
        parties=list(countries.values()),
    )

    response = editor_client.post(
        reverse("intake:cite", args=[article.pk, second.key]), {"agreement": agreement.pk}
    )

    assert response.status_code == 302
    assert sorted(agreement.citations.values_list("quote", flat=True)) == sorted(
        [first.quote, second.quote]
    )
    assert services.article_candidates(article=article).by_kind["agreement"] == []


def test_an_agreement_another_article_cites_is_offered_when_the_sentence_names_its_parties(
    countries,
):
    (earlier, _), (later, _) = services.intake_save(
        text=fictional("01").replace(
            "Total trade between",
            "In 2024 Veloria and Ostrand signed a treaty. Total trade between",
        )
        + "\n\n"
        + fictional("03").replace(
            "Imports from Ostrand", "The Veloria–Ostrand treaty helped. Imports from Ostrand"
        )
    )
    (first,) = services.article_candidates(article=earlier).by_kind["agreement"]
    agreement = services.agreement_accept(
        article=earlier,
        quote=first.quote,
        title="Veloria–Ostrand treaty",
        kind="treaty",
        status="signed",
        parties=list(countries.values()),
    )
    candidates = services.article_candidates(article=later).by_kind["agreement"]

    options = services.agreements_for(later, candidates)

    about = next(c for c in candidates if "treaty helped" in c.quote)
    assert options[about.key] == [agreement]
    # A sentence that names only one of its parties is not about it.
    other = next(c for c in candidates if "Pallastan and Veloria signed" in c.quote)
    assert options[other.key] == []


def test_the_candidates_page_costs_the_same_queries_whatever_the_article(editor_client, countries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for name in ("04", "01"):
        ((article, _),) = services.intake_save(text=fictional(name))
        with CaptureQueriesContext(connection) as queries:
            editor_client.get(reverse("intake:candidates", args=[article.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]
