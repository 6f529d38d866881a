"""The API reads records from rows (core.rest.fast): what it answers is, byte for byte,
what each resource's serializer writes from the model instances."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from actors.models import IdentifierScheme
from actors.services import CitationInput, IdentifierInput, actor_create
from actors.tests.factories import make_agreement, make_country, make_trade_figure
from articles.services import author_create
from articles.tests.factories import TRADE_QUOTE, make_article
from caci.api import router

pytestmark = pytest.mark.django_db

RESOURCES = {
    basename: viewset for _, viewset, basename in router.registry if basename != "tombstones"
}


@pytest.fixture
def unusual_records(dataset):
    """Records whose values are the edge of each field: no date, no links, an empty
    byline, identifiers, a date known to the year, a figure cited twice, text with the
    line separators that JSON writers escape."""
    article = make_article(
        901,
        title="Ends\u2028of lines\u2029 and “quotes” \\ /",
        published_on=None,
        source_url="",
        pdf_url="https://example.org/a.pdf",
    )
    second = make_article(902, published_on=date(2024, 2, 29), authors=[])
    author_create(name="Nobody Yet", slug="nobody-yet")
    actor_create(
        name="Acme Holding",
        slug="acme-holding",
        kind="company",
        description="",
        aliases=["Acme", "ACME Co."],
        identifiers=[
            IdentifierInput(scheme=IdentifierScheme.WIKIDATA, value="Q1"),
            IdentifierInput(scheme=IdentifierScheme.WEBSITE, value="https://acme.example"),
        ],
    )
    north, south = make_country(190, name="Northland"), make_country(191, name="Southland")
    make_agreement(article, [north, south], number=901)
    make_agreement(
        second, [south, north], number=902, signed_on=date(2019, 1, 1), signed_precision="year"
    )
    make_trade_figure(
        article,
        north,
        south,
        year=None,
        value=Decimal("0.50"),
        citations=[
            CitationInput(article=second, quote=TRADE_QUOTE),
            CitationInput(article=article, quote=TRADE_QUOTE),
        ],
    )
    return article


def serializer_json(viewset, records, path: str, *, many: bool) -> bytes:
    request = Request(APIRequestFactory().get(path))
    serializer = viewset.serializer_class(
        records, many=many, context={"request": request, "format": None}
    )
    return JSONRenderer().render(serializer.data)


def results_json(content: bytes) -> bytes:
    start = content.index(b'"results":') + len(b'"results":')
    return content[start:-1]


def every_record(api, url: str) -> tuple[list[dict], bytes]:
    params = {"page_size": 1000, "pagination": "cursor"}
    if "review_status" in RESOURCES[url.split("/")[3]].filterset_class.base_filters:
        params["review_status"] = "all"
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return body["results"], results_json(response.content)


def instances(viewset, records: list[dict]) -> list:
    lookup = viewset.lookup_field
    keys = [record["id" if lookup == "pk" else lookup] for record in records]
    found = {
        str(getattr(x, lookup)): x for x in viewset.queryset.filter(**{f"{lookup}__in": keys})
    }
    return [found[key] for key in keys]


@pytest.mark.parametrize("basename", RESOURCES)
def test_a_list_reads_as_its_serializer_writes(api, editor, unusual_records, basename):
    viewset = RESOURCES[basename]
    api.force_authenticate(editor)
    url = f"/api/v1/{basename}/"

    records, content = every_record(api, url)

    assert len(records) > 3
    assert content == serializer_json(viewset, instances(viewset, records), url, many=True)


@pytest.mark.parametrize("basename", RESOURCES)
def test_a_record_reads_as_its_serializer_writes(api, editor, unusual_records, basename):
    viewset = RESOURCES[basename]
    api.force_authenticate(editor)
    records, _ = every_record(api, f"/api/v1/{basename}/")

    for record, instance in zip(records, instances(viewset, records), strict=True):
        response = api.get(record["url"])

        assert response.status_code == 200
        path = record["url"].removeprefix("http://testserver")
        assert response.content == serializer_json(viewset, instance, path, many=False)


def test_the_line_separators_are_escaped_as_drf_escapes_them(api, editor, unusual_records):
    api.force_authenticate(editor)

    content = api.get(f"/api/v1/articles/{unusual_records.slug}/").content

    assert b"Ends\\u2028of lines\\u2029" in content
