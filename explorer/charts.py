"""The data of the actor page's charts and of the tables beside them.

Built from records already read (no query here): the actor's published trade figures and
agreements. Each chart's data is also its table, so what the chart draws and what a
screen reader reads are the same numbers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

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
    """Another actor and what links it to the page's actor, each link with its sources."""

    actor: object
    agreements: list = field(default_factory=list)
    trade_figures: list = field(default_factory=list)
    shared_articles: int = 0

    @property
    def weight(self) -> int:
        return len(self.agreements) + len(self.trade_figures) + self.shared_articles


def neighbourhood(actor, agreements, figures, co_mentioned) -> list[Neighbour]:
    """The actors linked to ``actor``: fellow parties to its agreements, the other side of
    its trade figures, and those the same published articles discuss; the most linked
    first."""
    neighbours: dict[int, Neighbour] = {}

    def neighbour(other) -> Neighbour:
        if other.pk not in neighbours:
            neighbours[other.pk] = Neighbour(other)
        return neighbours[other.pk]

    for agreement in agreements:
        for party in agreement.parties.all():
            if party.actor_id != actor.pk:
                neighbour(party.actor).agreements.append(agreement)
    for figure in figures:
        other = figure.partner if figure.reporter_id == actor.pk else figure.reporter
        neighbour(other).trade_figures.append(figure)
    for other in co_mentioned:
        neighbour(other).shared_articles = other.shared_articles
    return sorted(neighbours.values(), key=lambda one: (-one.weight, one.actor.name))
