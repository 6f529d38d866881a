"""Two ways through a list: a cursor for walking it, numbered pages for browsing it.

A cursor (``pagination=cursor``, or any request that carries ``cursor=``) is a keyset
query on the primary key (``WHERE id > last``): the last page costs what the first does
and nothing is counted. It is the default on the large lists (a viewset's
``default_pagination``), up to MAX_CURSOR_PAGE_SIZE records a page.

Numbered pages (``pagination=page``, or a ``page`` number; the default on the small lists,
and on any list asked for an ``ordering``, which only they apply) give ``count`` without
counting the whole table: exactly up to NUMBERED_LIMIT matches, beyond that
NUMBERED_LIMIT with ``count_exact: false`` ("at least"), and exactly when asked
(``count=exact``, in either mode). Their pages reach the first NUMBERED_LIMIT records,
so that no page costs a long OFFSET scan: the cursor walks further. The count is taken
inside the page's own query, so a page is one query.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
MAX_CURSOR_PAGE_SIZE = 1000
NUMBERED_LIMIT = 10_000
PAGE_PARAM = "page"
PAGE_SIZE_PARAM = "page_size"
MODE_PARAM = "pagination"
MODES = ("page", "cursor")
COUNT_PARAM = "count"
COUNT_EXACT = "exact"
# Where each row of a page carries the count, computed once by the page's query.
COUNT_KEY = "_count"


def page_size_from(request, maximum: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise ValidationError({PAGE_SIZE_PARAM: ["Give a whole number of records, from 1."]})
    return min(size, maximum)


def count_exact_asked(request) -> bool:
    value = request.query_params.get(COUNT_PARAM)
    if value is None:
        return False
    if value != COUNT_EXACT:
        raise ValidationError({COUNT_PARAM: [f"The only value is `{COUNT_EXACT}`."]})
    return True


def with_count(queryset, limit: int | None):
    """``queryset`` with each row carrying how many rows it has (at most ``limit + 1``),
    as a subquery the database runs once for the whole query."""
    counted = queryset.order_by().values("pk")
    if limit is not None:
        counted = counted[: limit + 1]
    sql, params = counted.query.get_compiler(queryset.db).as_sql()
    count = RawSQL(f"SELECT COUNT(*) FROM ({sql}) _counted", params, output_field=IntegerField())
    return queryset.annotate(**{COUNT_KEY: count})


def _count_of(row) -> int:
    return row[COUNT_KEY] if isinstance(row, dict) else getattr(row, COUNT_KEY)


class NumberedPages:
    """Pages by number, counted up to NUMBERED_LIMIT (see the module doc)."""

    display_page_controls = False

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = page_size_from(request, MAX_PAGE_SIZE)
        self.number = self.page_number(request)
        offset = (self.number - 1) * self.page_size
        if offset >= NUMBERED_LIMIT:
            raise ValidationError(
                {
                    PAGE_PARAM: [
                        f"Numbered pages reach the first {NUMBERED_LIMIT:,} records: walk "
                        "further with pagination=cursor, or narrow the list with filters."
                    ]
                }
            )
        self.exact = count_exact_asked(request)
        queryset = with_count(queryset, None if self.exact else NUMBERED_LIMIT)
        rows = list(queryset[offset : offset + self.page_size])
        if not rows and self.number > 1:
            raise ValidationError({PAGE_PARAM: ["Invalid page."]})
        self.count = _count_of(rows[0]) if rows else 0
        self.has_next = offset + self.page_size < self.count
        return rows

    def page_number(self, request) -> int:
        raw = request.query_params.get(PAGE_PARAM, "1")
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError({PAGE_PARAM: ["Invalid page."]})
        return number

    def get_paginated_response(self, data):
        exact = self.exact or self.count <= NUMBERED_LIMIT
        return Response(
            {
                "count": self.count if exact else NUMBERED_LIMIT,
                "count_exact": exact,
                "next": self.link(self.number + 1) if self.has_next else None,
                "previous": self.link(self.number - 1) if self.number > 1 else None,
                "results": data,
            }
        )

    def link(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, PAGE_PARAM)
        return replace_query_param(url, PAGE_PARAM, number)

    def to_html(self):
        return ""


class KeysetPages(pagination.CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_CURSOR_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    ordering = "pk"

    def get_page_size(self, request):
        return page_size_from(request, MAX_CURSOR_PAGE_SIZE)

    def get_ordering(self, request, queryset, view):
        # The primary key: unique, unchanging, indexed; a position is a value of it.
        return ("pk",)

    def paginate_queryset(self, queryset, request, view=None):
        self.key = queryset.model._meta.pk
        self.exact = count_exact_asked(request)
        if self.exact:
            queryset = with_count(queryset, None)
        rows = super().paginate_queryset(queryset, request, view)
        if self.exact:
            self.count = _count_of(rows[0]) if rows else 0
        return rows

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                # An identifier, within its column's range.
                self.key.run_validators(self.key.to_python(cursor.position))
        except (NotFound, DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            raise ValidationError(
                {self.cursor_query_param: ["This cursor is not valid: follow a `next` link."]}
            ) from exc
        return cursor

    def get_paginated_response(self, data):
        body = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.exact:
            body = {"count": self.count, **body}
        return Response({**body, "results": data})


class PageOrCursorPagination(pagination.BasePagination):
    """A cursor or numbered pages, by the request and the view's default (see the module
    doc)."""

    def mode(self, request, view) -> str:
        params = request.query_params
        mode = params.get(MODE_PARAM, "")
        if mode and mode not in MODES:
            raise ValidationError({MODE_PARAM: [f"Choose one of: {', '.join(MODES)}."]})
        if "cursor" in params:
            if mode == "page":
                raise ValidationError({"cursor": ["A cursor needs pagination=cursor."]})
            mode = "cursor"
        if mode == "cursor" and PAGE_PARAM in params:
            raise ValidationError(
                {PAGE_PARAM: ["Cursor pagination has no page numbers: follow the `next` link."]}
            )
        if mode:
            return mode
        numbered = (PAGE_PARAM, *getattr(view, "numbered_page_params", ()))
        if any(name in params for name in numbered):
            return "page"
        return getattr(view, "default_pagination", "page")

    def params_check(self, request, view) -> None:
        """Refuse the pagination parameters a page would refuse, for an answer that is not
        paged (a CSV export), so that a mistake is a 400 there too."""
        count_exact_asked(request)
        if self.mode(request, view) == "cursor":
            page_size_from(request, MAX_CURSOR_PAGE_SIZE)
            pages = KeysetPages()
            pages.key = view.queryset.model._meta.pk
            pages.decode_cursor(request)
        else:
            page_size_from(request, MAX_PAGE_SIZE)
            NumberedPages().page_number(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.paginator = KeysetPages() if self.mode(request, view) == "cursor" else NumberedPages()
        return self.paginator.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.paginator.get_paginated_response(data)

    def get_results(self, data):
        return data["results"]

    def to_html(self):
        return self.paginator.to_html()

    @property
    def display_page_controls(self):
        return getattr(getattr(self, "paginator", None), "display_page_controls", False)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "How many records match, in numbered-page mode: exact up "
                    f"to {NUMBERED_LIMIT:,}; beyond that {NUMBERED_LIMIT:,} with "
                    "`count_exact` false, meaning at least that many. Exact whenever "
                    "`count=exact` is asked (in either mode); absent in cursor mode "
                    "otherwise.",
                    "example": 123,
                },
                "count_exact": {
                    "type": "boolean",
                    "description": "Numbered-page mode: whether `count` is the exact number "
                    "of matches (true) or a lower bound (false).",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        default = getattr(view, "default_pagination", "page")
        numbered = " or ".join(
            f"`{name}`" for name in (PAGE_PARAM, *getattr(view, "numbered_page_params", ()))
        )
        return [
            {
                "name": MODE_PARAM,
                "required": False,
                "in": "query",
                "description": f"`{default}` by default (numbered pages whenever {numbered} "
                "is given). `cursor`: keyset pages in a fixed order (by identifier), "
                "without `count`, for walking a whole result set: each page costs the same "
                "however deep it is. `page`: numbered pages with a `count`, for browsing, "
                f"over the first {NUMBERED_LIMIT:,} records. `ordering` is not applied in "
                "cursor mode.",
                "schema": {"type": "string", "enum": list(MODES), "default": default},
            },
            {
                "name": PAGE_PARAM,
                "required": False,
                "in": "query",
                "description": "Page number, from 1 (numbered-page mode), while the page "
                f"starts within the first {NUMBERED_LIMIT:,} records. Not with `cursor` or "
                "`pagination=cursor`: the two exclude each other (a 400).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Opaque position given in a `next` or `previous` link of cursor "
                "mode; giving it selects cursor mode. Not with `page` or `pagination=page`: "
                "the two exclude each other (a 400). A cursor the API did not give is a 400.",
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE_PARAM,
                "required": False,
                "in": "query",
                "description": f"Records per page: {DEFAULT_PAGE_SIZE} by default, at most "
                f"{MAX_PAGE_SIZE} in numbered pages and {MAX_CURSOR_PAGE_SIZE:,} in cursor "
                "mode (a larger number gives the most).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": COUNT_PARAM,
                "required": False,
                "in": "query",
                "description": f"`{COUNT_EXACT}`: count every match (in either mode), "
                f"however many. Without it, numbered pages count up to {NUMBERED_LIMIT:,} "
                "and the cursor does not count.",
                "schema": {"type": "string", "enum": [COUNT_EXACT]},
            },
        ]
