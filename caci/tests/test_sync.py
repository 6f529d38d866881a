"""Mirroring the dataset through the API: a full walk, then updated_since and tombstones.

The scenario the mirrors go through (test_a_mirror_kept_by_updated_since_and_tombstones…):

1. Both mirrors (anonymous, and an editor who lists every review status) walk every
   resource with the cursor.
2. Creates: a published agreement, a trade figure under review, an actor.
3. Children: an agreement's parties, a trade figure's citations, an actor's aliases.
4. Removals: a published agreement sent back to review, a published trade figure
   deleted, the new actor deleted, an agreement never published deleted.
5. Comebacks: the trade figure restored, the agreement published again.

After each step both mirrors sync (tombstones, then each resource's changes) and must
equal a fresh full walk. The fixture import is one more door
(test_a_mirror_follows_what_an_import_changes): the dataset exported, then imported with
an agreement's party replaced, an actor's alias removed and a published trade figure sent
back to review.
"""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from actors.models import Agreement, TradeFigure
from actors.services import actor_update, trade_figure_create
from bundles.exporting import fixtures_export
from bundles.importing import fixtures_import
from core.editorial import ReviewStatus
from core.models import RemovalReason, Tombstone
from core.services import record_delete, record_restore, records_send_back_to_review
from core.tests.clients import VersionedAPIClient
from core.tests.factories import make_staff_user

pytestmark = pytest.mark.django_db

API = "/api/v1/"
RESOURCES = ("articles", "authors", "actors", "agreements", "trade-figures")
REVIEWED = {"articles", "agreements", "trade-figures"}
TOMBSTONES = f"{API}tombstones/"


def fresh(record):
    """The record as stored: the module's dataset objects stay as built for other tests."""
    return type(record).objects.get(pk=record.pk)


def client_for(user) -> VersionedAPIClient:
    cache.clear()  # The throttling counters: a mirror asks many times.
    client = VersionedAPIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def walk(client, url: str, params: dict) -> list[dict]:
    """Every record of a list, following the cursor."""
    response = client.get(url, {**params, "pagination": "cursor", "page_size": 3})
    assert response.status_code == 200, response.content
    records = response.json()["results"]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        records += response.json()["results"]
    return records


class Mirror:
    """A client's copy of the dataset, keyed by each record's address."""

    def __init__(self, client, *, editor: bool):
        self.client = client
        self.editor = editor
        self.records: dict[str, dict] = {}
        self.since = None

    def params(self, resource: str) -> dict:
        return {"review_status": "all"} if self.editor and resource in REVIEWED else {}

    def everything(self) -> dict[str, dict]:
        return {
            record["url"]: record
            for resource in RESOURCES
            for record in walk(self.client, f"{API}{resource}/", self.params(resource))
        }

    def full_walk(self) -> None:
        # The server's clock before the first request (a client reads the Date header).
        started = timezone.now()
        self.records = self.everything()
        self.since = started

    def sync(self) -> None:
        started = timezone.now()
        since = {"updated_since": self.since.isoformat()}
        removed = walk(self.client, TOMBSTONES, since)
        changed = [
            record
            for resource in RESOURCES
            for record in walk(
                self.client, f"{API}{resource}/", {**self.params(resource), **since}
            )
        ]
        # Removals first, then what changed: a record removed and back since is back.
        for tombstone in removed:
            self.records.pop(tombstone["url"], None)
        for record in changed:
            self.records[record["url"]] = record
        self.since = started


def test_a_mirror_kept_by_updated_since_and_tombstones_equals_the_dataset(dataset, editor):
    public = Mirror(client_for(None), editor=False)
    private = Mirror(client_for(editor), editor=True)
    writer = client_for(editor)
    # A second editor verifies what the first wrote.
    verifier = client_for(make_staff_user("verifier", "Editors"))
    mirrors = (public, private)
    for mirror in mirrors:
        mirror.full_walk()

    def sync_and_compare(step: str) -> None:
        for mirror in mirrors:
            mirror.client = client_for(editor if mirror.editor else None)
            mirror.sync()
            assert mirror.records == mirror.everything(), (step, mirror.editor)

    # 2. Creates.
    created = writer.post(
        f"{API}agreements/",
        {
            "title": "Azerbaijan–Kazakhstan rail agreement",
            "kind": "joint-venture",
            "parties": [{"actor": "azerbaijan"}, {"actor": "KZ"}],
            "citations": [
                {
                    "article": "has-the-west-lost-azerbaijan",
                    "quote": "culminating in the signing of a Comprehensive Strategic Partnership",
                }
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    new_agreement = created.json()["id"]
    published = verifier.patch(
        f"{API}agreements/{new_agreement}/", {"review_status": "published"}, format="json"
    )
    assert published.status_code == 200, published.content
    draft_figure = trade_figure_create(
        reporter=dataset.actors.mongolia,
        partner=dataset.actors.china,
        flow="total",
        value=Decimal("1"),
        citations=[_citation_of(dataset.figures.mn_kz_total)],
    )
    new_actor = writer.post(
        f"{API}actors/",
        {"name": "Caspian Pipeline Consortium", "slug": "cpc", "kind": "company"},
        format="json",
    )
    assert new_actor.status_code == 201, new_actor.content
    sync_and_compare("creates")
    assert any(url.endswith(f"{new_agreement}/") for url in public.records)
    assert not any(url.endswith(f"{draft_figure.pk}/") for url in public.records)
    assert any(url.endswith(f"{draft_figure.pk}/") for url in private.records)

    # 3. Children only.
    csp = dataset.agreements.csp
    assert (
        writer.patch(
            f"{API}agreements/{csp.pk}/",
            {"parties": [{"actor": "azerbaijan"}, {"actor": "china"}, {"actor": "turkey"}]},
            format="json",
        ).status_code
        == 200
    )
    horse_meat = dataset.figures.horse_meat_2022
    citations = [
        *({"article": c.article.slug, "quote": c.quote} for c in horse_meat.citations.all()),
        {
            "article": "mongolias-pivot-to-central-asia-and-the-caucasus",
            "quote": "Trade with Kazakhstan has reached approximately $150 million annually",
        },
    ]
    assert (
        writer.patch(
            f"{API}trade-figures/{horse_meat.pk}/", {"citations": citations}, format="json"
        ).status_code
        == 200
    )
    actor_update(actor=fresh(dataset.actors.iran), data={}, aliases=["Tehran", "Persia"])
    sync_and_compare("children")
    csp_url = next(url for url in public.records if url.endswith(f"{csp.pk}/"))
    assert len(public.records[csp_url]["parties"]) == 3

    # 4. Removals.
    shusha = dataset.agreements.shusha
    assert (
        writer.patch(
            f"{API}agreements/{shusha.pk}/", {"review_status": "needs_review"}, format="json"
        ).status_code
        == 200
    )
    deleted_figure = dataset.figures.ru_ir_2024.pk
    assert writer.delete(f"{API}trade-figures/{deleted_figure}/").status_code == 204
    assert writer.delete(f"{API}actors/cpc/").status_code == 204
    never_published = fresh(dataset.agreements.road_transport)
    record_delete(instance=never_published, user=editor)
    sync_and_compare("removals")
    assert not any(url.endswith(f"{shusha.pk}/") for url in public.records)
    assert any(url.endswith(f"{shusha.pk}/") for url in private.records)
    assert not any(url.endswith(f"{deleted_figure}/") for url in private.records)

    # 5. Comebacks.
    record_restore(model=TradeFigure, pk=deleted_figure)
    assert (
        verifier.patch(
            f"{API}agreements/{shusha.pk}/", {"review_status": "published"}, format="json"
        ).status_code
        == 200
    )
    sync_and_compare("comebacks")
    assert any(url.endswith(f"{shusha.pk}/") for url in public.records)
    assert any(url.endswith(f"{deleted_figure}/") for url in public.records)


def test_a_mirror_follows_what_an_import_changes(dataset, editor, tmp_path):
    mirrors = (Mirror(client_for(None), editor=False), Mirror(client_for(editor), editor=True))
    for mirror in mirrors:
        mirror.full_walk()
    out = io.StringIO()
    fixtures_export(out=out)
    records = json.loads(out.getvalue())
    csp, figure = str(dataset.agreements.csp.pk), str(dataset.figures.mn_kz_total.pk)
    for record in records:
        fields = record["fields"]
        if record["model"] == "actors.agreementparty" and (
            fields["agreement"],
            fields["actor"],
        ) == (
            csp,
            ["china"],
        ):
            fields["actor"] = ["turkey"]
        if record["model"] == "actors.tradefigure" and record["pk"] == figure:
            fields["review_status"] = "needs_review"
    records.remove(
        {"model": "actors.actoralias", "fields": {"actor": ["russia"], "name": "Moscow"}}
    )
    bundle = tmp_path / "edited.json"
    bundle.write_text(json.dumps(records), encoding="utf-8")

    # Records an editor wrote are the import's to replace only with --overwrite.
    fixtures_import(paths=[bundle], overwrite=True, user=editor)

    for mirror in mirrors:
        mirror.client = client_for(editor if mirror.editor else None)
        mirror.sync()
        assert mirror.records == mirror.everything(), mirror.editor
    public = mirrors[0].records
    [csp_record] = [record for url, record in public.items() if url.endswith(f"/{csp}/")]
    assert sorted(party["actor"]["slug"] for party in csp_record["parties"]) == [
        "azerbaijan",
        "turkey",
    ]
    assert not any(url.endswith(f"/{figure}/") for url in public)
    [russia] = [record for url, record in public.items() if url.endswith("/actors/russia/")]
    assert russia["aliases"] == []


def _citation_of(figure):
    from actors.services import CitationInput

    citation = figure.citations.get()
    return CitationInput(article=citation.article, quote=citation.quote)


def test_the_public_is_told_only_of_records_it_could_see(dataset, editor):
    published = fresh(dataset.agreements.russia_iran)
    draft = fresh(dataset.agreements.road_transport)
    records_send_back_to_review(records=[published], user=editor)
    record_delete(instance=fresh(published), user=editor)
    record_delete(instance=draft, user=editor)
    record_delete(instance=fresh(dataset.actors.sco), user=editor)

    public = client_for(None).get(TOMBSTONES).json()["results"]
    private = client_for(editor).get(TOMBSTONES).json()["results"]

    assert [(t["resource"], t["id"], t["reason"], t["removed_by"]) for t in public] == [
        ("agreements", str(published.pk), "unpublished", None),
        ("actors", "shanghai-cooperation-organization", "deleted", None),
    ]
    assert [(t["resource"], t["id"], t["reason"], t["removed_by"]) for t in private] == [
        ("agreements", str(published.pk), "unpublished", "editor"),
        ("agreements", str(published.pk), "deleted", "editor"),
        ("agreements", str(dataset.agreements.road_transport.pk), "deleted", "editor"),
        ("actors", "shanghai-cooperation-organization", "deleted", "editor"),
    ]
    assert public[0]["url"] == f"http://testserver{API}agreements/{published.pk}/"


def test_tombstones_are_filtered_by_moment_resource_and_reason(dataset, editor):
    record_delete(instance=fresh(dataset.actors.sco))
    between = timezone.now()
    records_send_back_to_review(records=[fresh(dataset.agreements.shusha)])
    client = client_for(editor)

    def ids(**params):
        response = client.get(TOMBSTONES, params)
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["results"]]

    assert ids(updated_since=between.isoformat()) == [str(dataset.agreements.shusha.pk)]
    assert ids(resource="actors") == ["shanghai-cooperation-organization"]
    assert ids(reason="unpublished") == [str(dataset.agreements.shusha.pk)]
    assert ids(updated_since=(timezone.now() + timedelta(seconds=1)).isoformat()) == []
    assert client.get(TOMBSTONES, {"resource": "citations"}).status_code == 400
    assert client.get(TOMBSTONES, {"since": "2025-01-01"}).status_code == 400


@pytest.mark.parametrize("size", [1, 3])
def test_the_tombstones_list_costs_the_same_queries_whatever_its_length(
    dataset, editor, django_assert_num_queries, size
):
    for figure in list(TradeFigure.objects.public()[:size]):
        record_delete(instance=figure, user=editor)
    client = client_for(None)

    with django_assert_num_queries(1):  # the page with its count and who removed each
        response = client.get(TOMBSTONES)

    assert [t["reason"] for t in response.json()["results"]] == ["deleted"] * size


def test_a_slug_change_leaves_a_tombstone_under_the_old_slug(dataset):
    actor_update(actor=fresh(dataset.actors.iran), data={"slug": "islamic-republic-of-iran"})

    tombstone = Tombstone.objects.get()
    assert (tombstone.model, tombstone.record_id, tombstone.reason, tombstone.public) == (
        "actors.actor",
        "iran",
        RemovalReason.RENAMED,
        True,
    )


def test_sending_back_a_record_not_published_leaves_no_tombstone(dataset):
    records_send_back_to_review(records=[fresh(dataset.agreements.road_transport)], note="Check.")

    assert not Tombstone.objects.exists()
    assert Agreement.objects.get(pk=dataset.agreements.road_transport.pk).review_status == (
        ReviewStatus.NEEDS_REVIEW
    )


def test_the_tombstones_are_in_the_api_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/tombstones/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "updated_since",
        "resource",
        "reason",
        "cursor",
    }
    tombstone = schema["components"]["schemas"]["Tombstone"]["properties"]
    assert set(tombstone) == {"resource", "id", "url", "reason", "removed_at", "removed_by"}
