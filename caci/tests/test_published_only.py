"""Nothing unpublished reaches the public: a public response never names, quotes or
filters by a record the public cannot open itself.

The dataset's draft article (still under review) is cited, next to a published article,
by a published trade figure and a published agreement. The public reads those facts with
the published citation only, in JSON and in CSV, and a filter naming the draft answers as
for a slug that names nothing; an editor sees and filters by everything.
"""

from decimal import Decimal

import pytest

from actors.models import AgreementKind, TradeFlow
from actors.services import CitationInput, PartyInput, agreement_create, trade_figure_create
from caci.tests.dataset import built_for_module, dataset_build
from caci.tests.helpers import csv_rows, results
from core.services import records_publish

pytestmark = pytest.mark.django_db

API = "/api/v1"
DRAFT_QUOTE = "The Middle Corridor connects Azerbaijan and Georgia to Central Asia"
PUBLISHED_QUOTE = "Trade with Kazakhstan has reached approximately $150 million annually"
UNKNOWN = "nothing-has-this-slug"
# Every filter that names a record by its slug, and what it lists for the draft.
ARTICLE_FILTERS = [
    ("trade-figures", "article"),
    ("agreements", "article"),
    ("actors", "mentioned_in"),
]


def build():
    data = dataset_build()
    articles, a = data.articles, data.actors
    citations = [
        CitationInput(article=articles.mongolia, quote=PUBLISHED_QUOTE),
        CitationInput(article=articles.avdaliani_draft, quote=DRAFT_QUOTE),
    ]
    data.figure = trade_figure_create(
        reporter=a.georgia,
        partner=a.azerbaijan,
        flow=TradeFlow.TOTAL,
        value=Decimal("1000000"),
        citations=citations,
    )
    data.agreement = agreement_create(
        title="Georgia–Azerbaijan corridor memorandum",
        kind=AgreementKind.DECLARATION,
        parties=[PartyInput(actor=a.georgia), PartyInput(actor=a.azerbaijan)],
        citations=citations,
    )
    records_publish(records=[data.figure, data.agreement], user=data.reviewer)
    data.draft = articles.avdaliani_draft
    data.published = articles.mongolia
    return data


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    yield from built_for_module(django_db_blocker, build)


@pytest.fixture
def editor_api(api, editor):
    api.force_authenticate(editor)
    return api


@pytest.fixture
def outsider_api(api, outsider):
    """An account without any right on the dataset reads as the public does."""
    api.force_authenticate(outsider)
    return api


def draft_traces(data) -> list[bytes]:
    return [data.draft.slug.encode(), data.draft.title.encode(), DRAFT_QUOTE.encode()]


def cited_slugs(record) -> list[str]:
    return [citation["article"]["slug"] for citation in record["citations"]]


def body(response) -> bytes:
    assert response.status_code == 200, response.content
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# Embedded: citations ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "record"), [("trade-figures", "figure"), ("agreements", "agreement")]
)
def test_the_public_reads_a_fact_with_its_published_citations_only(data, api, resource, record):
    pk = str(getattr(data, record).pk)

    listed = [r for r in results(api.get(f"{API}/{resource}/?page_size=100")) if r["id"] == pk]
    detail = api.get(f"{API}/{resource}/{pk}/").json()

    assert [cited_slugs(r) for r in listed] == [[data.published.slug]]
    assert cited_slugs(detail) == [data.published.slug]
    assert [c["quote"] for c in detail["citations"]] == [PUBLISHED_QUOTE]


@pytest.mark.parametrize(
    ("resource", "record"), [("trade-figures", "figure"), ("agreements", "agreement")]
)
def test_the_public_csv_holds_the_published_citations_only(data, api, resource, record):
    pk = str(getattr(data, record).pk)

    listed = [r for r in csv_rows(api.get(f"{API}/{resource}/?format=csv")) if r["id"] == pk]
    detail = csv_rows(api.get(f"{API}/{resource}/{pk}/?format=csv"))

    for rows in (listed, detail):
        assert [r["citation_article_slugs"] for r in rows] == [data.published.slug]
        assert [r["citation_quotes"] for r in rows] == [PUBLISHED_QUOTE]


@pytest.mark.parametrize(
    ("resource", "record"), [("trade-figures", "figure"), ("agreements", "agreement")]
)
def test_an_editor_reads_every_citation(data, editor_api, resource, record):
    pk = str(getattr(data, record).pk)
    both = {data.published.slug, data.draft.slug}

    listed = [
        r for r in results(editor_api.get(f"{API}/{resource}/?page_size=100")) if r["id"] == pk
    ]
    detail = editor_api.get(f"{API}/{resource}/{pk}/").json()
    rows = csv_rows(editor_api.get(f"{API}/{resource}/{pk}/?format=csv"))

    assert [set(cited_slugs(r)) for r in listed] == [both]
    assert set(cited_slugs(detail)) == both
    assert set(rows[0]["citation_article_slugs"].split(" | ")) == both
    assert DRAFT_QUOTE in rows[0]["citation_quotes"]


def test_an_account_without_rights_reads_as_the_public(data, outsider_api):
    detail = outsider_api.get(f"{API}/trade-figures/{data.figure.pk}/").json()

    assert cited_slugs(detail) == [data.published.slug]


def test_the_author_lists_the_published_articles_only(data, api, editor_api):
    author = data.authors.avdaliani.slug
    for client in (api, editor_api):
        articles = client.get(f"{API}/authors/{author}/").json()["articles"]
        assert data.draft.slug not in [article["slug"] for article in articles]


# Everything the public reads ----------------------------------------------------------


def public_reads(data, api):
    """Every list, CSV and record of every resource that the public reads."""
    for resource in ("articles", "authors", "actors", "agreements", "trade-figures"):
        yield f"{API}/{resource}/?page_size=1000"
        yield f"{API}/{resource}/?format=csv"
        for record in results(api.get(f"{API}/{resource}/?page_size=1000")):
            key = record.get("slug") or record["id"]
            yield f"{API}/{resource}/{key}/"
            yield f"{API}/{resource}/{key}/?format=csv"


def test_no_public_response_names_or_quotes_the_draft(data, api):
    paths = list(public_reads(data, api))
    assert len(paths) > 40

    for path in paths:
        content = body(api.get(path))
        leaks = [trace for trace in draft_traces(data) if trace in content]
        assert not leaks, (path, leaks)


# Filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "name"), ARTICLE_FILTERS)
@pytest.mark.parametrize("format_", ["json", "csv"])
def test_a_filter_naming_the_draft_answers_as_for_an_unknown_slug(
    data, api, resource, name, format_
):
    unknown = api.get(f"{API}/{resource}/", {name: UNKNOWN, "format": format_})
    draft = api.get(f"{API}/{resource}/", {name: data.draft.slug, "format": format_})

    assert unknown.status_code == draft.status_code == 400
    assert data.draft.slug in draft.json()["errors"][name][0]
    assert draft.content.decode().replace(data.draft.slug, UNKNOWN) == unknown.content.decode()


@pytest.mark.parametrize(("resource", "name"), ARTICLE_FILTERS)
def test_a_filter_naming_a_published_article_lists_for_the_public(data, api, resource, name):
    response = api.get(f"{API}/{resource}/", {name: data.published.slug})

    assert results(response)


def test_an_editor_filters_by_the_draft(data, editor_api):
    figures = results(editor_api.get(f"{API}/trade-figures/", {"article": data.draft.slug}))
    agreements = results(editor_api.get(f"{API}/agreements/", {"article": data.draft.slug}))
    actors = results(editor_api.get(f"{API}/actors/", {"mentioned_in": data.draft.slug}))

    assert [r["id"] for r in figures] == [str(data.figure.pk)]
    assert [r["id"] for r in agreements] == [str(data.agreement.pk)]
    assert sorted(r["slug"] for r in actors) == ["azerbaijan", "georgia"]


def test_what_a_filter_may_name_is_settled_for_each_request(data, api, editor):
    """The filters are built once per process; who asks is read on every request."""
    path = f"{API}/trade-figures/?article={data.draft.slug}"

    assert api.get(path).status_code == 400
    api.force_authenticate(editor)
    assert api.get(path).status_code == 200
    api.force_authenticate(None)
    assert api.get(path).status_code == 400


def test_a_filter_naming_the_draft_costs_no_more_than_an_unknown_slug(
    data, api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert api.get(f"{API}/trade-figures/?article={data.draft.slug}").status_code == 400
