"""The base every resource of the public API is built on."""

from django.db import transaction
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from core.editorial import ReviewedModel, ReviewStatus
from core.rest import csv_sql
from core.rest.csv import (
    CHUNK_SIZE,
    CSVRenderer,
    csv_header,
    csv_response,
    csv_stream,
    record_columns,
)
from core.rest.facets import GROUP_BY, facets_response, group_by_of
from core.rest.fast import FastJSONRenderer, reader_for_user
from core.rest.limits import BoundedJSONParser
from core.rest.pagination import COUNT_PARAM, PageOrCursorPagination
from core.rest.permissions import can_see_unpublished
from core.rest.versions import VersionedMixin
from core.services import Writer, record_delete, record_review, writer_for

WRITE_METHODS = ("POST", "PUT", "PATCH")
LIST_PARAMS = {"page", "page_size", "cursor", "pagination", COUNT_PARAM, "format"}
DETAIL_PARAMS = {"format"}
SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _has_unencodable_text(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data or (not data.isascii() and _lone_surrogate(data))
    if isinstance(data, dict):
        return any(_has_unencodable_text(k) or _has_unencodable_text(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_unencodable_text(item) for item in data)
    return False


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class StrictJSONParser(BoundedJSONParser):
    """JSON whose text every database column can hold: no NUL character, no lone UTF-16
    surrogate (both valid JSON escapes, neither storable text); within the body's bounds
    (core.rest.limits)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_unencodable_text(data):
            raise ParseError("The body holds a NUL character or an unpaired surrogate.")
        return data


class RecordsViewSet(viewsets.ModelViewSet):
    """A resource of the dataset: read by anyone, written by editors through the services.

    A subclass names its ``queryset`` (with what its serializer touches prefetched), its
    ``serializer_class`` (what is read) and ``write_serializer_class`` (what is written),
    its ``filterset_class`` (which declares the ``ordering`` it offers) and the CSV
    columns of its lists of related records (``csv_lists``). Writes go through the
    model's writer (``core.services.Writer``).

    Records are read by the serializer's ``RecordReader`` (core.rest.fast) from the
    ``queryset`` (its Prefetch objects say which related records a list holds, in what
    order): one query a list or a record, the serializer's JSON without building it
    field by field.
    A large list sets ``default_pagination = "cursor"``; the parameters in
    ``numbered_page_params`` (an ordering) ask for numbered pages instead.
    """

    parser_classes = [StrictJSONParser]
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    pagination_class = PageOrCursorPagination
    default_pagination = "page"
    numbered_page_params: tuple[str, ...] = ("ordering",)
    filter_backends = [DjangoFilterBackend]
    write_serializer_class = None
    # The CSV columns are the JSON record's, flattened (core.rest.csv.record_columns):
    # a list of records is named here, column by column.
    csv_lists: dict = {}
    csv_filename = "records"
    # The keys a list can be grouped by, and the amounts it totals (core.rest.facets).
    facets: dict = {}
    facet_totals = None

    # Requests ----------------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        self.query_params_check(request)
        super().initial(request, *args, **kwargs)

    def query_params_check(self, request) -> None:
        """Refuse NUL bytes (which no database column holds) and parameters this endpoint
        does not know, which would otherwise be ignored without a word."""
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise ValidationError(
                    {key.replace("\x00", ""): ["Null characters are not allowed."]}
                )
        if self.action == "list":
            known = LIST_PARAMS | set(self.filterset_class.base_filters) | {GROUP_BY}
        elif self.action == "retrieve":
            known = DETAIL_PARAMS
        else:
            return
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {
                    name: [f"Unknown parameter. This endpoint takes: {', '.join(sorted(known))}."]
                    for name in unknown
                }
            )

    @property
    def is_reviewed(self) -> bool:
        return issubclass(self.queryset.model, ReviewedModel)

    def get_queryset(self):
        return self.visible(super().get_queryset())

    def visible(self, queryset):
        """What of ``queryset`` this request may read: a record alone is found only when
        published, unless the account may see it unpublished (a list settles it in its
        filters: ``review_status``)."""
        if (
            self.action != "list"
            and self.is_reviewed
            and not can_see_unpublished(self.request.user, queryset.model)
        ):
            queryset = queryset.filter(review_status=ReviewStatus.PUBLISHED)
        return queryset

    def filter_queryset(self, queryset):
        # Filters and ordering are for lists; a record is found by its identifier alone
        # (its visibility is settled in get_queryset).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.request is not None and self.request.method in WRITE_METHODS:
            return self.write_serializer_class
        return self.serializer_class

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return isinstance(renderer, CSVRenderer)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only reads of records are CSV; errors and writes answer in JSON whatever the
        # client accepts, so that a message is never lost in a file download.
        if isinstance(response, Response) and self.wants_csv():
            request.accepted_renderer = FastJSONRenderer()
            request.accepted_media_type = FastJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    # Reads -------------------------------------------------------------------------

    @property
    def reader(self):
        """The serializer's reader for this request's account: a record's lists of
        related records leave out those the account may not open (an unpublished
        article's citations, for the public)."""
        return reader_for_user(self.serializer_class, self.queryset, self.request.user)

    def rows(self):
        """The records this request may read, as the rows of the serializer's reader."""
        return self.visible(self.reader.rows())

    def list(self, request, *args, **kwargs):
        facet = group_by_of(self)
        if facet is not None:
            return facets_response(self, facet)
        if self.wants_csv():
            self.paginator.params_check(request, self)
            query = self.csv_query()
            if query is not None:
                return self.copy_response(query)
            return self.csv_response(self.filter_queryset(self.rows()))
        rows = self.filter_queryset(self.rows())
        return self.get_paginated_response(self.records(self.paginate_queryset(rows)))

    def retrieve(self, request, *args, **kwargs):
        lookup = self.lookup_url_kwarg or self.lookup_field
        rows = self.rows().filter(**{self.lookup_field: self.kwargs[lookup]})
        if self.wants_csv():
            return self.csv_response(rows, found=True)
        found = list(rows[:1])
        if not found:
            raise self.not_found()
        return Response(self.records(found)[0])

    def not_found(self) -> Http404:
        # As DRF's get_object() says it.
        return Http404(f"No {self.queryset.model._meta.object_name} matches the given query.")

    def records(self, rows):
        return list(self.reader.records(rows, self.request, self.format_kwarg))

    def csv_response(self, rows, found: bool = False):
        serializer = self.serializer_class(context=self.get_serializer_context())
        columns = record_columns(serializer, self.csv_lists)
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
        if found:
            rows = list(rows)
            if not rows:
                raise self.not_found()
        # Each record's address as such, without the request's ?format=csv.
        records = self.reader.records(rows, self.request, bare=True)
        return csv_response(records, columns, self.csv_filename)

    def csv_query(self):
        """The list's CSV as one SQL query (core.rest.csv_sql), or None where the
        database does not write it (SQLite; a column computed in Python)."""
        if not csv_sql.supported(self.queryset.db):
            return None
        return csv_sql.csv_query_for(
            self.reader, self.serializer_class, csv_sql.lists_key(self.csv_lists)
        )

    def copy_response(self, query):
        rows = self.filter_queryset(self.visible(query.rows()))
        sql, params = query.copy_sql(rows, self.reader.url_formats(self.request, bare=True))
        chunks = csv_sql.crlf(csv_sql.copy_chunks(rows.db, sql, params))
        return csv_stream(
            csv_sql.prefixed(csv_header(query.header).encode(), chunks), self.csv_filename
        )

    @property
    def model_error_fields(self) -> dict[str, str]:
        """Model field → API field, for the messages of the model rules (see
        core.rest.errors)."""
        return self.write_serializer_class().model_field_names()

    # Writes ------------------------------------------------------------------------

    @property
    def writer(self) -> Writer:
        return writer_for(self.queryset.model)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            data, related = self.writer.split(serializer.validated_data)
            review_status = data.pop("review_status", None)
            record = self.writer.create(data=data, related=related)
            self.review_status_apply(record, review_status)
        return self.record_response(record, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        record = self.get_object()
        serializer = self.get_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            record = self.version_check(record)
            data, related = self.writer.split(serializer.validated_data)
            review_status = data.pop("review_status", None)
            record = self.writer.update(instance=record, data=data, related=related)
            self.review_status_apply(record, review_status)
        return self.record_response(record, status.HTTP_200_OK)

    def version_check(self, record):
        """Called in the transaction of a change, before it is written: what the change is
        written on (the versions, ``core.rest.versions``, compare and lock it here)."""
        return record

    def review_status_apply(self, record, review_status: str | None) -> None:
        """A ``review_status`` in the request moves through the review, after the write and
        in the same transaction: publishing names the requesting editor as the verifier,
        and a refusal (400 on ``review_status``) undoes the whole request."""
        if review_status is None or review_status == record.review_status:
            return
        record_review(record=record, status=review_status, user=self.request.user)

    def record_response(self, record, status_code: int) -> Response:
        record = self.queryset.get(pk=record.pk)
        data = self.serializer_class(record, context=self.get_serializer_context()).data
        # The serializer's url is a DRF Hyperlink, a str subclass that WSGI servers refuse
        # as a header value (wsgiref answers 500 after the record is written).
        headers = {"Location": str(data["url"])} if status_code == status.HTTP_201_CREATED else {}
        return Response(data, status=status_code, headers=headers)

    def perform_destroy(self, instance):
        # PROTECT on the records that rest on this one raises ProtectedError: a 409.
        # Deleted as in the admin, so that the deleted-records page can restore it whole.
        with transaction.atomic():
            instance = self.version_check(instance)
            record_delete(instance=instance, user=self.request.user)


class DatasetViewSet(VersionedMixin, RecordsViewSet):
    __doc__ = f"""{RecordsViewSet.__doc__}
    Every record and list carries its version (``ETag``), and a change is made only from
    the current version (``If-Match``): see ``core.rest.versions``.
    """
