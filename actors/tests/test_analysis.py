"""The analytical selectors on the shared dataset: real answers, published records only,
a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.analysis import (
    EdgeType,
    actor_network,
    agreements_timeline,
    network_graph,
    trade_series,
    value_bounds,
)
from actors.api.views import TradeFigureViewSet
from actors.models import Qualifier, TradeFigure
from core.rest.facets import facet_counts

pytestmark = pytest.mark.django_db


def test_a_pair_s_series_places_each_figure_next_to_its_mirror(dataset, django_assert_num_queries):
    mongolia, kazakhstan = dataset.actors.mongolia, dataset.actors.kazakhstan
    f = dataset.figures

    with django_assert_num_queries(2):
        series = trade_series(actor=mongolia, partner=kazakhstan)

    assert [(row.partner.slug, row.year) for row in series.years] == [
        ("kazakhstan", 2017),
        ("kazakhstan", 2022),
        ("kazakhstan", None),
    ]
    y2017, y2022, undated = series.years
    assert y2017.outbound.by_actor == [f.horse_meat_2017]
    assert y2017.outbound.by_partner == []
    assert y2017.inbound.by_partner == [f.kz_exports_2017]
    assert y2017.inbound.by_actor == []
    assert y2022.inbound.by_partner == [f.kz_exports_2022]
    assert undated.total.by_actor == [f.mn_kz_total]
    assert series.figure_count == 5
    assert [c.article.slug for c in y2017.outbound.by_actor[0].public_citations] == [
        dataset.articles.mongolia.slug
    ]


def test_the_series_seen_from_the_other_side_swaps_the_sides(dataset):
    series = trade_series(actor=dataset.actors.kazakhstan, partner=dataset.actors.mongolia)

    y2017 = series.years[0]
    assert y2017.outbound.by_actor == [dataset.figures.kz_exports_2017]
    assert y2017.inbound.by_partner == [dataset.figures.horse_meat_2017]


def test_one_actor_against_all_leaves_figures_under_review_out(dataset):
    series = trade_series(actor=dataset.actors.mongolia)

    partners = {row.partner.slug for row in series.years}
    # Mongolia's exports to Azerbaijan are still under review.
    assert partners == {"kazakhstan", "kyrgyzstan"}


@pytest.mark.parametrize(
    ("qualifier", "bounds"),
    [
        (Qualifier.EXACT, (Decimal(5), Decimal(5))),
        (Qualifier.NEARLY, (None, Decimal(5))),
        (Qualifier.OVER, (Decimal(5), None)),
        (Qualifier.APPROXIMATELY, (None, None)),
    ],
)
def test_a_qualifier_bounds_the_value(dataset, qualifier, bounds):
    figure = dataset.figures.az_cn_2024
    figure.value, figure.qualifier = Decimal(5), qualifier

    assert value_bounds(figure) == bounds


def test_an_actor_s_network_has_typed_weighted_edges_with_their_sources(
    dataset, django_assert_num_queries
):
    with django_assert_num_queries(3):
        network = actor_network(actor=dataset.actors.azerbaijan)

    by_slug = {n.actor.slug: n for n in network.neighbours}
    china = {edge.type: edge for edge in by_slug["china"].edges}
    # Two published agreements (the road transport package is under review), one figure,
    # one article mentioning both.
    assert china[EdgeType.AGREEMENT].sources == [
        dataset.agreements.sco_declaration,
        dataset.agreements.csp,
    ]
    assert china[EdgeType.TRADE].sources == [dataset.figures.az_cn_2024]
    assert china[EdgeType.CO_MENTION].sources == [dataset.articles.cutler]
    assert network.neighbours[0].actor.slug == "china"
    # Mongolia's exports to Azerbaijan are under review; the draft mentioning Georgia too.
    assert {e.type for e in by_slug["mongolia"].edges} == {EdgeType.CO_MENTION}
    assert [
        a.slug for a in {e.type: e for e in by_slug["georgia"].edges}[EdgeType.CO_MENTION].sources
    ] == [dataset.articles.avdaliani.slug]


def test_the_whole_graph_weighs_each_pair_once(dataset, django_assert_num_queries):
    with django_assert_num_queries(4):
        graph = network_graph()

    ids = {actor.slug: actor.pk for actor in graph.nodes}
    az, cn = sorted([ids["azerbaijan"], ids["china"]])
    weights = {e.type: e.weight for e in graph.edges if (e.source, e.target) == (az, cn)}
    assert weights == {EdgeType.AGREEMENT: 2, EdgeType.TRADE: 1, EdgeType.CO_MENTION: 1}
    assert all(e.source < e.target for e in graph.edges)
    assert "shanghai-cooperation-organization" not in ids


def test_the_timeline_spans_each_date_over_its_precision(dataset, django_assert_num_queries):
    with django_assert_num_queries(3):
        timeline = agreements_timeline()

    a = dataset.agreements
    assert timeline.agreements == [a.shusha, a.sco_declaration, a.russia_iran, a.csp]
    shusha = timeline.agreements[0]
    assert (str(shusha.signed_on), str(shusha.signed_on_latest)) == ("2021-01-01", "2021-12-31")
    assert [(y.year, y.count, y.by_precision) for y in timeline.years] == [
        (2021, 1, {"year": 1}),
        (2024, 1, {"month": 1}),
        (2025, 2, {"day": 1, "month": 1}),
    ]
    assert timeline.undated == 0
    assert not timeline.truncated


def test_an_actor_s_timeline_holds_its_agreements_only(dataset):
    a = dataset.agreements

    timeline = agreements_timeline(actor=dataset.actors.china)

    assert timeline.agreements == [a.sco_declaration, a.csp]
    assert [(y.year, y.count) for y in timeline.years] == [(2024, 1), (2025, 1)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")
@pytest.mark.parametrize(("side", "key"), [("reporter", "partner"), ("partner", "reporter")])
def test_a_public_facet_of_one_side_s_figures_reads_a_covering_index(dataset, side, key):
    queryset = TradeFigure.objects.public().filter(**{side: dataset.actors.mongolia})
    with CaptureQueriesContext(connection) as queries:
        facet_counts(
            queryset=queryset,
            facet=TradeFigureViewSet.facets[key],
            totals=TradeFigureViewSet.facet_totals,
        )
    with connection.cursor() as cursor:
        # On a small table a scan is always cheaper: ask what else the planner has.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {queries[-1]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # One of the two covering indexes, whichever the planner finds cheaper on a table this
    # small; never the table itself.
    assert "Index Only Scan using trade_published_" in plan
