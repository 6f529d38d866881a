"""What an import changes reaches the clients that mirror the dataset, as an editor's
change does: a change of a record's parts is a change of the record (its ``updated_at``,
one version of its history), and a record an import takes out of publication leaves a
tombstone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor, Agreement, TradeFigure
from articles.models import Article
from bundles.importing import fixtures_import
from bundles.models import ImportRun
from bundles.tests.bundles import (
    AGREEMENT_CITATION_ID,
    AGREEMENT_ID,
    FIGURE_ID,
    find,
    small_bundle,
    snapshot,
    write,
)
from core.history import children_at, children_snapshot
from core.models import Tombstone

pytestmark = pytest.mark.django_db

OTHER_AGREEMENT_ID = "55555555-5555-4555-8555-555555555555"
MOVED_CITATION_ID = "66666666-6666-4666-8666-666666666666"


def sync_bundle() -> list[dict]:
    """The small bundle, published, with a third actor and a second agreement."""
    records = small_bundle()
    for record in records:
        if record["model"] in ("articles.article", "actors.agreement", "actors.tradefigure"):
            record["fields"]["review_status"] = "published"
    records.insert(
        5,
        {
            "model": "actors.actor",
            "fields": {
                "name": "Uzbekistan",
                "slug": "uzbekistan",
                "kind": "country",
                "iso_code": "UZ",
            },
        },
    )
    records += [
        {
            "model": "actors.agreement",
            "pk": OTHER_AGREEMENT_ID,
            "fields": {
                "title": "Mongolia–Uzbekistan visit",
                "kind": "other",
                "review_status": "published",
            },
        },
        *(
            {
                "model": "actors.agreementparty",
                "fields": {"agreement": OTHER_AGREEMENT_ID, "actor": [slug]},
            }
            for slug in ("mongolia", "uzbekistan")
        ),
        *(
            {
                "model": "actors.citation",
                "pk": pk,
                "fields": {"article": ["mongolia-pivot"], "agreement": OTHER_AGREEMENT_ID}
                | {"quote": quote},
            }
            for pk, quote in (
                ("77777777-7777-4777-8777-777777777777", "The visit to Astana"),
                (MOVED_CITATION_ID, "14 bilateral agreements"),
            )
        ),
    ]
    # Models in the order the importer reads them best: parents first.
    order = [
        "articles.author",
        "articles.article",
        "articles.authorship",
        "actors.actor",
        "actors.actoralias",
        "actors.actoridentifier",
        "actors.mention",
        "actors.agreement",
        "actors.agreementparty",
        "actors.tradefigure",
        "actors.citation",
    ]
    return sorted(records, key=lambda record: order.index(record["model"]))


def imported(tmp_path, records, name="bundle.json", **options):
    return fixtures_import(paths=[write(tmp_path / name, records)], **options)


def _party_replaced(records):
    find(records, "actors.agreementparty", agreement=AGREEMENT_ID, actor=["kazakhstan"])["fields"][
        "actor"
    ] = ["uzbekistan"]


def _role_changed(records):
    find(records, "actors.agreementparty", agreement=AGREEMENT_ID, actor=["kazakhstan"])["fields"][
        "role"
    ] = "guarantor"


def _citation_edited(records):
    find(records, "actors.citation", pk=AGREEMENT_CITATION_ID)["fields"]["quote"] = (
        "The visit to Astana yielded"
    )


def _citation_added(records):
    records.append(
        {
            "model": "actors.citation",
            "pk": "88888888-8888-4888-8888-888888888888",
            "fields": {
                "article": ["mongolia-pivot"],
                "trade_figure": FIGURE_ID,
                "quote": "The visit to Astana",
            },
        }
    )


def _author_added(records):
    records.insert(1, {"model": "articles.author", "fields": {"name": "Bo", "slug": "bo"}})
    records.insert(
        4,
        {
            "model": "articles.authorship",
            "fields": {"article": ["mongolia-pivot"], "author": ["bo"], "position": 2},
        },
    )


def _alias_removed(records):
    records.remove(find(records, "actors.actoralias", name="Mongol Uls"))


def _identifier_changed(records):
    find(records, "actors.actoridentifier", value="Q711")["fields"]["value"] = "Q712"


def _sent_back(records, model, **key):
    find(records, model, **key)["fields"]["review_status"] = "needs_review"


def _parent(model, key):
    return model.objects.get(slug=key) if model in (Article, Actor) else model.objects.get(pk=key)


@pytest.mark.parametrize(
    ("change", "model", "key", "relation"),
    [
        (_party_replaced, Agreement, AGREEMENT_ID, "parties"),
        (_role_changed, Agreement, AGREEMENT_ID, "parties"),
        (_citation_edited, Agreement, AGREEMENT_ID, "citations"),
        (_citation_added, TradeFigure, FIGURE_ID, "citations"),
        (_author_added, Article, "mongolia-pivot", "authorships"),
        (_alias_removed, Actor, "mongolia", "aliases"),
        (_identifier_changed, Actor, "mongolia", "identifiers"),
    ],
    ids=lambda value: getattr(value, "__name__", "").strip("_") or None,
)
def test_an_import_that_changes_only_a_part_changes_its_record_once(
    tmp_path, change, model, key, relation
):
    imported(tmp_path, sync_bundle())
    parent = _parent(model, key)
    before = parent.updated_at
    first = parent.history.get()
    records = sync_bundle()
    change(records)

    report = imported(tmp_path, records, "v2.json")

    parent = _parent(model, key)
    assert parent.updated_at > before
    assert report.model(model._meta.label_lower).unchanged >= 1
    assert parent.history.count() == 2
    latest = parent.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == ImportRun.objects.get(pk=report.run_id).change_reason
    # The new version holds the parts as they now are, the first one those of the first import.
    assert children_at(latest) == children_snapshot(parent)
    assert children_at(latest)[relation] != children_at(first)[relation]
    # Nothing else changed.
    others = [
        record
        for kind in (Agreement, TradeFigure, Article, Actor)
        for record in kind.objects.all()
        if record != parent
    ]
    assert all(record.history.count() == 1 for record in others)


def test_sync_lists_the_agreement_whose_party_an_import_replaced_and_no_other(tmp_path, api):
    imported(tmp_path, sync_bundle())
    other = Agreement.objects.get(pk=OTHER_AGREEMENT_ID)
    since = timezone.now()
    records = sync_bundle()
    _party_replaced(records)

    imported(tmp_path, records, "v2.json")

    response = api.get("/api/v1/agreements/", {"updated_since": since.isoformat()})
    assert response.status_code == 200, response.content
    [listed] = response.json()["results"]
    assert listed["id"] == AGREEMENT_ID
    assert sorted(party["actor"]["slug"] for party in listed["parties"]) == [
        "mongolia",
        "uzbekistan",
    ]
    assert Agreement.objects.get(pk=OTHER_AGREEMENT_ID).updated_at == other.updated_at
    assert other.history.count() == 1


def test_the_history_page_shows_the_party_an_import_replaced(tmp_path, editor_client):
    imported(tmp_path, sync_bundle())
    records = sync_bundle()
    _party_replaced(records)

    imported(tmp_path, records, "v2.json")

    page = editor_client.get(reverse("admin:actors_agreement_history", args=[AGREEMENT_ID]))
    changes = page.context["page_obj"][0].history_delta_changes
    assert [change["field"] for change in changes] == ["Parties"]
    assert "Uzbekistan" in changes[0]["new"]
    assert "Kazakhstan" in changes[0]["old"]
    assert "Kazakhstan" not in changes[0]["new"]


def test_a_change_of_a_record_and_of_its_parts_is_one_version(tmp_path):
    imported(tmp_path, sync_bundle())
    records = sync_bundle()
    _party_replaced(records)
    _citation_edited(records)
    find(records, "actors.agreement", pk=AGREEMENT_ID)["fields"]["title"] = "Renamed package"

    imported(tmp_path, records, "v2.json")

    agreement = Agreement.objects.get(pk=AGREEMENT_ID)
    assert agreement.history.count() == 2
    assert children_at(agreement.history.first()) == children_snapshot(agreement)


def test_a_citation_moved_to_another_agreement_changes_both(tmp_path):
    imported(tmp_path, sync_bundle())
    records = sync_bundle()
    find(records, "actors.citation", pk=MOVED_CITATION_ID)["fields"]["agreement"] = AGREEMENT_ID

    imported(tmp_path, records, "v2.json")

    for pk, citations in ((AGREEMENT_ID, 2), (OTHER_AGREEMENT_ID, 1)):
        agreement = Agreement.objects.get(pk=pk)
        assert agreement.history.count() == 2
        latest = children_at(agreement.history.first())
        assert latest == children_snapshot(agreement)
        assert len(latest["citations"]) == citations


@pytest.mark.parametrize(
    ("model", "key", "resource"),
    [
        ("actors.agreement", {"pk": AGREEMENT_ID}, "agreements"),
        ("actors.tradefigure", {"pk": FIGURE_ID}, "trade-figures"),
        ("articles.article", {"slug": "mongolia-pivot"}, "articles"),
    ],
)
def test_a_record_an_import_sends_back_to_review_leaves_a_tombstone(
    tmp_path, api, model, key, resource
):
    imported(tmp_path, sync_bundle())
    identifier = next(iter(key.values()))
    since = timezone.now()
    records = sync_bundle()
    _sent_back(records, model, **key)

    imported(tmp_path, records, "v2.json")

    response = api.get("/api/v1/tombstones/", {"updated_since": since.isoformat()})
    assert response.status_code == 200, response.content
    assert [
        (tombstone["resource"], tombstone["id"], tombstone["reason"])
        for tombstone in response.json()["results"]
    ] == [(resource, identifier, "unpublished")]
    assert api.get(f"/api/v1/{resource}/{identifier}/").status_code == 404


def test_a_tombstone_of_an_import_names_the_editor_who_ran_it(tmp_path, editor):
    imported(tmp_path, sync_bundle())
    records = sync_bundle()
    _sent_back(records, "actors.agreement", pk=AGREEMENT_ID)

    imported(tmp_path, records, "v2.json", user=editor)

    tombstone = Tombstone.objects.get()
    assert (tombstone.model, tombstone.record_id, tombstone.removed_by) == (
        "actors.agreement",
        AGREEMENT_ID,
        editor,
    )
    assert tombstone.public


def test_a_record_imported_unpublished_leaves_no_tombstone(tmp_path):
    records = sync_bundle()
    _sent_back(records, "actors.agreement", pk=AGREEMENT_ID)
    imported(tmp_path, records)
    find(records, "actors.agreement", pk=AGREEMENT_ID)["fields"]["summary"] = "Still a draft."

    imported(tmp_path, records, "v2.json")

    assert not Tombstone.objects.exists()


def test_importing_a_changed_bundle_again_writes_nothing(tmp_path):
    imported(tmp_path, sync_bundle())
    records = sync_bundle()
    _party_replaced(records)
    _author_added(records)
    _sent_back(records, "actors.tradefigure", pk=FIGURE_ID)
    imported(tmp_path, records, "v2.json")
    assert Tombstone.objects.count() == 1
    before = snapshot()

    report = imported(tmp_path, records, "v2.json")

    assert report.wrote_nothing
    after = snapshot()
    assert after.pop("import runs") == before.pop("import runs") + 1
    assert after == before


def test_a_first_import_writes_one_version_of_each_record(tmp_path):
    imported(tmp_path, sync_bundle())

    for model in (Agreement, TradeFigure, Article, Actor):
        for record in model.objects.all():
            assert [version.history_type for version in record.history.all()] == ["+"]
            assert children_at(record.history.get()) == children_snapshot(record)
    assert not Tombstone.objects.exists()
