"""The analytical answers of the API on the shared dataset: facets that count what the
filtered lists hold, a pair's series with its mirror, the network and the timeline, each
from published records only, in a pinned number of queries, bad parameters refused."""

import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from actors.models import TradeFigure
from actors.services import CitationInput, trade_figure_create, trade_figure_update
from core.editorial import ReviewStatus
from core.services import records_publish

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(api, path, params=None, status=200):
    """The answer's body; for a 400, the problem document's field errors."""
    response = api.get(f"{API}/{path}", params or {})
    assert response.status_code == status, response.content
    if status == 400:
        assert response["Content-Type"] == "application/problem+json"
        return response.json()["errors"]
    return response.json()


def count_of(api, url) -> int:
    """How many records the list at ``url`` (an absolute link of an answer) holds."""
    parts = urlsplit(url)
    params = {**parse_qs(parts.query), "count": "exact", "pagination": "page"}
    response = api.get(parts.path, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


# Facets -------------------------------------------------------------------------------

# Each list, a filter the dataset answers, and the keys it is grouped by.
FACETED = [
    ("trade-figures", {}, ["reporter", "partner", "flow", "commodity", "year", "qualifier"]),
    ("trade-figures", {"actor": "mongolia"}, ["partner", "year", "flow"]),
    ("agreements", {}, ["party", "kind", "status", "year"]),
    ("agreements", {"party": "azerbaijan"}, ["party", "year"]),
    ("articles", {}, ["author", "section", "year", "mentions"]),
    ("articles", {"mentions": "azerbaijan"}, ["mentions", "author"]),
    ("actors", {}, ["kind"]),
    ("actors", {"q": "stan"}, ["kind"]),
]
CASES = [(path, filters, key) for path, filters, keys in FACETED for key in keys]


@pytest.mark.parametrize(("path", "filters", "key"), CASES)
def test_each_group_counts_what_its_list_holds(api, dataset, path, filters, key):
    answer = get(api, f"{path}/", {**filters, "group_by": key})

    assert answer["groups"], f"{path} by {key} should have groups"
    for group in answer["groups"]:
        if group["records"] is None:
            continue
        assert count_of(api, group["records"]) == group["count"], group


def test_the_groups_of_a_key_add_up_to_the_filtered_list(api, dataset):
    listed = get(api, "trade-figures/", {"actor": "mongolia", "count": "exact"})
    answer = get(api, "trade-figures/", {"actor": "mongolia", "group_by": "year"})

    assert sum(group["count"] for group in answer["groups"]) == listed["count"] == 6
    # The figure whose source gives no year is its own group, with no list of its own.
    assert answer["groups"][-1] == {
        "key": None,
        "label": "Unknown",
        "records": None,
        "count": 1,
        "totals": [
            {"currency": "USD", "sum": "150000000.00", "min": "150000000.00",
             "max": "150000000.00"}
        ],
    }  # fmt: skip


def test_trade_groups_total_their_values_per_currency(api, dataset):
    answer = get(api, "trade-figures/", {"reporter": "kazakhstan", "group_by": "partner"})

    assert answer["groups"] == [
        {
            "key": "mongolia",
            "label": "Mongolia",
            "url": "http://testserver/api/v1/actors/mongolia/",
            "records": "http://testserver/api/v1/trade-figures/?reporter=kazakhstan&partner=mongolia",
            "count": 2,
            "totals": [
                {"currency": "USD", "sum": "165900000.00", "min": "72900000.00",
                 "max": "93000000.00"}
            ],
        }
    ]  # fmt: skip


def test_agreement_partners_of_an_actor_in_one_request(api, dataset):
    answer = get(api, "agreements/", {"party": "azerbaijan", "group_by": "party"})

    assert [(g["key"], g["count"]) for g in answer["groups"]] == [
        ("azerbaijan", 3),
        ("china", 2),
        ("turkey", 1),
    ]
    assert answer["groups"][1]["records"].endswith("?party=azerbaijan&party=china")


def test_articles_per_author_count_published_articles_only(api, dataset):
    answer = get(api, "articles/", {"group_by": "author"})

    # Emil Avdaliani's second piece is still under review.
    assert {g["key"]: g["count"] for g in answer["groups"]}["emil-avdaliani"] == 1
    assert {g["label"] for g in answer["groups"]} >= {"Emil Avdaliani", "Robert M. Cutler"}


def test_a_group_whose_filter_would_conflict_with_the_request_has_no_list(api, dataset):
    answer = get(api, "articles/", {"author": "tuvshinzaya-gantulga", "group_by": "author"})

    records = {g["key"]: g["records"] for g in answer["groups"]}
    # The co-author's articles by both are not a list the author filter can give.
    assert records["chimguundari-navaan-yunden"] is None
    assert records["tuvshinzaya-gantulga"].endswith("?author=tuvshinzaya-gantulga")


@pytest.mark.parametrize(
    ("path", "params", "queries"),
    [
        ("actors/", {"group_by": "kind"}, 1),
        ("trade-figures/", {"group_by": "reporter"}, 1),
        ("trade-figures/", {"group_by": "year", "actor": ["mongolia", "KZ"]}, 2),
        ("agreements/", {"group_by": "party", "party": "azerbaijan"}, 2),
        ("articles/", {"group_by": "mentions", "author": "emil-avdaliani"}, 2),
    ],
)
def test_a_facet_is_one_query_after_the_filters_own(
    api, dataset, django_assert_num_queries, path, params, queries
):
    with django_assert_num_queries(queries):
        get(api, path, params)


def test_an_unknown_key_is_refused_with_the_keys_offered(api, dataset):
    answer = get(api, "agreements/", {"group_by": "title"}, status=400)

    assert answer == {
        "group_by": ["Cannot group by “title”. Choose from: party, kind, status, year."]
    }


def test_groups_are_not_a_csv_file(api, dataset):
    answer = get(api, "trade-figures/", {"group_by": "year", "format": "csv"}, status=400)

    assert answer == {"group_by": ["Groups answer in JSON only: leave out format=csv."]}


def test_the_filters_of_a_facet_are_checked_as_the_list_s(api, dataset):
    answer = get(api, "trade-figures/", {"group_by": "year", "year": "abc"}, status=400)

    assert set(answer) == {"year"}


def test_unpublished_records_are_counted_only_for_editors_who_ask(api, dataset, editor):
    public = get(api, "trade-figures/", {"group_by": "reporter"})
    api.force_authenticate(editor)
    everything = get(api, "trade-figures/", {"group_by": "reporter", "review_status": "all"})

    count = {g["key"]: g["count"] for g in public["groups"]}
    count_all = {g["key"]: g["count"] for g in everything["groups"]}
    assert count_all["mongolia"] == count["mongolia"] + 1  # its exports to Azerbaijan


# Trade series --------------------------------------------------------------------------


def values(figures):
    return [(f["flow"], f["commodity"], f["value"], f["qualifier"]) for f in figures]


def test_mongolia_s_trade_with_kazakhstan_year_by_year_in_both_directions(
    api, dataset, django_assert_num_queries
):
    # The two actors, then the figures and their citations.
    with django_assert_num_queries(4):
        answer = get(api, "trade-series/", {"actor": "mongolia", "partner": "KZ"})

    assert answer["actor"]["slug"] == "mongolia"
    assert answer["partner"]["slug"] == "kazakhstan"
    assert answer["figure_count"] == 5
    assert [row["year"] for row in answer["years"]] == [2017, 2022, None]
    y2017, y2022, undated = answer["years"]
    assert values(y2017["outbound"]["by_actor"]) == [
        ("export", "horse meat", "2900000.00", "exact")
    ]
    assert y2017["outbound"]["by_partner"] == []  # Kazakhstan's imports: not reported
    assert values(y2017["inbound"]["by_partner"]) == [
        ("export", "industrial and consumer goods", "72900000.00", "approximately")
    ]
    assert y2017["inbound"]["by_partner"][0]["bounds"] == {"lower": None, "upper": None}
    assert y2017["outbound"]["by_actor"][0]["bounds"] == {
        "lower": "2900000.00",
        "upper": "2900000.00",
    }
    assert values(y2022["inbound"]["by_partner"]) == [
        ("export", "industrial and consumer goods", "93000000.00", "exact")
    ]
    assert values(undated["total"]["by_actor"]) == [("total", "", "150000000.00", "approximately")]
    citation = y2022["outbound"]["by_actor"][0]["citations"][0]
    assert citation["quote"] == (
        "with Mongolian exports of horse meat growing from $2.9 million in 2017 to $8.3 "
        "million in 2022"
    )
    assert citation["article"]["url"].endswith(
        "/articles/mongolias-pivot-to-central-asia-and-the-caucasus/"
    )


def test_a_series_reads_as_its_documented_serializer_writes_it(api, dataset):
    from actors.analysis import trade_series
    from actors.api.analysis import TradeSeriesSerializer

    answer = get(api, "trade-series/", {"actor": "mongolia"})
    request = api.get(f"{API}/trade-series/", {"actor": "mongolia"}).wsgi_request
    series = trade_series(actor=dataset.actors.mongolia)

    assert answer == json.loads(json.dumps(TradeSeriesSerializer(series, context={
        "request": request}).data))  # fmt: skip


def test_each_figure_of_a_series_is_a_published_record(api, dataset):
    answer = get(api, "trade-series/", {"actor": "mongolia"})

    listed = [
        figure
        for row in answer["years"]
        for part in ("outbound", "inbound", "total")
        for side in ("by_actor", "by_partner")
        for figure in row[part][side]
    ]
    records = TradeFigure.objects.filter(pk__in=[f["id"] for f in listed])
    assert len(listed) == answer["figure_count"] == records.count() == 6
    assert {r.review_status for r in records} == {ReviewStatus.PUBLISHED}
    for figure in listed:
        record = records.get(pk=figure["id"])
        assert Decimal(figure["value"]) == record.value
        assert figure["qualifier"] == record.qualifier


def test_a_series_side_by_side_shows_where_the_sources_disagree(api, dataset):
    # A mirror figure made up for the test: Mongolia reporting its imports from Kazakhstan
    # in 2022 lower than Kazakhstan reports its exports.
    kz = dataset.figures.kz_exports_2022
    mirror = trade_figure_create(
        reporter=dataset.actors.mongolia,
        partner=dataset.actors.kazakhstan,
        flow="import",
        commodity=kz.commodity,
        year=2022,
        value=Decimal("91000000"),
        citations=[CitationInput(article=dataset.articles.mongolia, quote=KZ_QUOTE)],
    )
    records_publish(records=[mirror], user=dataset.reviewer)

    answer = get(api, "trade-series/", {"actor": "mongolia", "partner": "kazakhstan"})

    y2022 = answer["years"][1]
    assert [f["value"] for f in y2022["inbound"]["by_actor"]] == ["91000000.00"]
    assert [f["value"] for f in y2022["inbound"]["by_partner"]] == ["93000000.00"]
    assert y2022["inbound"]["disagree"] is True
    assert y2022["outbound"]["disagree"] is False


KZ_QUOTE = (
    "Kazakhstan's exports to Mongolia, primarily industrial and consumer goods, "
    "increased from approximately $72.9 million to $93 million during the same period"
)


def test_a_citation_of_an_unpublished_article_is_not_shown(api, dataset):
    figure = dataset.figures.az_cn_2024
    draft = dataset.articles.avdaliani_draft
    trade_figure_update(
        trade_figure=figure,
        data={},
        citations=[
            *[CitationInput(article=c.article, quote=c.quote) for c in figure.citations.all()],
            CitationInput(article=draft, quote="The Middle Corridor connects Azerbaijan"),
        ],
    )
    TradeFigure.objects.filter(pk=figure.pk).update(review_status=ReviewStatus.PUBLISHED)
    assert figure.citations.count() == 2

    answer = get(api, "trade-series/", {"actor": "azerbaijan", "partner": "china"})

    cited = [c["article"]["slug"] for c in answer["years"][0]["total"]["by_actor"][0]["citations"]]
    assert cited == [dataset.articles.cutler.slug]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "actor"),
        ({"actor": "atlantis"}, "actor"),
        ({"actor": "mongolia", "partner": "mongolia"}, "partner"),
        ({"actor": "mongolia", "year_min": "soon"}, "year_min"),
        ({"actor": "mongolia", "reporter": "kazakhstan"}, "reporter"),
    ],
)
def test_a_series_asked_badly_is_refused_naming_the_parameter(api, dataset, params, field):
    answer = get(api, "trade-series/", params, status=400)

    assert set(answer) == {field}


# Network -------------------------------------------------------------------------------


def test_azerbaijan_s_neighbours_with_typed_weighted_edges_and_their_sources(
    api, dataset, django_assert_num_queries
):
    # The actor, then one query per type of edge.
    with django_assert_num_queries(4):
        answer = get(api, "actors/azerbaijan/network/")

    china = answer["neighbours"][0]
    assert china["actor"]["slug"] == "china"
    edges = {edge["type"]: edge for edge in china["edges"]}
    assert {t: e["weight"] for t, e in edges.items()} == {
        "agreement": 2,
        "trade": 1,
        "co-mention": 1,
    }
    assert china["weight"] == 4
    assert [s["title"] for s in edges["agreement"]["sources"]] == [
        "Azerbaijan–China joint declaration on strategic partnership",
        "Azerbaijan–China Comprehensive Strategic Partnership",
    ]
    assert count_of(api, edges["agreement"]["records"]) == edges["agreement"]["weight"]
    assert edges["trade"]["sources"][0]["value"] == "3740000000.00"


def test_every_edge_traces_to_published_records(api, dataset):
    answer = get(api, "actors/azerbaijan/network/")

    for neighbour in answer["neighbours"]:
        for edge in neighbour["edges"]:
            assert edge["weight"] == len(edge["sources"])
            for source in edge["sources"]:
                record = api.get(source["url"])
                assert record.status_code == 200, source["url"]


def test_a_network_of_one_type(api, dataset):
    answer = get(api, "actors/azerbaijan/network/", {"type": "agreement"})

    assert [
        (n["actor"]["slug"], [e["type"] for e in n["edges"]]) for n in answer["neighbours"]
    ] == [
        ("china", ["agreement"]),
        ("turkey", ["agreement"]),
    ]


def test_the_network_of_an_unknown_actor_is_404_and_a_bad_type_400(api, dataset):
    get(api, "actors/atlantis/network/", status=404)
    assert set(get(api, "actors/azerbaijan/network/", {"type": "war"}, status=400)) == {"type"}


def test_the_whole_graph_as_json_and_as_graphml_agree(api, dataset, django_assert_num_queries):
    with django_assert_num_queries(4):
        graph = get(api, "network/")
    graphml = api.get(f"{API}/network/", {"format": "graphml"})

    assert graphml["Content-Type"].startswith("application/graphml+xml")
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ElementTree.fromstring(graphml.content)
    nodes = [node.get("id") for node in root.iterfind("g:graph/g:node", ns)]
    edges = [
        (
            edge.get("source"),
            edge.get("target"),
            edge.find("g:data[@key='type']", ns).text,
            int(edge.find("g:data[@key='weight']", ns).text),
        )
        for edge in root.iterfind("g:graph/g:edge", ns)
    ]
    assert nodes == [node["id"] for node in graph["nodes"]]
    assert edges == [(e["source"], e["target"], e["type"], e["weight"]) for e in graph["edges"]]
    pair = {
        frozenset((e["source"], e["target"])): e for e in graph["edges"] if e["type"] == "trade"
    }
    assert pair[frozenset(("mongolia", "kazakhstan"))]["weight"] == 5


# Agreements over time ------------------------------------------------------------------


def test_the_timeline_spans_a_year_precision_date_over_its_year(
    api, dataset, django_assert_num_queries
):
    # The actor, the counts per year, the agreements, their parties.
    with django_assert_num_queries(4):
        answer = get(api, "agreements-timeline/", {"party": "azerbaijan"})

    shusha = answer["agreements"][0]
    assert (shusha["title"], shusha["signed"], shusha["start"], shusha["end"]) == (
        "Shusha Declaration",
        "2021",
        "2021-01-01",
        "2021-12-31",
    )
    csp = answer["agreements"][-1]
    assert (csp["signed"], csp["start"], csp["end"]) == ("2025-04", "2025-04-01", "2025-04-30")
    assert answer["years"] == [
        {"year": 2021, "count": 1, "by_precision": {"year": 1}},
        {"year": 2024, "count": 1, "by_precision": {"month": 1}},
        {"year": 2025, "count": 1, "by_precision": {"month": 1}},
    ]
    # The road transport package is under review.
    assert len(answer["agreements"]) == 3
    assert answer["undated"] == 0


def test_the_timeline_takes_the_agreement_filters_and_refuses_others(api, dataset):
    assert set(get(api, "agreements-timeline/", {"kind": "war"}, status=400)) == {"kind"}
    assert set(get(api, "agreements-timeline/", {"ordering": "title"}, status=400)) == {"ordering"}
    answer = get(api, "agreements-timeline/", {"kind": "treaty"})
    assert [a["title"] for a in answer["agreements"]] == [
        "Russia–Iran Treaty on Comprehensive Strategic Partnership"
    ]


# The schema ----------------------------------------------------------------------------


def test_the_schema_documents_the_analytical_answers(api, db):
    document = api.get("/api/schema/?format=json").json()

    paths = document["paths"]
    for path in ("trade-series/", "network/", "agreements-timeline/", "actors/{slug}/network/"):
        assert "get" in paths[f"/api/v1/{path}"], path
    group_by = next(
        p for p in paths["/api/v1/trade-figures/"]["get"]["parameters"] if p["name"] == "group_by"
    )
    assert set(group_by["schema"]["enum"]) == {
        "reporter", "partner", "flow", "commodity", "year", "qualifier"
    }  # fmt: skip
    assert "Facets" in document["components"]["schemas"]


# The documentation ---------------------------------------------------------------------

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "api-analysis.md").read_text()
DOCUMENTED = re.findall(r"^GET (/\S+)\n```\n\n(\d{3}) ", DOCS, flags=re.MULTILINE)


def test_the_documentation_shows_answers():
    assert len(DOCUMENTED) >= 10


@pytest.mark.parametrize(("url", "status"), DOCUMENTED)
def test_every_documented_request_answers_as_documented(api, dataset, url, status):
    assert api.get(url).status_code == int(status)


def test_a_bad_graphml_request_answers_a_problem_document_not_xml(api, dataset):
    response = api.get(f"{API}/network/", {"format": "graphml", "type": "no-such-type"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "type" in response.json()["errors"]
