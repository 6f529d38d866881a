"""Every change is recorded, shown field by field, and can be undone; a deletion too."""

import pytest
from django.db import connection
from django.urls import reverse

from actors.models import Actor, ActorAlias, Agreement, AgreementParty, Citation, TradeFigure
from actors.services import actor_update, agreement_update
from caci.tests.helpers import form_data
from core.history import history_context
from core.services import history_of, record_delete, record_restore, tracked_models

pytestmark = pytest.mark.django_db


def test_a_change_in_the_admin_is_recorded_with_its_author_and_shown_field_by_field(
    editor_client, editor, agreement
):
    change = reverse("admin:actors_agreement_change", args=[agreement.pk])
    editor_client.post(change, form_data(editor_client.get(change), title="Renamed package"))

    latest = agreement.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == editor
    history = editor_client.get(reverse("admin:actors_agreement_history", args=[agreement.pk]))
    html = history.content.decode()
    assert "<strong>Title:</strong>" in html
    assert "Agreement 1" in html
    assert "Renamed package" in html
    # Only what the editor changed: the timestamp every save moves is left out.
    assert "<strong>Updated at:</strong>" not in html


def test_an_editor_reverts_to_an_earlier_version_from_the_history(editor_client, editor, mongolia):
    actor_update(actor=mongolia, data={"name": "Mongolia (renamed by mistake)"})
    first_version = mongolia.history.earliest()
    revert = reverse("admin:actors_actor_simple_history", args=[mongolia.pk, first_version.pk])

    page = editor_client.get(revert)
    assert page.context["adminform"].form["name"].value() == "Mongolia"
    response = editor_client.post(revert, form_data(page))

    assert response.status_code == 302
    mongolia.refresh_from_db()
    assert mongolia.name == "Mongolia"
    assert mongolia.history.count() == 3
    assert mongolia.history.first().history_user == editor


def test_a_viewer_sees_the_history_but_cannot_revert(viewer_client, mongolia):
    actor_update(actor=mongolia, data={"name": "Renamed"})
    first_version = mongolia.history.earliest()
    revert = reverse("admin:actors_actor_simple_history", args=[mongolia.pk, first_version.pk])

    assert (
        viewer_client.get(reverse("admin:actors_actor_history", args=[mongolia.pk])).status_code
        == 200
    )
    response = viewer_client.post(
        revert, {"name": "Mongolia", "slug": "mongolia", "kind": "country", "iso_code": "MN"}
    )

    mongolia.refresh_from_db()
    assert mongolia.name == "Renamed"
    assert response.status_code == 403


def test_history_context_names_the_change(mongolia):
    with history_context(reason="Spreadsheet import of actors.csv by editor"):
        actor_update(actor=mongolia, data={"description": "A landlocked country."})

    assert (
        mongolia.history.first().history_change_reason
        == "Spreadsheet import of actors.csv by editor"
    )


def test_a_deleted_agreement_comes_back_with_its_parties_and_citations(agreement, mongolia):
    parties = sorted(agreement.parties.values_list("actor__slug", "role"))
    quotes = list(agreement.citations.values_list("quote", "char_start", "char_end"))
    created_at = agreement.created_at
    pk = agreement.pk

    record_delete(instance=agreement)
    assert not Agreement.objects.filter(pk=pk).exists()
    assert AgreementParty.objects.count() == 0
    assert Citation.objects.count() == 0

    restored = record_restore(model=Agreement, pk=pk)

    assert sorted(restored.parties.values_list("actor__slug", "role")) == parties
    assert list(restored.citations.values_list("quote", "char_start", "char_end")) == quotes
    assert restored.created_at == created_at
    assert restored.history.first().history_change_reason.startswith("Restored")


def test_a_restore_brings_back_what_the_deletion_carried_not_earlier_removals(
    agreement, mongolia, uzbekistan, kazakhstan
):
    from actors.services import PartyInput

    agreement_update(
        agreement=agreement,
        data={},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
    )
    pk = agreement.pk

    record_delete(instance=agreement)
    restored = record_restore(model=Agreement, pk=pk)

    assert {p.actor for p in restored.parties.all()} == {mongolia, kazakhstan}


def test_a_restore_that_breaks_a_rule_is_refused_and_writes_nothing(article, trade_figure):
    pk = trade_figure.pk
    record_delete(instance=trade_figure)
    # The cited passage is edited away in the meantime.
    from articles.services import article_update

    article_update(article=article, data={"body": "Nothing about trade any more."})

    with pytest.raises(Exception, match="Cannot restore citation"):
        record_restore(model=TradeFigure, pk=pk)
    assert not TradeFigure.objects.filter(pk=pk).exists()


def test_the_deleted_records_page_lists_deletions_and_restores_one(editor_client, mongolia):
    delete = reverse("admin:actors_actor_delete", args=[mongolia.pk])
    editor_client.post(delete, {"post": "yes"})
    assert not Actor.objects.filter(slug="mongolia").exists()
    assert not ActorAlias.objects.exists()

    page = editor_client.get(reverse("admin:deleted_records"))
    rows = page.context["rows"]
    # The aliases went with their actor: they are not listed on their own.
    assert [(row["opts"].model_name, row["label"]) for row in rows] == [("actor", "Mongolia")]

    # The deleted record's history still opens, its last entry the deletion.
    history = editor_client.get(rows[0]["history_url"])
    assert history.status_code == 200
    assert history.context["page_obj"][0].history_type == "-"

    response = editor_client.post(rows[0]["restore_url"])

    restored = Actor.objects.get(slug="mongolia")
    assert response.url == reverse("admin:actors_actor_change", args=[restored.pk])
    assert list(restored.aliases.values_list("name", flat=True)) == ["Ulaanbaatar"]
    assert editor_client.get(reverse("admin:deleted_records")).context["rows"] == []


def test_a_viewer_cannot_restore(viewer_client, mongolia):
    pk = mongolia.pk
    record_delete(instance=mongolia)

    page = viewer_client.get(reverse("admin:deleted_records"))
    assert page.context["rows"][0]["restore_url"] is None
    response = viewer_client.post(reverse("admin:restore_record", args=["actors", "actor", pk]))
    assert response.status_code == 403
    assert not Actor.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("app_label", "model_name"), [("actors", "nothing"), ("auth", "permission")]
)
def test_restoring_a_model_the_admin_does_not_show_is_a_404(editor_client, app_label, model_name):
    url = reverse("admin:restore_record", args=[app_label, model_name, "1"])

    assert editor_client.post(url).status_code == 404


def test_history_tables_are_indexed_for_the_record_and_the_moment_only():
    """The history is read by record and by moment; any other index only slows each write."""
    with connection.cursor() as cursor:
        for model in tracked_models():
            history = history_of(model).model
            table = history._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            indexed = {
                tuple(info["columns"])
                for info in constraints.values()
                if info["index"] or info["primary_key"]
            }
            assert indexed == {("history_id",), (model._meta.pk.column,), ("history_date",)}, table
