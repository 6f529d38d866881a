"""CSV export: one flat row per record, streamed.

A list asked for as CSV (``?format=csv`` or ``Accept: text/csv``) takes the same filters
as the JSON list, is not paginated, and is written row by row as the database cursor
yields records in chunks, so a large export never sits in memory.

The columns are the JSON record's, flattened: a value is a column; a record inside it
(``reporter``) gives a column per field (``reporter_slug``, ``reporter_name``…); a list of
values (``aliases``) is one cell, its items joined by `` | ``; a list of records (a fact's
citations) gives the columns its view names, each one cell listing that field of every
record (``citation_quotes``).
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

CSV_MEDIA_TYPE = "text/csv"
CHUNK_SIZE = 2000
LIST_SEPARATOR = " | "
LINES_PER_CHUNK = 200

Column = tuple[str, Callable[[Any], Any]]
# Column name → the field of each listed record it lists: a dotted path
# ("article.slug") or a function of the record's JSON.
ListColumns = Mapping[str, str | Callable[[dict], Any]]


def _path_value(item: dict, path: str) -> Any:
    for key in path.split("."):
        item = item.get(key) if isinstance(item, dict) else None
    return item


def _list_column(name: str, leaf) -> Callable[[dict], list]:
    def get(record: dict) -> list:
        items = record.get(name) or []
        return [leaf(item) if callable(leaf) else _path_value(item, leaf) for item in items]

    return get


def record_columns(
    serializer: serializers.Serializer, lists: Mapping[str, ListColumns]
) -> list[Column]:
    """The CSV columns of the records ``serializer`` writes as JSON, each a function of
    the record's JSON. ``lists`` names the columns of each list of records."""
    columns: list[Column] = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            columns.extend(
                (column, _list_column(name, leaf)) for column, leaf in lists[name].items()
            )
        elif isinstance(field, serializers.Serializer):
            columns.extend(
                (
                    f"{name}_{part}",
                    lambda record, name=name, part=part: (record.get(name) or {}).get(part),
                )
                for part in field.fields
            )
        else:
            columns.append((name, lambda record, name=name: record.get(name)))
    return columns


class CSVRenderer(BaseRenderer):
    """Lets content negotiation choose CSV; the views stream the rows themselves."""

    media_type = CSV_MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The views answer every CSV request with a stream, and every other response
        # (errors, writes) in JSON: nothing reaches here but a mistake.
        raise NotImplementedError("CSV responses are streamed by the view.")


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> Any:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        # As the JSON record writes it (DRF's ISO 8601, UTC as "Z").
        text = value.isoformat()
        return f"{text[:-6]}Z" if text.endswith("+00:00") else text
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def csv_lines(records: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    """The header, then the rows, LINES_PER_CHUNK to a chunk of the stream."""
    writer = csv.writer(_Echo())
    getters = [get for _, get in columns]
    yield csv_header(name for name, _ in columns)
    lines = []
    for record in records:
        lines.append(writer.writerow([csv_cell(get(record)) for get in getters]))
        if len(lines) == LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_header(names: Iterable[str]) -> str:
    return csv.writer(_Echo()).writerow(list(names))


def csv_response(records: Iterable[Any], columns: Sequence[Column], filename: str):
    return csv_stream(csv_lines(records, columns), filename)


def csv_stream(lines: Iterator[str | bytes], filename: str) -> StreamingHttpResponse:
    """The response streaming ``lines``: the header, then chunks of rows."""
    # The header and the first rows are made before the response starts, so the first
    # query runs in the view: a database out of reach is an error answer (a 503), not a
    # 200 whose download breaks off.
    first = list(islice(lines, 2))

    def stream():
        # A generator, so that closing the response (a client gone) closes ``lines``
        # and ends the query at once.
        yield from first
        yield from lines

    response = StreamingHttpResponse(stream(), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
