"""The actors' admin writes through the services and holds the same rules."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from actors.models import Actor, Agreement, Citation, TradeFigure
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE
from caci.tests.helpers import form_data
from core.editorial import ReviewStatus

pytestmark = pytest.mark.django_db


def add_url(model):
    return reverse(f"admin:actors_{model._meta.model_name}_add")


def change_url(obj):
    return reverse(f"admin:actors_{obj._meta.model_name}_change", args=[obj.pk])


def test_an_editor_adds_an_actor_with_its_aliases(editor_client, editor):
    page = editor_client.get(add_url(Actor))

    response = editor_client.post(
        add_url(Actor),
        form_data(
            page,
            name="United States",
            slug="united-states",
            kind="country",
            iso_code="us",
            **{"aliases-0-name": "Washington"},
        ),
    )

    assert response.status_code == 302
    actor = Actor.objects.get(slug="united-states")
    assert actor.iso_code == "US"
    assert list(actor.aliases.values_list("name", flat=True)) == ["Washington"]
    assert actor.history.get().history_user == editor
    assert response.url == reverse("admin:actors_actor_changelist")


def test_a_country_without_iso_code_is_refused_on_its_field(editor_client):
    page = editor_client.get(add_url(Actor))

    response = editor_client.post(
        add_url(Actor), form_data(page, name="Nowhere", slug="nowhere", kind="country")
    )

    assert response.status_code == 200
    assert "iso_code" in response.context["adminform"].form.errors
    assert not Actor.objects.filter(slug="nowhere").exists()


def test_the_actor_search_matches_aliases(editor_client, mongolia, kazakhstan):
    changelist = reverse("admin:actors_actor_changelist")

    found = editor_client.get(changelist, {"q": "ulaanbaatar"}).context["cl"].result_list
    assert list(found) == [mongolia]

    autocomplete = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Ulaanbaatar",
            "app_label": "actors",
            "model_name": "tradefigure",
            "field_name": "reporter",
        },
    ).json()
    assert [result["text"] for result in autocomplete["results"]] == ["Mongolia"]


def agreement_form(page, article, *parties, quote=AGREEMENT_QUOTE, **changes):
    values = {"title": "Bilateral package", "kind": "package", "status": "signed"}
    for index, actor in enumerate(parties):
        values[f"parties-{index}-actor"] = actor.pk
        values[f"parties-{index}-role"] = "signatory"
    if quote is not None:
        values["citations-0-article"] = article.pk
        values["citations-0-quote"] = quote
    return form_data(page, **values, **changes)


def test_an_editor_adds_an_agreement_with_its_parties_and_citation(
    editor_client, editor, article, mongolia, uzbekistan
):
    page = editor_client.get(add_url(Agreement))

    response = editor_client.post(
        add_url(Agreement),
        agreement_form(
            page, article, mongolia, uzbekistan, signed_on="2024-04-17", signed_precision="month"
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    agreement = Agreement.objects.get()
    assert {p.actor for p in agreement.parties.all()} == {mongolia, uzbekistan}
    citation = agreement.citations.get()
    assert article.text[citation.char_start : citation.char_end] == AGREEMENT_QUOTE
    assert str(agreement.signed_on_latest) == "2024-04-30"
    assert agreement.history.get().history_user == editor
    # The admin's own log names the record the service wrote.
    logged = LogEntry.objects.get()
    assert logged.is_addition()
    assert logged.object_id == str(agreement.pk)
    assert response.url == reverse("admin:actors_agreement_changelist")


def test_an_agreement_with_one_party_is_refused_and_nothing_is_saved(
    editor_client, article, mongolia
):
    page = editor_client.get(add_url(Agreement))

    response = editor_client.post(add_url(Agreement), agreement_form(page, article, mongolia))

    assert response.status_code == 200
    assert "An agreement has at least 2 parties." in response.content.decode()
    assert Agreement.objects.count() == 0


def test_an_agreement_without_a_citation_is_refused(editor_client, article, mongolia, uzbekistan):
    page = editor_client.get(add_url(Agreement))

    response = editor_client.post(
        add_url(Agreement), agreement_form(page, article, mongolia, uzbekistan, quote=None)
    )

    assert response.status_code == 200
    assert "Cite at least one article" in response.content.decode()
    assert Agreement.objects.count() == 0


def trade_figure_form(page, article, reporter, partner, quote=TRADE_QUOTE, **changes):
    return form_data(
        page,
        reporter=reporter.pk,
        partner=partner.pk,
        flow="total",
        value="150000000",
        currency="USD",
        qualifier="approximately",
        **{"citations-0-article": article.pk, "citations-0-quote": quote},
        **changes,
    )


def test_a_quote_not_in_the_article_is_shown_on_the_quote_field(
    editor_client, article, mongolia, kazakhstan
):
    page = editor_client.get(add_url(TradeFigure))

    response = editor_client.post(
        add_url(TradeFigure),
        trade_figure_form(page, article, mongolia, kazakhstan, quote="Trade reached $9 billion."),
    )

    assert response.status_code == 200
    citation_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert citation_form.errors["quote"] == ["This passage does not occur in the article's text."]
    assert TradeFigure.objects.count() == 0
    assert Citation.objects.count() == 0


def test_an_editor_adds_a_trade_figure_and_publishes_it_from_the_form(
    editor_client, editor, article, mongolia, kazakhstan, settings
):
    # A team of one publishes what it writes (with a second editor required, see below).
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = False
    page = editor_client.get(add_url(TradeFigure))

    response = editor_client.post(
        add_url(TradeFigure),
        trade_figure_form(page, article, mongolia, kazakhstan, review_status="published"),
    )

    assert response.status_code == 302
    figure = TradeFigure.objects.get()
    assert figure.value == Decimal("150000000")
    assert figure.review_status == ReviewStatus.PUBLISHED
    assert figure.verified_by == editor
    assert figure.verified_at is not None


def test_an_editor_cannot_publish_the_trade_figure_they_add_when_a_second_editor_verifies(
    editor_client, article, mongolia, kazakhstan, settings
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    page = editor_client.get(add_url(TradeFigure))

    response = editor_client.post(
        add_url(TradeFigure),
        trade_figure_form(page, article, mongolia, kazakhstan, review_status="published"),
    )

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["review_status"])
    assert "another editor must verify it" in errors
    assert TradeFigure.objects.count() == 0
    assert Citation.objects.count() == 0


def test_changing_an_agreement_replaces_a_party_and_keeps_the_rest(
    editor_client, agreement, mongolia, uzbekistan, kazakhstan
):
    page = editor_client.get(change_url(agreement))
    uzbekistan_row = next(
        form.prefix
        for form in page.context["inline_admin_formsets"][0].formset.forms
        if form.instance.actor == uzbekistan
    )
    citation = agreement.citations.get()

    response = editor_client.post(
        change_url(agreement),
        form_data(page, title="Renamed package", **{f"{uzbekistan_row}-actor": kazakhstan.pk}),
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Renamed package"
    assert {p.actor for p in agreement.parties.all()} == {mongolia, kazakhstan}
    assert list(agreement.citations.all()) == [citation]
    # The admin's log says what changed, parties included.
    assert LogEntry.objects.get().get_change_message() == (
        "Changed Title. Changed Actor for agreement party “Kazakhstan (Signatory)”."
    )


def test_saving_an_unchanged_form_writes_nothing(editor_client, trade_figure):
    page = editor_client.get(change_url(trade_figure))

    response = editor_client.post(change_url(trade_figure), form_data(page))

    assert response.status_code == 302
    refreshed = TradeFigure.objects.get(pk=trade_figure.pk)
    assert refreshed.updated_at == trade_figure.updated_at
    assert refreshed.history.count() == 1


def test_computed_columns_are_read_only(editor_client, agreement):
    page = editor_client.get(change_url(agreement))
    form = page.context["adminform"].form

    for computed in (
        "signed_on_latest",
        "import_digest",
        "created_at",
        "updated_at",
        "verified_by",
        "verified_at",
    ):
        assert computed not in form.fields
        assert computed in page.context["adminform"].readonly_fields
    citation_inline = page.context["inline_admin_formsets"][1]
    assert set(citation_inline.readonly_fields) >= {"char_start", "char_end"}


def test_the_article_page_shows_the_facts_citing_it_with_their_quotes(
    editor_client, article, agreement, trade_figure
):
    response = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    html = response.content.decode()
    assert f"<mark>{AGREEMENT_QUOTE}</mark>" in html
    assert (
        "<mark>Trade with Kazakhstan has reached approximately $150 million annually.</mark>"
        in html
    )
    assert change_url(agreement) in html
    assert change_url(trade_figure) in html
