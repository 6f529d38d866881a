"""The API benchmark's floor (bench/api_benchmark.py) reads what the API lists: the same
records, in the same order, with the same values, for every default listing and every
filter the benchmark times. A floor that read less would make the API look slow."""

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from actors.models import TradeFlow
from actors.services import CitationInput, trade_figure_create
from core.services import records_publish

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api_benchmark.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("api_benchmark", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The floor queries are PostgreSQL's (the benchmark runs there).")


def floor(bench, resource, filters, rows=100):
    base = f"http://testserver/api/v1/{resource}/"
    with connection.cursor() as cursor:
        return json.loads(
            bench.floor_json(cursor, bench.floor_query(resource, filters, rows, base))
        )["results"]


def test_the_floor_reads_the_records_of_each_default_list(bench, postgres_only, api, dataset):
    for resource in bench.RESOURCES:
        listed = api.get(f"/api/v1/{resource}/?page_size=100").json()["results"]
        assert listed, resource
        assert floor(bench, resource, []) == listed, resource


def test_the_floor_reads_what_each_filter_lists(bench, postgres_only, api, dataset):
    with connection.cursor() as cursor:
        values = bench.pick_values(cursor.connection)
    for resource, filters in bench.FILTERS.items():
        for name, value, sql in filters:
            filled = bench.fill(value, values)
            query = [(name, v) for v in (filled if isinstance(filled, list) else [filled])]
            response = api.get(f"/api/v1/{resource}/?{urlencode(query)}&page_size=100")
            assert response.status_code == 200, (resource, query, response.content)
            listed = response.json()["results"]
            assert floor(bench, resource, [(name, filled, sql)]) == listed, (resource, query)


def test_the_floor_reads_a_cursor_page_in_the_cursor_order(bench, postgres_only, api, dataset):
    listed = api.get("/api/v1/trade-figures/?pagination=cursor&page_size=3").json()["results"]
    assert floor(bench, "trade-figures", [("cursor", None, "ORDER BY t.id")], rows=3) == listed


def test_the_floor_withholds_unpublished_citations_as_the_api_does(
    bench, postgres_only, api, dataset
):
    published, draft = dataset.articles.mongolia, dataset.articles.avdaliani_draft
    figure = trade_figure_create(
        reporter=dataset.actors.georgia,
        partner=dataset.actors.azerbaijan,
        flow=TradeFlow.TOTAL,
        value=Decimal("1000000"),
        citations=[
            CitationInput(
                article=published,
                quote="Trade with Kazakhstan has reached approximately $150 million annually",
            ),
            CitationInput(article=draft, quote="The Middle Corridor connects Azerbaijan"),
        ],
    )
    records_publish(records=[figure], user=dataset.reviewer)

    listed = api.get("/api/v1/trade-figures/?page_size=100").json()["results"]
    floored = floor(bench, "trade-figures", [])

    mine = [record for record in floored if record["id"] == str(figure.pk)]
    assert [[c["article"]["slug"] for c in r["citations"]] for r in mine] == [[published.slug]]
    assert floored == listed
