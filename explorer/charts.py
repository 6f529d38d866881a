"""The data of the actor page's charts and of the tables beside them.

Built from records already read (no query here): the actor's published trade figures and
agreements. Each chart's data is also its table, so what the chart draws and what a
screen reader reads are the same numbers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from actors.analysis import EdgeType
from actors.models import DatePrecision, Qualifier, TradeFlow

# How the chart draws a value, by what the source says of it: a value the true one lies
# under ("nearly", "under", "at most") points down, one it lies over points up; an
# approximate value is a hollow circle, an exact one a filled circle.
MARKERS = {
    Qualifier.EXACT: "exact",
    Qualifier.APPROXIMATELY: "approximate",
    Qualifier.NEARLY: "ceiling",
    Qualifier.UNDER: "ceiling",
    Qualifier.AT_MOST: "ceiling",
    Qualifier.OVER: "floor",
    Qualifier.AT_LEAST: "floor",
}


@dataclass
class TradeSeries:
    """The figures of one flow between two actors (of one kind of goods, in one currency)
    year by year."""

    label: str
    currency: str
    figures: list = field(default_factory=list)

    def points(self) -> list[dict]:
        return [
            {
                "year": figure.year,
                "value": float(figure.value),
                "qualifier": figure.qualifier,
                "qualifierLabel": figure.get_qualifier_display().split(" (")[0],
                "marker": MARKERS[figure.qualifier],
            }
            for figure in self.figures
            if figure.year is not None
        ]


def series_label(figure) -> str:
    reporter, partner = figure.reporter.name, figure.partner.name
    if figure.flow == TradeFlow.EXPORT:
        label = f"{reporter} exports to {partner}"
    elif figure.flow == TradeFlow.IMPORT:
        label = f"{reporter} imports from {partner}"
    else:
        label = f"{reporter}–{partner} total trade"
    return f"{label}: {figure.commodity}" if figure.commodity else label


def trade_series(figures) -> list[TradeSeries]:
    """The figures as series, one per reporter, partner, flow, goods and currency, each
    in year order (figures without a year last)."""
    series: dict[tuple, TradeSeries] = {}
    for figure in figures:
        key = (figure.reporter_id, figure.partner_id, figure.flow)
        key += (figure.commodity, figure.currency)
        if key not in series:
            series[key] = TradeSeries(series_label(figure), figure.currency)
        series[key].figures.append(figure)
    for one in series.values():
        one.figures.sort(key=lambda figure: (figure.year is None, figure.year or 0))
    return sorted(series.values(), key=lambda one: one.label)


def trade_chart(series: list[TradeSeries]) -> list[dict]:
    """One chart per currency: its series with their points by year. A series with no
    dated figure draws nothing (its figures are in the table, as of no known year)."""
    by_currency: dict[str, list[dict]] = defaultdict(list)
    for one in series:
        points = one.points()
        if points:
            by_currency[one.currency].append({"label": one.label, "points": points})
    return [{"currency": currency, "series": charted} for currency, charted in by_currency.items()]


def _year_fraction(day: date) -> float:
    start = date(day.year, 1, 1)
    return day.year + (day - start).days / (date(day.year + 1, 1, 1) - start).days


def agreements_timeline(agreements) -> list[dict]:
    """The dated agreements as spans of time: a date known to the year covers that year,
    to the month that month, to the day that day."""
    spans = []
    for agreement in agreements:
        if agreement.signed_on is None:
            continue
        last = agreement.signed_on_latest or agreement.signed_on
        spans.append(
            {
                "title": agreement.title,
                "signed": agreement.signed_display,
                "precision": agreement.signed_precision,
                "start": round(_year_fraction(agreement.signed_on), 4),
                # Up to the end of its last day.
                "end": round(_year_fraction(last) + 1 / 365, 4),
                "url": reverse("explorer:agreement", args=[agreement.pk]),
            }
        )
    return sorted(spans, key=lambda span: span["start"])


PRECISION_WORDS = {
    DatePrecision.DAY: "known to the day",
    DatePrecision.MONTH: "known to the month",
    DatePrecision.YEAR: "known to the year",
}


@dataclass
class Neighbour:
    """Another actor and what links it to the page's actor, by type of link, each with
    its sources."""

    actor: object
    weight: int
    agreements: list = field(default_factory=list)
    trade_figures: list = field(default_factory=list)
    articles: list = field(default_factory=list)


def neighbourhood(network) -> list[Neighbour]:
    """The neighbours of an actor's network (``actors.analysis.actor_network``), heaviest
    first, their edges by type."""
    by_type = {
        EdgeType.AGREEMENT: "agreements",
        EdgeType.TRADE: "trade_figures",
        EdgeType.CO_MENTION: "articles",
    }
    rows = []
    for neighbour in network.neighbours:
        row = Neighbour(neighbour.actor, neighbour.weight)
        for edge in neighbour.edges:
            setattr(row, by_type[edge.type], edge.sources)
        rows.append(row)
    return rows
