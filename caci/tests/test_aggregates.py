"""A record and its children are one unit: one change, one version, one revert.

An agreement with its parties and citations, a trade figure with its citations, an
article with its byline, an actor with its aliases and identifiers.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor, Agreement, IdentifierScheme, TradeFigure
from actors.services import (
    CitationInput,
    IdentifierInput,
    PartyInput,
    actor_update,
    agreement_update,
    trade_figure_update,
)
from actors.tests.factories import make_country
from articles.models import Article
from articles.services import article_update, author_create
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE
from caci.tests.helpers import form_data
from core.history import children_at
from core.services import record_delete, record_restore
from core.tests.clients import VersionedAPIClient

pytestmark = pytest.mark.django_db


def _change_parties(agreement, mongolia, kazakhstan, article):
    agreement_update(
        agreement=agreement,
        data={},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
    )
    return "parties", [
        {"actor": mongolia.pk, "role": "signatory"},
        {"actor": kazakhstan.pk, "role": "signatory"},
    ]


def _change_figure_citations(trade_figure, article):
    trade_figure_update(
        trade_figure=trade_figure,
        data={},
        citations=[
            CitationInput(article=article, quote=TRADE_QUOTE),
            CitationInput(article=article, quote=AGREEMENT_QUOTE),
        ],
    )
    return "citations", sorted(
        [
            {"article": article.pk, "quote": TRADE_QUOTE},
            {"article": article.pk, "quote": AGREEMENT_QUOTE},
        ],
        key=lambda row: row["quote"],
    )


def _change_byline(article):
    second = author_create(name="Second Author", slug="second-author")
    first = article.authors.get()
    article_update(article=article, data={}, authors=[second, first])
    return "authorships", [
        {"position": 1, "author": second.pk},
        {"position": 2, "author": first.pk},
    ]


def _change_identifiers(mongolia):
    actor_update(
        actor=mongolia,
        data={},
        identifiers=[IdentifierInput(scheme=IdentifierScheme.WIKIDATA, value="Q711")],
    )
    return "identifiers", [{"scheme": "wikidata", "value": "Q711"}]


@pytest.mark.parametrize("aggregate", ["agreement", "trade figure", "article", "actor"])
def test_a_child_changed_through_the_service_changes_its_parent_once(
    aggregate, agreement, trade_figure, article, mongolia, kazakhstan
):
    parent = {
        "agreement": agreement,
        "trade figure": trade_figure,
        "article": article,
        "actor": mongolia,
    }[aggregate]
    before = type(parent).objects.get(pk=parent.pk).updated_at
    versions = parent.history.count()

    relation, children = {
        "agreement": lambda: _change_parties(agreement, mongolia, kazakhstan, article),
        "trade figure": lambda: _change_figure_citations(trade_figure, article),
        "article": lambda: _change_byline(article),
        "actor": lambda: _change_identifiers(mongolia),
    }[aggregate]()

    stored = type(parent).objects.get(pk=parent.pk)
    assert stored.updated_at > before
    assert parent.history.count() == versions + 1
    latest = parent.history.first()
    assert latest.history_type == "~"
    assert latest.history_children[relation] == children


def test_setting_the_same_children_again_writes_nothing(agreement, mongolia, uzbekistan):
    versions = agreement.history.count()
    before = Agreement.objects.get(pk=agreement.pk).updated_at

    agreement_update(
        agreement=agreement,
        data={},
        parties=[PartyInput(actor=uzbekistan), PartyInput(actor=mongolia)],
    )

    assert agreement.history.count() == versions
    assert Agreement.objects.get(pk=agreement.pk).updated_at == before


def test_a_new_agreement_s_first_version_holds_its_parties_and_citations(
    agreement, mongolia, uzbekistan, article
):
    assert agreement.history.count() == 1
    created = agreement.history.get()
    assert {row["actor"] for row in created.history_children["parties"]} == {
        mongolia.pk,
        uzbekistan.pk,
    }
    assert created.history_children["citations"] == [
        {"article": article.pk, "quote": AGREEMENT_QUOTE}
    ]


def test_the_admin_saves_fields_and_inlines_as_one_version_shown_with_its_parties(
    editor_client, agreement, kazakhstan
):
    versions = agreement.history.count()
    change = reverse("admin:actors_agreement_change", args=[agreement.pk])
    page = editor_client.get(change)
    # The second party (Uzbekistan) becomes Kazakhstan, and the title changes.
    response = editor_client.post(
        change, form_data(page, title="Renamed package", **{"parties-1-actor": kazakhstan.pk})
    )

    assert response.status_code == 302
    assert agreement.history.count() == versions + 1
    assert {p.actor.name for p in agreement.parties.all()} == {"Mongolia", "Kazakhstan"}
    history = editor_client.get(reverse("admin:actors_agreement_history", args=[agreement.pk]))
    changes = history.context["page_obj"][0].history_delta_changes
    fields = {change["field"]: (change["old"], change["new"]) for change in changes}
    assert set(fields) == {"Title", "Parties"}
    old_parties, new_parties = fields["Parties"]
    assert "Uzbekistan" in old_parties
    assert "Kazakhstan" not in old_parties
    assert "Kazakhstan" in new_parties
    assert "Uzbekistan" not in new_parties


def test_an_api_patch_of_the_parties_is_found_by_updated_since(
    editor, agreement, mongolia, kazakhstan
):
    client = VersionedAPIClient()
    client.force_authenticate(editor)
    since = timezone.now() + timedelta(microseconds=1)
    listing = "/api/v1/agreements/"
    params = {"updated_since": since.isoformat(), "review_status": "all"}
    assert client.get(listing, params).json()["results"] == []

    response = client.patch(
        f"{listing}{agreement.pk}/",
        {"parties": [{"actor": "mongolia"}, {"actor": "KZ"}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["updated_at"] >= since.isoformat().replace("+00:00", "Z")
    found = client.get(listing, params).json()["results"]
    assert [record["id"] for record in found] == [str(agreement.pk)]
    assert agreement.history.first().history_children["parties"] == [
        {"actor": mongolia.pk, "role": "signatory"},
        {"actor": kazakhstan.pk, "role": "signatory"},
    ]


def _revert(client, model_name, record, version):
    url = reverse(f"admin:actors_{model_name}_simple_history", args=[record.pk, version.pk])
    return client.post(url, form_data(client.get(url)))


def test_a_revert_brings_back_the_parties_and_citations_of_that_version(
    editor_client, editor, agreement, mongolia, uzbekistan, kazakhstan, article
):
    first_version = agreement.history.earliest()
    agreement_update(
        agreement=agreement,
        data={"title": "Changed"},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
        citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
    )

    response = _revert(editor_client, "agreement", agreement, first_version)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Agreement 1"
    assert {p.actor for p in agreement.parties.all()} == {mongolia, uzbekistan}
    assert list(agreement.citations.values_list("quote", flat=True)) == [AGREEMENT_QUOTE]
    latest = agreement.history.first()
    assert agreement.history.count() == 3
    assert latest.history_user == editor
    assert latest.history_children == first_version.history_children


def test_a_revert_that_would_break_a_rule_is_refused_and_writes_nothing(
    editor_client, agreement, mongolia, kazakhstan, article
):
    first_version = agreement.history.earliest()
    agreement_update(
        agreement=agreement,
        data={"title": "Changed"},
        citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
    )
    # The passage the first version cited is edited out of the article since.
    article_update(article=article, data={"body": TRADE_QUOTE})
    versions = agreement.history.count()

    response = _revert(editor_client, "agreement", agreement, first_version)

    assert response.status_code == 302
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(
        "Cannot revert to this version" in message and "does not occur" in message
        for message in messages
    )
    agreement.refresh_from_db()
    assert agreement.title == "Changed"
    assert list(agreement.citations.values_list("quote", flat=True)) == [TRADE_QUOTE]
    assert agreement.history.count() == versions


def test_a_revert_of_an_actor_brings_back_its_aliases_and_identifiers(editor_client, mongolia):
    first_version = mongolia.history.earliest()
    actor_update(
        actor=mongolia,
        data={},
        aliases=["Outer Mongolia"],
        identifiers=[IdentifierInput(scheme=IdentifierScheme.WIKIDATA, value="Q711")],
    )

    _revert(editor_client, "actor", mongolia, first_version)

    assert list(mongolia.aliases.values_list("name", flat=True)) == ["Ulaanbaatar"]
    assert not mongolia.identifiers.exists()


def test_a_version_an_import_wrote_reads_its_children_from_their_own_history(
    agreement, mongolia, uzbekistan, kazakhstan
):
    agreement_update(agreement=agreement, data={"title": "Imported title"})
    imported = agreement.history.first()
    recorded = imported.history_children
    # A fixture import writes the agreement's version without its children, which it
    # records in their own history (here, when the agreement was created).
    type(imported).objects.filter(pk=imported.pk).update(history_children=None)
    agreement_update(
        agreement=agreement,
        data={},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
    )

    imported.refresh_from_db()
    assert imported.history_children is None
    assert children_at(imported) == recorded
    assert children_at(agreement.history.first())["parties"] != recorded["parties"]


def test_a_restored_agreement_s_version_holds_its_children(agreement, mongolia, uzbekistan):
    pk = agreement.pk
    recorded = agreement.history.first().history_children

    record_delete(instance=agreement)
    restored = record_restore(model=Agreement, pk=pk)

    assert restored.history.first().history_children == recorded


def test_the_history_page_of_an_article_shows_its_byline_change(editor_client, article):
    _change_byline(article)

    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))

    changes = history.context["page_obj"][0].history_delta_changes
    assert [change["field"] for change in changes] == ["Authorships"]
    assert "Second Author" in changes[0]["new"]
    assert "Second Author" not in changes[0]["old"]


def test_models_edited_with_children_are_the_four_aggregates():
    from core.history import aggregate_children

    assert {
        model: sorted(aggregate_children(model))
        for model in (Actor, Agreement, TradeFigure, Article)
    } == {
        Actor: ["aliases", "identifiers"],
        Agreement: ["citations", "parties"],
        TradeFigure: ["citations"],
        Article: ["authorships"],
    }


def test_a_revert_to_the_version_a_fixture_import_wrote_brings_back_its_parties(
    tmp_path, editor_client
):
    from bundles.importing import fixtures_import
    from bundles.tests.bundles import AGREEMENT_ID, small_bundle, write

    fixtures_import(paths=[write(tmp_path / "bundle.json", small_bundle())])
    agreement = Agreement.objects.get(pk=AGREEMENT_ID)
    imported = agreement.history.get()
    parties = sorted(agreement.parties.values_list("actor__slug", "role"))
    # The import records the children in their own history, not on the agreement's row.
    assert imported.history_children is None
    assert sorted(row["actor"] for row in children_at(imported)["parties"]) == sorted(
        agreement.parties.values_list("actor_id", flat=True)
    )
    other = make_country(9, name="Turkmenistan", iso_code="TM")
    kept = agreement.parties.first().actor
    agreement_update(
        agreement=agreement, data={}, parties=[PartyInput(actor=kept), PartyInput(actor=other)]
    )

    _revert(editor_client, "agreement", agreement, imported)

    assert sorted(agreement.parties.values_list("actor__slug", "role")) == parties


def test_a_citation_edited_on_its_own_page_is_a_change_of_its_agreement(editor_client, agreement):
    citation = agreement.citations.get()
    before = Agreement.objects.get(pk=agreement.pk).updated_at
    versions = agreement.history.count()
    change = reverse("admin:actors_citation_change", args=[citation.pk])

    response = editor_client.post(change, form_data(editor_client.get(change), quote=TRADE_QUOTE))

    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).updated_at > before
    assert agreement.history.count() == versions + 1
    assert agreement.history.first().history_children["citations"][0]["quote"] == TRADE_QUOTE


def test_an_alias_deleted_on_its_own_page_is_a_change_of_its_actor(editor_client, mongolia):
    alias = mongolia.aliases.get()
    before = Actor.objects.get(pk=mongolia.pk).updated_at

    editor_client.post(reverse("admin:actors_actoralias_delete", args=[alias.pk]), {"post": "yes"})

    assert not mongolia.aliases.exists()
    assert Actor.objects.get(pk=mongolia.pk).updated_at > before
    assert mongolia.history.first().history_children["aliases"] == []


def test_an_editor_who_changed_only_the_citations_cannot_publish_the_record_alone(
    agreement, article, editor
):
    from django.core.exceptions import ValidationError

    from core.history import history_context
    from core.services import records_publish
    from core.tests.factories import make_staff_user

    with history_context(reason="Edited", user=editor):
        agreement_update(
            agreement=agreement,
            data={},
            citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
        )

    with pytest.raises(ValidationError, match="another editor must verify"):
        records_publish(records=[agreement], user=editor)
    assert records_publish(records=[agreement], user=make_staff_user("second", "Editors")) == 1
