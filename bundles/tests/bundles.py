"""Bundles for the importer's tests: small ones built as Python lists and written as JSON,
synthetic ones from the generator, and the export of what the database holds."""

import copy
import io
import json
from pathlib import Path

from actors.models import (
    Actor,
    ActorAlias,
    ActorIdentifier,
    Agreement,
    AgreementParty,
    Citation,
    Mention,
    TradeFigure,
)
from articles.models import Article, Author, Authorship
from bundles.exporting import fixtures_export
from bundles.models import ImportRun
from bundles.synthetic import Sizes, write_bundle
from core.models import Tombstone

AGREEMENT_ID = "11111111-1111-4111-8111-111111111111"
FIGURE_ID = "22222222-2222-4222-8222-222222222222"
FIGURE_CITATION_ID = "33333333-3333-4333-8333-333333333333"
AGREEMENT_CITATION_ID = "44444444-4444-4444-8444-444444444444"
QUOTE = "Trade with Kazakhstan has reached approximately $150 million annually."
BODY = (
    "Trade with Kazakhstan has reached approximately\n$150 million annually.\n\n"
    "The visit to Astana yielded 14 bilateral agreements."
)
DATASET_MODELS = [
    Author,
    Article,
    Authorship,
    Actor,
    ActorAlias,
    ActorIdentifier,
    Mention,
    Agreement,
    AgreementParty,
    TradeFigure,
    Citation,
]


def small_bundle() -> list[dict]:
    """One of each kind of record, as dumpdata --natural-foreign --natural-primary writes."""
    return copy.deepcopy(
        [
            {"model": "articles.author", "fields": {"name": "Ann Author", "slug": "ann"}},
            {
                "model": "articles.article",
                "fields": {
                    "slug": "mongolia-pivot",
                    "title": "Mongolia's Pivot",
                    "section": "analytical-articles",
                    "published_on": "2025-03-19",
                    "lede": "Mongolia looks west.",
                    "body": BODY,
                    "review_status": "published",
                },
            },
            {
                "model": "articles.authorship",
                "fields": {"article": ["mongolia-pivot"], "author": ["ann"], "position": 1},
            },
            {
                "model": "actors.actor",
                "fields": {
                    "name": "Mongolia",
                    "slug": "mongolia",
                    "kind": "country",
                    "iso_code": "mn",
                },
            },
            {
                "model": "actors.actor",
                "fields": {
                    "name": "Kazakhstan",
                    "slug": "kazakhstan",
                    "kind": "country",
                    "iso_code": "KZ",
                },
            },
            {
                "model": "actors.actoralias",
                "fields": {"actor": ["mongolia"], "name": "Ulaanbaatar"},
            },
            {
                "model": "actors.actoralias",
                "fields": {"actor": ["mongolia"], "name": "Mongol Uls"},
            },
            {
                "model": "actors.actoridentifier",
                "fields": {"actor": ["mongolia"], "scheme": "wikidata", "value": "Q711"},
            },
            {
                "model": "actors.mention",
                "fields": {"article": ["mongolia-pivot"], "actor": ["kazakhstan"]},
            },
            {
                "model": "actors.agreement",
                "pk": AGREEMENT_ID,
                "fields": {
                    "title": "Mongolia–Kazakhstan package",
                    "kind": "package",
                    "signed_on": "2025-04-17",
                    "signed_precision": "month",
                    "instrument_count": 14,
                },
            },
            {
                "model": "actors.agreementparty",
                "fields": {"agreement": AGREEMENT_ID, "actor": ["mongolia"], "role": "signatory"},
            },
            {
                "model": "actors.agreementparty",
                "fields": {"agreement": AGREEMENT_ID, "actor": ["kazakhstan"]},
            },
            {
                "model": "actors.tradefigure",
                "pk": FIGURE_ID,
                "fields": {
                    "reporter": ["mongolia"],
                    "partner": ["kazakhstan"],
                    "flow": "total",
                    "value": "150000000.00",
                    "qualifier": "approximately",
                    "currency": "usd",
                },
            },
            {
                "model": "actors.citation",
                "pk": FIGURE_CITATION_ID,
                "fields": {
                    "article": ["mongolia-pivot"],
                    "trade_figure": FIGURE_ID,
                    "agreement": None,
                    "quote": QUOTE,
                },
            },
            {
                "model": "actors.citation",
                "pk": AGREEMENT_CITATION_ID,
                "fields": {
                    "article": ["mongolia-pivot"],
                    "agreement": AGREEMENT_ID,
                    "quote": "yielded 14 bilateral agreements",
                },
            },
        ]
    )


def find(bundle: list[dict], model: str, **match) -> dict:
    """The bundle's record of ``model`` whose fields (or pk) match."""
    for record in bundle:
        if record["model"] != model:
            continue
        values = {**record["fields"], "pk": record.get("pk")}
        if all(values.get(name) == value for name, value in match.items()):
            return record
    raise LookupError(f"no {model} {match}")


def write(path: Path, records) -> Path:
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return path


def snapshot() -> dict:
    """Every dataset row, history row and tombstone, to compare the database before and
    after."""
    state = {}
    for model in DATASET_MODELS:
        state[model._meta.label] = sorted(map(str, model.objects.values_list()))
        state[f"{model._meta.label} history"] = model.history.count()
    state["tombstones"] = Tombstone.objects.count()
    state["import runs"] = ImportRun.objects.count()
    return state


SIZES = Sizes(articles=12, actors=8, agreements=6, trade_figures=40)


def synthetic(path, sizes=SIZES, seed=4):
    with path.open("w", encoding="utf-8") as out:
        write_bundle(sizes, seed, out)
    return path


def exported() -> list[dict]:
    out = io.StringIO()
    fixtures_export(out=out)
    return json.loads(out.getvalue())


def as_set(records: list[dict]) -> set[str]:
    return {json.dumps(record, sort_keys=True) for record in records}


def empty_the_dataset():
    for model in reversed(DATASET_MODELS):
        model.objects.all().delete()
