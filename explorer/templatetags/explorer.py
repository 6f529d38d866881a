"""How the explorer writes values: amounts, dates known in part, list addresses."""

from decimal import Decimal

from django import template

from actors.models import DatePrecision

register = template.Library()

QUALIFIER_WORDS = {
    "exact": "",
    "approximately": "approximately",
    "nearly": "nearly",
    "over": "over",
    "under": "under",
    "at-most": "at most",
    "at-least": "at least",
}


@register.filter
def amount(value: Decimal) -> str:
    """3740000000.00 as "3,740,000,000" (cents only when there are some)."""
    if value is None:
        return ""
    return f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"


@register.filter
def qualified(figure) -> str:
    """A figure's value as the source states it: "nearly 3,740,000,000 USD"."""
    words = QUALIFIER_WORDS.get(figure.qualifier, figure.qualifier)
    return " ".join(part for part in (words, amount(figure.value), figure.currency) if part)


@register.simple_tag
def partial_date(value, precision) -> str:
    """A date as far as it is known: "17 January 2025", "April 2025" or "2021"."""
    if value is None:
        return "date unknown"
    if precision == DatePrecision.DAY:
        return f"{value.day} {value:%B %Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%B %Y}"
    return f"{value.year}"


@register.simple_tag
def page_url(query: str, number: int) -> str:
    """The list's address for page ``number``, keeping its filters."""
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def mirror_cells(row) -> list[list]:
    """A trade series' year as six cells: each direction, then the total, as the actor
    and as the partner report it."""
    return [
        figures
        for reports in (row.outbound, row.inbound, row.total)
        for figures in (reports.by_actor, reports.by_partner)
    ]
