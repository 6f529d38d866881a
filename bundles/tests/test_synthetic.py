"""Synthetic bundles live in a namespace of their own: imported into the real dataset, they
add to it and change no real record."""

import io
import json

import pytest
from django.core.management import call_command

from actors.models import Actor, Agreement, AgreementParty, Citation, TradeFigure
from articles.models import Article
from bundles.exporting import fixtures_export
from bundles.importing import fixtures_import
from bundles.synthetic import USER_ASSIGNED_CODES, Sizes, write_bundle
from core.editorial import ReviewStatus

pytestmark = pytest.mark.django_db

# Enough actors for every country of the generator, and every organization more than once.
EVERY_ACTOR = Sizes(articles=12, actors=60, agreements=8, trade_figures=40)


def synthetic_bundle(path, sizes=EVERY_ACTOR, seed=1):
    with path.open("w", encoding="utf-8") as out:
        write_bundle(sizes, seed, out)
    return path


def exported_records() -> set[str]:
    out = io.StringIO()
    fixtures_export(out=out)
    return {json.dumps(record, sort_keys=True) for record in json.loads(out.getvalue())}


def test_a_synthetic_bundle_leaves_the_seeded_dataset_as_it_was(tmp_path):
    call_command("seed", stdout=io.StringIO())
    china = Actor.objects.get(slug="china")
    real = exported_records()

    report = fixtures_import(paths=[synthetic_bundle(tmp_path / "synthetic.json")])

    assert report.total("created") > 0
    assert report.total("updated") == report.total("deleted") == report.total("conflicts") == 0
    again = Actor.objects.get(slug="china")
    assert again.description == china.description != ""
    assert again.iso_code == "CN"
    assert real <= exported_records()


def test_synthetic_records_take_slugs_and_country_codes_no_real_record_has(tmp_path):
    records = json.loads(synthetic_bundle(tmp_path / "synthetic.json").read_text())

    slugs = [r["fields"]["slug"] for r in records if "slug" in r["fields"]]
    codes = [r["fields"]["iso_code"] for r in records if r["fields"].get("iso_code")]
    assert len(codes) == 40
    assert all(slug.startswith("synthetic-") for slug in slugs)
    assert set(codes) <= set(USER_ASSIGNED_CODES)
    assert len(set(codes)) == len(codes)


# Enough facts that every kind has published records and records that need review.
MIXED = Sizes(articles=12, actors=20, agreements=30, trade_figures=60)


def api_list(client, resource: str) -> list[dict]:
    response = client.get(f"/api/v1/{resource}/", {"page_size": 100})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_synthetic_bundle_shows_the_public_published_facts_with_their_sources(tmp_path, client):
    fixtures_import(paths=[synthetic_bundle(tmp_path / "synthetic.json", sizes=MIXED)])

    for model in (Article, Agreement, TradeFigure):
        statuses = set(model.objects.values_list("review_status", flat=True))
        assert statuses == {ReviewStatus.PUBLISHED, ReviewStatus.NEEDS_REVIEW}, model
    agreements = api_list(client, "agreements")
    published = Agreement.objects.public()
    assert {a["id"] for a in agreements} == {
        str(pk) for pk in published.values_list("pk", flat=True)
    }
    public_articles = {a["slug"] for a in api_list(client, "articles")}
    for agreement in agreements:
        assert len(agreement["parties"]) >= 2
        assert agreement["citations"]
        # Every source a published fact cites is an article the public can open.
        assert {c["article"]["slug"] for c in agreement["citations"]} <= public_articles
    for figure in api_list(client, "trade-figures"):
        assert {c["article"]["slug"] for c in figure["citations"]} <= public_articles

    # Each article mentions the actors its passages name, and the actors' filter finds them.
    article = next(a for a in api_list(client, "articles") if a["mentions"])
    mentioned = {m["slug"] for m in article["mentions"]}
    response = client.get("/api/v1/actors/", {"mentioned_in": article["slug"]})
    assert {a["slug"] for a in response.json()["results"]} == mentioned
    passages = Citation.objects.filter(article__slug=article["slug"])
    named = {
        slug
        for citation in passages.select_related("trade_figure__reporter", "trade_figure__partner")
        if citation.trade_figure
        for slug in (citation.trade_figure.reporter.slug, citation.trade_figure.partner.slug)
    } | set(
        AgreementParty.objects.filter(agreement__citations__in=passages).values_list(
            "actor__slug", flat=True
        )
    )
    assert mentioned == named
