"""CSV export: one flat row per record, streamed.

A list asked for as CSV (``?format=csv`` or ``Accept: text/csv``) takes the same filters
as the JSON list, is not paginated, and is written row by row as the database cursor
yields records in chunks, so a large export never sits in memory.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

CSV_MEDIA_TYPE = "text/csv"
CHUNK_SIZE = 500
LIST_SEPARATOR = " | "

Column = tuple[str, Callable[[Any], Any]]


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
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def csv_lines(records: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in columns])
    for record in records:
        yield writer.writerow([csv_cell(get(record)) for _, get in columns])


def csv_response(records: Iterable[Any], columns: Sequence[Column], filename: str):
    response = StreamingHttpResponse(
        csv_lines(records, columns), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
