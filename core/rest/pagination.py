"""Two ways through a list: numbered pages, or a cursor for walking a whole result set.

Numbered pages (the default) are for browsing: they give ``count`` and let a client jump
to page N, which costs an exact COUNT(*) and an OFFSET scan that grows with N. A cursor
(``?pagination=cursor``, or any request that carries ``cursor=``) is for walking all of a
result, for a sync or a large download: each page is a keyset query (``WHERE id > last``)
on the primary key, so the last page costs what the first does, and nothing is counted.
"""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
PAGE_SIZE_PARAM = "page_size"
MODE_PARAM = "pagination"
MODES = ("page", "cursor")


def page_size_from(request) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise ValidationError({PAGE_SIZE_PARAM: ["Give a whole number of records, from 1."]})
    return min(size, MAX_PAGE_SIZE)


class NumberedPages(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM

    def get_page_size(self, request):
        return page_size_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]}) from exc


class KeysetPages(pagination.CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    ordering = "pk"

    def get_page_size(self, request):
        return page_size_from(request)

    def get_ordering(self, request, queryset, view):
        # A unique, unchanging column: the position in a cursor is a value of it.
        return (getattr(view, "cursor_ordering", "pk"),)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError(
                {self.cursor_query_param: ["This cursor is not valid: follow a `next` link."]}
            ) from exc


class PageOrCursorPagination(pagination.BasePagination):
    """Numbered pages by default; a keyset cursor when asked for (see the module doc)."""

    def paginate_queryset(self, queryset, request, view=None):
        params = request.query_params
        mode = params.get(MODE_PARAM, "")
        if mode and mode not in MODES:
            raise ValidationError({MODE_PARAM: [f"Choose one of: {', '.join(MODES)}."]})
        if "cursor" in params:
            if mode == "page":
                raise ValidationError({"cursor": ["A cursor needs pagination=cursor."]})
            mode = "cursor"
        if mode == "cursor" and "page" in params:
            raise ValidationError(
                {"page": ["Cursor pagination has no page numbers: follow the `next` link."]}
            )
        self.mode = mode or "page"
        self.paginator = KeysetPages() if self.mode == "cursor" else NumberedPages()
        return self.paginator.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = self.paginator.get_paginated_response(data)
        if self.mode == "cursor":
            return Response(
                {
                    "next": response.data["next"],
                    "previous": response.data["previous"],
                    "results": data,
                }
            )
        return response

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
                    "description": "How many records match, in numbered-page mode only "
                    "(an exact count); absent in cursor mode.",
                    "example": 123,
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
        return [
            {
                "name": MODE_PARAM,
                "required": False,
                "in": "query",
                "description": "`page` (default): numbered pages with an exact `count`, for "
                "browsing. `cursor`: keyset pages in a fixed order (by identifier), without "
                "`count`, for walking a whole result set: each page costs the same however "
                "deep it is. `ordering` is not applied in cursor mode.",
                "schema": {"type": "string", "enum": list(MODES)},
            },
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1 (numbered-page mode).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Opaque position given in a `next` or `previous` link of cursor "
                "mode; giving it selects cursor mode.",
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE_PARAM,
                "required": False,
                "in": "query",
                "description": f"Records per page: {DEFAULT_PAGE_SIZE} by default, at most "
                f"{MAX_PAGE_SIZE} (a larger number gives {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
