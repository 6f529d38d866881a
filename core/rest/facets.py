"""Facets: a list's records counted by a key (``?group_by=reporter``), its filters applied.

A viewset declares the keys it offers (``facets``: public name → ``Facet``) and, where its
records carry amounts, what to total per currency (``facet_totals``). A request with
``group_by`` gets, instead of a page of records, one group per value of the key: its
value, its label, its API link (for a related record), the link to the list of its
records (the request's filters and the group's own), how many records it holds and, with
totals, the sum, least and greatest amount per currency. One query, after those that the
filters need to read their own values.

``facet_counts`` is the query, for any caller with a queryset (the explorer's pages).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Min, QuerySet, Sum
from django.db.models.enums import TextChoices
from django.db.models.functions import ExtractYear
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import remove_query_param

GROUP_BY = "group_by"
# The most groups an answer holds: past them, ``truncated`` says the least frequent are
# left out.
MAX_GROUPS = 1000
# List parameters that a group's link to its records leaves out (it starts a new list).
UNLISTED_PARAMS = (GROUP_BY, "page", "cursor", "format")
NO_VALUE = "Unknown"


@dataclass(frozen=True)
class Facet:
    """One key a list can be grouped by.

    ``path`` is the column, or the related record (``reporter``, ``authorships__author``),
    or a date whose year is the key (``year=True``). A related record is keyed by its
    ``lookup`` column (``slug``), labelled by its ``label`` column and linked to its
    ``view`` (``actors-detail``). ``choices`` label a coded column. ``many`` says that the
    path crosses a relation that holds several records per row (a record then counts once
    in each of its groups). ``records`` names the list parameter that selects a group's
    records (its value is the key), or gives the parameters from the key; ``repeatable``
    says the parameter adds to the same one already in the request (``party=a&party=b``)
    rather than conflicting with it; None when no filter selects exactly the group.
    """

    path: str
    description: str
    lookup: str = ""
    label: str = ""
    view: str = ""
    choices: type[TextChoices] | None = None
    year: bool = False
    many: bool = False
    records: str | Callable[[Any], dict[str, str]] | None = None
    repeatable: bool = False

    @property
    def key_column(self) -> str:
        return f"{self.path}__{self.lookup}" if self.lookup else self.path

    def label_of(self, key, label) -> str:
        if key is None or key == "":
            return NO_VALUE if key is None else "(none given)"
        if self.choices is not None:
            return str(dict(self.choices.choices).get(key, key))
        return str(label if self.label else key)

    def records_params(self, key) -> dict[str, str] | None:
        if self.records is None or key is None:
            return None
        if callable(self.records):
            return self.records(key)
        return {self.records: str(key)}


@dataclass(frozen=True)
class FacetTotals:
    """The amounts a group totals: ``value`` summed, with its least and greatest, per
    ``currency``."""

    value: str
    currency: str


def year_range(after: str, before: str) -> Callable[[int], dict[str, str]]:
    """The parameters of a list that selects the records of one year by two date bounds."""
    return lambda year: {after: f"{year:04d}-01-01", before: f"{year:04d}-12-31"}


@dataclass
class Amounts:
    currency: str
    sum: Decimal
    min: Decimal
    max: Decimal


@dataclass
class Group:
    key: Any
    label: str
    count: int
    totals: list[Amounts] = field(default_factory=list)


@dataclass
class Facets:
    groups: list[Group]
    truncated: bool


def facet_counts(
    *,
    queryset: QuerySet,
    facet: Facet,
    totals: FacetTotals | None = None,
    limit: int = MAX_GROUPS,
) -> Facets:
    """The records of ``queryset`` counted by ``facet``'s key, the largest groups first
    (ties by key), at most ``limit`` of them; with ``totals``, the amounts per currency of
    each group. One query."""
    queryset = queryset.order_by().prefetch_related(None)
    if facet.many:
        # A fresh join from the filtered records: the filters' own joins (author=…) do
        # not narrow the groups to the value they filtered on.
        queryset = queryset.model._default_manager.filter(pk__in=queryset.values("pk"))
    key = ExtractYear(facet.path) if facet.year else F(facet.key_column)
    columns = {"_key": key}
    if facet.label:
        columns["_label"] = F(f"{facet.path}__{facet.label}")
    if totals is not None:
        columns["_currency"] = F(totals.currency)
    # Rows, not ids: an index that holds the key and the amounts answers alone.
    aggregates = {"_count": Count("*")}
    if totals is not None:
        aggregates |= {
            "_sum": Sum(totals.value),
            "_min": Min(totals.value),
            "_max": Max(totals.value),
        }
    # With totals a group is a row per currency: the rows are folded into groups here,
    # then the groups sorted by their whole count.
    rows = (
        queryset.values(**columns)
        .annotate(**aggregates)
        .order_by("-_count", F("_key").asc(nulls_last=True))
    )
    if totals is None:
        rows = list(rows[: limit + 1])
        truncated = len(rows) > limit
        groups = [
            Group(
                key=row["_key"],
                label=facet.label_of(row["_key"], row.get("_label")),
                count=row["_count"],
            )
            for row in rows[:limit]
        ]
        return Facets(groups=groups, truncated=truncated)
    found: dict[Any, Group] = {}
    for row in rows:
        group = found.get(row["_key"])
        if group is None:
            group = found[row["_key"]] = Group(
                key=row["_key"], label=facet.label_of(row["_key"], row.get("_label")), count=0
            )
        group.count += row["_count"]
        group.totals.append(Amounts(row["_currency"], row["_sum"], row["_min"], row["_max"]))
    groups = sorted(
        found.values(), key=lambda g: (-g.count, g.key is None, "" if g.key is None else g.key)
    )
    for group in groups:
        group.totals.sort(key=lambda amounts: amounts.currency)
    return Facets(groups=groups[:limit], truncated=len(groups) > limit)


# The API ----------------------------------------------------------------------------------


def group_by_of(view) -> Facet | None:
    """The facet a list request asks for, or None; an unknown one is a 400 naming those
    the list offers."""
    name = view.request.query_params.get(GROUP_BY)
    if name is None:
        return None
    facets = view.facets
    if view.wants_csv():
        raise ValidationError({GROUP_BY: ["Groups answer in JSON only: leave out format=csv."]})
    if name not in facets:
        offered = ", ".join(facets) or "none"
        raise ValidationError({GROUP_BY: [f"Cannot group by “{name}”. Choose from: {offered}."]})
    return facets[name]


def records_link(request, base_params: dict[str, list[str]], facet: Facet, key) -> str | None:
    params = facet.records_params(key)
    if params is None:
        return None
    query = {name: list(values) for name, values in base_params.items()}
    for name, value in params.items():
        present = query.get(name, [])
        if value in present:
            continue
        if present and not facet.repeatable:
            return None  # the request already asks for another value: no list holds both
        query[name] = [*present, value]
    url = request.build_absolute_uri(request.path)
    parts = [(name, value) for name, values in query.items() for value in values]
    return f"{url}?{urlencode(parts)}" if parts else url


def decimal_text(value) -> str:
    """An amount as the records write it, with its two decimal places (SQLite's sums
    drop them)."""
    return f"{Decimal(value):.2f}"


def facets_response(view, facet: Facet) -> Response:
    """The answer of a list viewset to ``group_by``: its filtered records counted by
    ``facet``."""
    request = view.request
    queryset = view.filter_queryset(view.get_queryset())
    result = facet_counts(queryset=queryset, facet=facet, totals=view.facet_totals)
    base_params = {
        name: values
        for name, values in request.query_params.lists()
        if name not in UNLISTED_PARAMS and name != "ordering"
    }
    groups = []
    for group in result.groups:
        item = {"key": group.key, "label": group.label}
        if facet.view:
            item["url"] = (
                reverse(facet.view, args=[group.key], request=request)
                if group.key is not None
                else None
            )
        item["records"] = records_link(request, base_params, facet, group.key)
        item["count"] = group.count
        if view.facet_totals is not None:
            item["totals"] = [
                {
                    "currency": a.currency,
                    "sum": decimal_text(a.sum),
                    "min": decimal_text(a.min),
                    "max": decimal_text(a.max),
                }
                for a in group.totals
            ]
        groups.append(item)
    own = remove_query_param(request.build_absolute_uri(), "format")
    return Response(
        {
            "group_by": request.query_params[GROUP_BY],
            "url": own,
            "groups": groups,
            "truncated": result.truncated,
        }
    )


# The schema -------------------------------------------------------------------------------


def facet_parameter(view) -> OpenApiParameter:
    """The OpenAPI description of a list's ``group_by``."""
    lines = [f"- `{name}`: {facet.description}" for name, facet in view.facets.items()]
    totals = (
        " Each group also totals its records' amounts per currency (sum, least, greatest)."
        if view.facet_totals is not None
        else ""
    )
    return OpenApiParameter(
        GROUP_BY,
        OpenApiTypes.STR,
        enum=list(view.facets),
        description="Count the listed records (every filter applied) by this key instead "
        "of listing them: the answer is a `Facets` object, one group per value, the largest "
        "first, each with its label, its API link (a related record), the link to its "
        f"records and its count.{totals} Keys:\n\n" + "\n".join(lines),
    )


def postprocess_facets(result, generator, request, public):
    """A list that takes ``group_by`` answers either a page of records or its ``Facets``."""
    result.setdefault("components", {}).setdefault("schemas", {})["Facets"] = FACETS_SCHEMA
    for operations in result.get("paths", {}).values():
        operation = operations.get("get", {})
        if not any(p.get("name") == GROUP_BY for p in operation.get("parameters", [])):
            continue
        content = operation["responses"]["200"]["content"]["application/json"]
        content["schema"] = {"anyOf": [content["schema"], {"$ref": "#/components/schemas/Facets"}]}
    return result


FACETS_SCHEMA = {
    "type": "object",
    "description": "A list's records counted by a key (`group_by`), the list's filters "
    "applied: the largest groups first.",
    "properties": {
        "group_by": {"type": "string", "example": "reporter"},
        "url": {"type": "string", "format": "uri"},
        "groups": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {
                        "description": "The value: a slug, a code, a year; null for records "
                        "without one.",
                        "nullable": True,
                        "oneOf": [{"type": "string"}, {"type": "integer"}],
                        "example": "mongolia",
                    },
                    "label": {"type": "string", "example": "Mongolia"},
                    "url": {
                        "type": "string",
                        "format": "uri",
                        "nullable": True,
                        "description": "The related record (keys that are records only).",
                    },
                    "records": {
                        "type": "string",
                        "format": "uri",
                        "nullable": True,
                        "description": "The list of this group's records, with the request's "
                        "filters; null where no filter selects exactly the group.",
                    },
                    "count": {"type": "integer", "example": 4},
                    "totals": {
                        "type": "array",
                        "description": "Trade figures only: the values per currency.",
                        "items": {
                            "type": "object",
                            "properties": {
                                "currency": {"type": "string", "example": "USD"},
                                "sum": {"type": "string", "format": "decimal"},
                                "min": {"type": "string", "format": "decimal"},
                                "max": {"type": "string", "format": "decimal"},
                            },
                        },
                    },
                },
                "required": ["key", "label", "records", "count"],
            },
        },
        "truncated": {
            "type": "boolean",
            "description": f"More than {MAX_GROUPS} groups: the smallest are left out.",
        },
    },
    "required": ["group_by", "url", "groups", "truncated"],
    "example": {
        "group_by": "party",
        "url": "http://localhost:8000/api/v1/agreements/?group_by=party&party=azerbaijan",
        "groups": [
            {
                "key": "azerbaijan",
                "label": "Azerbaijan",
                "url": "http://localhost:8000/api/v1/actors/azerbaijan/",
                "records": "http://localhost:8000/api/v1/agreements/?party=azerbaijan",
                "count": 2,
            },
            {
                "key": "china",
                "label": "China",
                "url": "http://localhost:8000/api/v1/actors/china/",
                "records": "http://localhost:8000/api/v1/agreements/?party=azerbaijan&party=china",
                "count": 2,
            },
        ],
        "truncated": False,
    },
}
