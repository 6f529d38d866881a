"""The questions analysts ask of the knowledge, each answered in a few queries whatever the
size of the dataset: a pair's trade year by year with its mirror, an actor's network, the
agreements over time.

Published records only: a figure or an agreement under review, a citation of an
unpublished article, a mention in an unpublished article are left out of every answer.
The answers hold model instances (the explorer's templates read them as they are); the
API writes them as JSON (``actors/api/analysis.py``).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import ExtractYear, Greatest, Least

from actors.models import (
    Actor,
    Agreement,
    AgreementParty,
    AgreementQuerySet,
    Citation,
    Mention,
    Qualifier,
    TradeFigure,
    TradeFlow,
)
from core.editorial import ReviewStatus

PUBLISHED = ReviewStatus.PUBLISHED
# The most agreements a timeline lists one by one (its yearly counts are always whole).
MAX_TIMELINE_ITEMS = 1000


def public_citations() -> Prefetch:
    """The citations of a fact that the public may read, as ``public_citations``: those of
    published articles, in the article's order."""
    return Prefetch(
        "citations",
        queryset=Citation.objects.filter(article__review_status=PUBLISHED)
        .select_related("article")
        # The article as a reference: never its text, which a busy series would read
        # thousands of times.
        .only(
            *("agreement", "trade_figure", "quote", "char_start", "char_end"),
            *("article__slug", "article__title", "article__published_on"),
        )
        .order_by("article__published_on", "article__slug", "char_start"),
        to_attr="public_citations",
    )


# Trade series ---------------------------------------------------------------------------

# What a qualifier says of the true value against the stated one: (is the stated value a
# lower bound, is it an upper bound). "Approximately" bounds it on neither side.
QUALIFIER_BOUNDS = {
    Qualifier.EXACT: (True, True),
    Qualifier.APPROXIMATELY: (False, False),
    Qualifier.NEARLY: (False, True),
    Qualifier.OVER: (True, False),
    Qualifier.UNDER: (False, True),
    Qualifier.AT_MOST: (False, True),
    Qualifier.AT_LEAST: (True, False),
}


def value_bounds(figure: TradeFigure) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest the true value can be, as the source's qualifier puts it:
    both the value for an exact figure, only the floor for "over" and "at least", only the
    ceiling for "nearly", "under" and "at most", neither for "approximately"."""
    lower, upper = QUALIFIER_BOUNDS[figure.qualifier]
    return (figure.value if lower else None, figure.value if upper else None)


@dataclass
class Reports:
    """One flow of goods as each side reports it: the mirror of the other."""

    by_actor: list[TradeFigure] = field(default_factory=list)
    by_partner: list[TradeFigure] = field(default_factory=list)

    @property
    def disagree(self) -> bool:
        """Both sides report this flow, and their values (same goods, same currency) differ."""
        mine = {(f.commodity.lower(), f.currency): f.value for f in self.by_actor}
        theirs = {(f.commodity.lower(), f.currency): f.value for f in self.by_partner}
        return any(key in theirs and theirs[key] != value for key, value in mine.items())


@dataclass
class SeriesYear:
    """The trade between the actor and one partner in one year (``year`` None: figures whose
    source gives no year)."""

    partner: Actor
    year: int | None
    # Goods from the actor to the partner: the actor's exports, the partner's imports.
    outbound: Reports = field(default_factory=Reports)
    # Goods from the partner to the actor: the actor's imports, the partner's exports.
    inbound: Reports = field(default_factory=Reports)
    # Trade in both directions, as either side reports it.
    total: Reports = field(default_factory=Reports)


@dataclass
class TradeSeries:
    actor: Actor
    partner: Actor | None
    years: list[SeriesYear]
    figure_count: int


def trade_series(
    *,
    actor: Actor,
    partner: Actor | None = None,
    commodity: str = "",
    year_min: int | None = None,
    year_max: int | None = None,
) -> TradeSeries:
    """The published trade figures between ``actor`` and ``partner`` (or every partner),
    year by year, each flow placed next to its mirror: what the actor reports exporting to
    the partner next to what the partner reports importing from the actor, and the other
    way round. Years ascend, figures without a year come last in each partner's series.

    Each figure carries its ``public_citations``. Two queries.
    """
    if partner is None:
        pair = Q(reporter=actor) | Q(partner=actor)
    else:
        # Each direction on its own, as the (reporter, partner, year) index reads it.
        pair = Q(reporter=actor, partner=partner) | Q(reporter=partner, partner=actor)
    figures = TradeFigure.objects.public().filter(pair)
    if commodity:
        figures = figures.filter(commodity__icontains=commodity)
    if year_min is not None:
        figures = figures.filter(year__gte=year_min)
    if year_max is not None:
        figures = figures.filter(year__lte=year_max)
    figures = (
        figures.select_related("reporter", "partner")
        .prefetch_related(public_citations())
        .order_by(F("year").asc(nulls_last=True), "flow", "commodity", "-value", "currency", "id")
    )
    years: dict[tuple[int, int | None], SeriesYear] = {}
    count = 0
    for figure in figures:
        count += 1
        by_actor = figure.reporter_id == actor.pk
        other = figure.partner if by_actor else figure.reporter
        row = years.get((other.pk, figure.year))
        if row is None:
            row = years[other.pk, figure.year] = SeriesYear(partner=other, year=figure.year)
        if figure.flow == TradeFlow.TOTAL:
            reports = row.total
        elif (figure.flow == TradeFlow.EXPORT) == by_actor:
            reports = row.outbound  # the actor's exports, or the partner's imports
        else:
            reports = row.inbound
        (reports.by_actor if by_actor else reports.by_partner).append(figure)
    ordered = sorted(
        years.values(),
        key=lambda row: (row.partner.name, row.partner.pk, row.year is None, row.year or 0),
    )
    return TradeSeries(actor=actor, partner=partner, years=ordered, figure_count=count)


# Network ---------------------------------------------------------------------------------


class EdgeType:
    AGREEMENT = "agreement"
    TRADE = "trade"
    CO_MENTION = "co-mention"
    ALL = (AGREEMENT, TRADE, CO_MENTION)
    LABELS = {
        AGREEMENT: "Parties to the same agreement",
        TRADE: "Trade figures between them",
        CO_MENTION: "Mentioned in the same article",
    }


@dataclass
class Edge:
    """How the actor and a neighbour are linked, by one kind of record: ``weight`` is the
    number of ``sources`` (agreements, trade figures or articles)."""

    type: str
    sources: list = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.sources)


@dataclass
class Neighbour:
    actor: Actor
    edges: list[Edge]

    @property
    def weight(self) -> int:
        return sum(edge.weight for edge in self.edges)


@dataclass
class ActorNetwork:
    actor: Actor
    neighbours: list[Neighbour]


def actor_network(*, actor: Actor, types: Iterable[str] = EdgeType.ALL) -> ActorNetwork:
    """The actors linked to ``actor`` by published records: the other parties of its
    agreements, its trade partners, the actors mentioned with it in an article. Each
    neighbour carries one edge per type, weighted by its number of sources, the sources
    listed (agreements and figures by date, articles by publication). Neighbours come by
    total weight, heaviest first. One query per type of edge.
    """
    types = set(types)
    found: dict[int, dict[str, Edge]] = defaultdict(dict)
    actors: dict[int, Actor] = {}

    def link(other: Actor, type_: str, source) -> None:
        actors[other.pk] = other
        found[other.pk].setdefault(type_, Edge(type=type_)).sources.append(source)

    if EdgeType.AGREEMENT in types:
        parties = (
            AgreementParty.objects.filter(
                agreement__review_status=PUBLISHED, agreement__parties__actor=actor
            )
            .exclude(actor=actor)
            .select_related("actor", "agreement")
            .order_by(F("agreement__signed_on").asc(nulls_last=True), "agreement__title")
        )
        for party in parties:
            link(party.actor, EdgeType.AGREEMENT, party.agreement)
    if EdgeType.TRADE in types:
        figures = (
            TradeFigure.objects.public()
            .with_actor(actor)
            .select_related("reporter", "partner")
            .order_by(F("year").asc(nulls_last=True), "flow", "id")
        )
        for figure in figures:
            other = figure.partner if figure.reporter_id == actor.pk else figure.reporter
            link(other, EdgeType.TRADE, figure)
    if EdgeType.CO_MENTION in types:
        mentions = (
            Mention.objects.filter(
                article__review_status=PUBLISHED, article__mentions__actor=actor
            )
            .exclude(actor=actor)
            .select_related("actor", "article")
            .order_by(F("article__published_on").asc(nulls_last=True), "article__slug")
        )
        for mention in mentions:
            link(mention.actor, EdgeType.CO_MENTION, mention.article)
    neighbours = [
        Neighbour(
            actor=actors[pk],
            edges=[edges[type_] for type_ in EdgeType.ALL if type_ in edges],
        )
        for pk, edges in found.items()
    ]
    neighbours.sort(key=lambda n: (-n.weight, n.actor.name, n.actor.pk))
    return ActorNetwork(actor=actor, neighbours=neighbours)


@dataclass
class GraphEdge:
    """A link between two actors (``source`` has the lower id) by one type of record."""

    source: int
    target: int
    type: str
    weight: int


@dataclass
class Graph:
    nodes: list[Actor]
    edges: list[GraphEdge]


def network_graph(*, types: Iterable[str] = EdgeType.ALL) -> Graph:
    """The whole network of actors: one edge per pair of actors and type of link, weighted
    by the number of published agreements, trade figures or articles behind it, and the
    actors that have an edge. One query per type of edge, and one for the actors.
    """
    types = set(types)
    edges: list[GraphEdge] = []
    if EdgeType.AGREEMENT in types:
        pairs = (
            AgreementParty.objects.filter(
                agreement__review_status=PUBLISHED, agreement__parties__actor__gt=F("actor")
            )
            .order_by()
            .values("actor", other=F("agreement__parties__actor"))
            .annotate(weight=Count("agreement", distinct=True))
        )
        edges += [
            GraphEdge(p["actor"], p["other"], EdgeType.AGREEMENT, p["weight"]) for p in pairs
        ]
    if EdgeType.TRADE in types:
        pairs = (
            TradeFigure.objects.public()
            .order_by()
            .values(low=Least("reporter", "partner"), high=Greatest("reporter", "partner"))
            .annotate(weight=Count("pk"))
        )
        edges += [GraphEdge(p["low"], p["high"], EdgeType.TRADE, p["weight"]) for p in pairs]
    if EdgeType.CO_MENTION in types:
        pairs = (
            Mention.objects.filter(
                article__review_status=PUBLISHED, article__mentions__actor__gt=F("actor")
            )
            .order_by()
            .values("actor", other=F("article__mentions__actor"))
            .annotate(weight=Count("article", distinct=True))
        )
        edges += [
            GraphEdge(p["actor"], p["other"], EdgeType.CO_MENTION, p["weight"]) for p in pairs
        ]
    edges.sort(key=lambda e: (e.source, e.target, EdgeType.ALL.index(e.type)))
    ids = {e.source for e in edges} | {e.target for e in edges}
    nodes = list(Actor.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []
    return Graph(nodes=nodes, edges=edges)


# Agreements over time -------------------------------------------------------------------


@dataclass
class TimelineYear:
    """How many agreements were signed in ``year``, by how much of the date is known: an
    agreement known to the year only spans the whole year, not 1 January."""

    year: int
    count: int
    by_precision: dict[str, int]


@dataclass
class Timeline:
    # The dated agreements, each spanning its signed_on … signed_on_latest, by start.
    agreements: list[Agreement]
    years: list[TimelineYear]
    undated: int
    truncated: bool


def agreements_timeline(
    *,
    agreements: AgreementQuerySet | None = None,
    actor: Actor | None = None,
    limit: int = MAX_TIMELINE_ITEMS,
) -> Timeline:
    """``agreements`` (the published ones by default: a filtered list is given as it is),
    those to which ``actor`` is a party if given, over time: each dated agreement with its
    parties, ordered by the first day its date can stand for, at most ``limit`` of them;
    counts per year, split by precision, over all of them; and how many have no date.
    Three queries.

    An agreement's period runs from ``signed_on`` to ``signed_on_latest``: a day, the month
    of a month-precision date, the year of a year-precision date.
    """
    if agreements is None:
        agreements = Agreement.objects.public()
    if actor is not None:
        agreements = agreements.filter(
            Exists(AgreementParty.objects.filter(agreement=OuterRef("pk"), actor=actor))
        )
    agreements = agreements.order_by()
    counts = agreements.values(year=ExtractYear("signed_on"), precision=F("signed_precision"))
    years: dict[int, TimelineYear] = {}
    undated = 0
    for row in counts.annotate(count=Count("pk")).order_by("year", "precision"):
        if row["year"] is None:
            undated += row["count"]
            continue
        year = years.setdefault(row["year"], TimelineYear(row["year"], 0, {}))
        year.count += row["count"]
        year.by_precision[row["precision"]] = row["count"]
    items = list(
        agreements.filter(signed_on__isnull=False)
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("actor"))
        )
        .order_by("signed_on", "signed_on_latest", "title", "pk")[: limit + 1]
    )
    return Timeline(
        agreements=items[:limit],
        years=list(years.values()),
        undated=undated,
        truncated=len(items) > limit,
    )
