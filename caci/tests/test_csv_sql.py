"""The CSV written by PostgreSQL (core.rest.csv_sql) is the CSV the Python path writes,
byte for byte: every resource, filtered or not, for the public and for an editor, with
the cells that CSV must quote (commas, quotes, line breaks) and those it must not (empty
text, a date-time without microseconds)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from psycopg.pq import TransactionStatus

from actors.models import TradeFigure, TradeFlow
from actors.services import CitationInput, trade_figure_create
from caci.tests.dataset import built_for_module, dataset_build
from core.rest import csv_sql
from core.rest.fast import reader_for
from core.rest.viewsets import DatasetViewSet
from core.services import records_publish

pytestmark = pytest.mark.django_db

API = "/api/v1"
# Lists as the public and an editor export them, filtered or not.
EXPORTS = [
    "trade-figures/",
    "trade-figures/?ordering=-value",
    "trade-figures/?actor=mongolia&year_min=2017",
    "agreements/",
    "agreements/?party=azerbaijan",
    "articles/",
    "articles/?search=trade",
    "authors/",
    "actors/",
]
EDITOR_EXPORTS = [*EXPORTS, "trade-figures/?review_status=all", "agreements/?review_status=all"]


def build():
    data = dataset_build()
    a, articles = data.actors, data.articles
    # A figure whose cells CSV must quote, or must leave empty, cited by a published
    # article and by the draft.
    data.awkward = trade_figure_create(
        reporter=a.georgia,
        partner=a.armenia,
        flow=TradeFlow.TOTAL,
        value=Decimal("12.50"),
        commodity="",
        note='Two lines,\nwith a "quoted" word\r\nand a comma, here',
        citations=[
            CitationInput(
                article=articles.mongolia,
                quote="Trade with Kazakhstan has reached approximately $150 million annually",
            ),
            CitationInput(
                article=articles.avdaliani_draft, quote="The Middle Corridor connects Azerbaijan"
            ),
        ],
    )
    records_publish(records=[data.awkward], user=data.reviewer)
    TradeFigure.objects.filter(pk=data.awkward.pk).update(
        verified_at=datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    )
    return data


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("The database writes the CSV on PostgreSQL only.")


def export(client, path: str, monkeypatch, *, by_sql: bool) -> bytes:
    with monkeypatch.context() as patched:
        if not by_sql:
            patched.setattr(DatasetViewSet, "csv_query", lambda self: None)
        response = client.get(f"{API}/{path}", {"format": "csv"})
        assert response.status_code == 200, response.content
        return b"".join(response.streaming_content)


@pytest.mark.parametrize("path", EXPORTS)
def test_the_public_export_is_the_python_paths_byte_for_byte(
    data, api, path, monkeypatch, postgres_only
):
    by_sql = export(api, path, monkeypatch, by_sql=True)

    assert by_sql == export(api, path, monkeypatch, by_sql=False)
    assert by_sql.count(b"\r\n") > 1


@pytest.mark.parametrize("path", EDITOR_EXPORTS)
def test_an_editors_export_is_the_python_paths_byte_for_byte(
    data, api, editor, path, monkeypatch, postgres_only
):
    api.force_authenticate(editor)
    by_sql = export(api, path, monkeypatch, by_sql=True)

    assert by_sql == export(api, path, monkeypatch, by_sql=False)


def test_the_awkward_cells_are_written_as_python_writes_them(
    data, api, monkeypatch, postgres_only
):
    body = export(api, "trade-figures/?actor=georgia", monkeypatch, by_sql=True)

    assert b'"Two lines,\nwith a ""quoted"" word\r\nand a comma, here"' in body
    assert b",2025-01-01T12:00:00Z," in body
    assert b"avdaliani-draft" not in body


def test_every_resource_but_actors_is_written_by_the_database(postgres_only):
    from caci.api import router

    written = {
        basename
        for _, viewset, basename in router.registry
        if issubclass(viewset, DatasetViewSet)
        and csv_sql.csv_query_for(
            reader_for(viewset.serializer_class, viewset.queryset),
            viewset.serializer_class,
            csv_sql.lists_key(viewset.csv_lists),
        )
    }

    # An actor's identifiers are joined by a function of Python (``scheme:value``).
    assert written == {"articles", "authors", "agreements", "trade-figures"}


@pytest.mark.parametrize(
    "chunks",
    [
        [b'a,"x\ny",b\n', b"c,d\n"],
        [b'a,"x\n', b'y",b\nc,d\n'],
        [b'a,"x', b'""\n""', b'y",b\n', b"c,d\n"],
        [b"a,b\nc,", b"d\n"],
    ],
)
def test_crlf_ends_rows_and_leaves_quoted_line_breaks(chunks):
    assert b"".join(csv_sql.crlf(iter(chunks))) == b"".join(chunks).replace(
        b"b\n", b"b\r\n"
    ).replace(b"d\n", b"d\r\n")


def test_a_download_broken_off_ends_the_copy_and_the_connection_serves_on(
    data, api, monkeypatch, postgres_only
):
    monkeypatch.setattr(csv_sql, "STREAM_CHUNK_BYTES", 1)  # a chunk a row
    response = api.get(f"{API}/trade-figures/?format=csv")
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks), next(chunks)

    # The client goes: the test client's wrapper closes the response as a WSGI server
    # does (and, as in a test, leaves the connection open).
    response._iterator.close()

    assert connection.connection.info.transaction_status == TransactionStatus.INTRANS
    assert TradeFigure.objects.public().count() > 3


def test_a_csv_export_is_one_query_whatever_its_size(
    data, api, django_assert_num_queries, postgres_only
):
    with django_assert_num_queries(1) as captured:
        response = api.get(f"{API}/trade-figures/?format=csv")
        b"".join(response.streaming_content)

    assert captured.captured_queries[0]["sql"].startswith("COPY (SELECT")
