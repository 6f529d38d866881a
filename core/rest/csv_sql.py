"""CSV export written by PostgreSQL: ``COPY (…) TO STDOUT``, streamed as it comes.

The Python path (core.rest.csv) builds every record as the JSON has it, then flattens it:
some twenty calls a row, which caps an export at a few thousand rows a second. Here the
same columns are text computed by the database, in the query the list runs (its filters,
its order, what the request's account may see), and the rows leave PostgreSQL already
written as CSV: the server only passes the bytes on, a chunk at a time, so an export of
any size streams with bounded memory.

The columns are derived from the read serializer's declaration, as the JSON reader's are
(core.rest.fast), and written exactly as the Python path writes them:

- text as it is, an empty text as an empty cell; numbers, UUIDs and dates as Python
  writes them; a date-time in ISO 8601, UTC as "Z", its microseconds only when it has
  some (as DRF's and the JSON's);
- a record inside the record, a column per field; a list of records (a fact's citations),
  one cell per column its view names, the items joined by `` | `` in the list's order and
  with the records the account may not open left out (``RecordReader.withheld``);
- rows end with CRLF, as Python's csv module ends them; quoting is the same (a cell with a
  comma, a quote or a line break is quoted, quotes doubled).

A field the database cannot write so (a value computed in Python) may say how it reads as
SQL text with a ``sql_text(prefix)`` method (``prefix``: the path of the record it is read
from in the query, "" or "reporter__"), which returns a text expression. A resource with
a field that does neither is exported by the Python path, as is every resource on SQLite.
"""

import time
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce
from rest_framework import serializers

from core.rest.fast import RecordReader, _path, _relation

# Bytes gathered before they are handed to the server: a row is a few hundred bytes.
STREAM_CHUNK_BYTES = 1 << 16
LIST_SEPARATOR = " | "

# The exact classes: a subclass may write differently.
TEXT = frozenset(
    {
        serializers.CharField,
        serializers.ChoiceField,
        serializers.EmailField,
        serializers.SlugField,
        serializers.URLField,
    }
)
DIGITS = frozenset({serializers.IntegerField, serializers.UUIDField})


class ToChar(Func):
    """PostgreSQL's ``to_char(value, pattern)``."""

    function = "TO_CHAR"
    output_field = TextField()


class UTCDateTimeText(Func):
    """A date-time as DRF writes it: ISO 8601 in UTC with "Z", the microseconds only when
    there are some."""

    output_field = TextField()
    template = (
        "(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'US') WHEN '000000' THEN '' "
        "ELSE '.' || TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'US') END || 'Z')"
    )


class TextLists(Subquery):
    """Each ``_cN`` column of a subquery's rows joined by `` | `` in the subquery's order,
    as a text array (one item a column; null for no rows)."""

    output_field = TextField()

    def __init__(self, queryset, count: int):
        self.count = count
        super().__init__(queryset)

    def as_sql(self, compiler, connection, template=None, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        items = ", ".join(f"STRING_AGG(_l._c{n}, '{LIST_SEPARATOR}')" for n in range(self.count))
        return f"(SELECT ARRAY[{items}] FROM {sql} _l)", params


def _text(field, path: str):
    """The SQL text of ``field`` read at ``path``, as the Python path writes it; None
    when the database cannot write it so."""
    kind = type(field)
    if kind in TEXT:
        return F(path)
    if kind in DIGITS:
        return Cast(F(path), TextField())
    if kind is serializers.DateField:
        return ToChar(F(path), Value("YYYY-MM-DD"))
    if kind is serializers.DateTimeField:
        return UTCDateTimeText(F(path))
    if kind is serializers.DecimalField and not (field.localize or field.normalize_output):
        # DRF quantizes to the field's places, which the model's column already holds
        # (its serializer field is made from the column).
        return Cast(F(path), TextField())
    return None


class Unsupported(Exception):
    """A field the database cannot write as the Python path does."""


class CSVQuery:
    """What a list's CSV rows are, as SQL: derived once per reader (see the module doc).

    ``inner`` are the columns the list's query selects (text, or a text array for each
    list of records); ``outer`` is the SELECT list over them, in the CSV's order, with
    ``%s`` where each record's address goes (its prefix and suffix).
    """

    def __init__(self, reader: RecordReader, serializer, lists: Mapping[str, Mapping]):
        self.reader = reader
        self.inner: dict[str, Any] = {}
        self.outer: list[str] = []
        self.urls: list[str] = []  # the address fields, in the order of their %s pairs
        self.header: list[str] = []
        model = reader.base.model
        for name, field in serializer.fields.items():
            self._column(name, field, model, lists)

    def _alias(self, expression) -> str:
        alias = f"_c{len(self.inner)}"
        self.inner[alias] = expression
        return alias

    def _cell(self, name: str, expression) -> None:
        # An empty text is an empty cell, as a null is (COPY would quote it: "").
        self.header.append(name)
        self.outer.append(f"NULLIF(q.\"{self._alias(expression)}\", '')")

    def _column(self, name, field, model, lists) -> None:
        if isinstance(field, serializers.HyperlinkedIdentityField):
            alias = self._alias(Cast(F(field.lookup_field), TextField()))
            self.header.append(name)
            self.outer.append(f'%s || q."{alias}" || %s')
            self.urls.append(name)
        elif isinstance(field, serializers.ListSerializer):
            self._list(name, field, model, lists[name])
        elif isinstance(field, serializers.Serializer):
            for part, inner in field.fields.items():
                self._cell(f"{name}_{part}", self._leaf(inner, _path("", field.source) + "__"))
        else:
            self._cell(name, self._leaf(field, ""))

    def _leaf(self, field, prefix: str):
        if hasattr(field, "sql_text"):
            return field.sql_text(prefix)
        if field.source == "*" or isinstance(
            field, serializers.SerializerMethodField | serializers.HiddenField
        ):
            raise Unsupported(field)
        text = _text(field, _path(prefix, field.source))
        if text is None:
            raise Unsupported(field)
        return text

    def _list(self, name, field, model, columns: Mapping) -> None:
        _, queryset, back = _relation(model, field.source, self.reader.prefetches)
        queryset = self.reader.list_queryset(queryset)
        items = {}
        for n, leaf in enumerate(columns.values()):
            if callable(leaf):
                raise Unsupported(leaf)
            child, prefix = field.child, ""
            *path, last = leaf.split(".")
            for part in path:
                child = child.fields[part]
                prefix = _path(prefix, child.source) + "__"
            # A missing value reads "None" in the Python path's joined cell.
            items[f"_c{n}"] = Coalesce(
                self._leaf(child.fields[last], prefix), Value("None"), output_field=TextField()
            )
        rows = queryset.filter(**{back: OuterRef("pk")}).annotate(**items).values(*items)
        alias = self._alias(TextLists(rows, len(items)))
        for n, column in enumerate(columns):
            self.header.append(column)
            self.outer.append(f"NULLIF(q.\"{alias}\"[{n + 1}], '')")

    # Reading -----------------------------------------------------------------------

    def rows(self):
        """The list's records, as the rows of these columns: filter and order them at
        will (as ``RecordReader.rows``)."""
        return self.reader.source.values(**self.inner)

    def copy_sql(self, rows, url_formats: dict[str, str]) -> tuple[str, list]:
        sql, params = rows.query.sql_with_params()
        columns = ", ".join(
            f'{value} AS "{name.replace(chr(34), chr(34) * 2)}"'
            for value, name in zip(self.outer, self.header, strict=True)
        )
        affixes = []
        for name in self.urls:
            affixes += url_formats[name].format("\x00").split("\x00")
        # The inner query's parameters come after the outer SELECT list's.
        return (
            f"COPY (SELECT {columns} FROM ({sql}) q) TO STDOUT (FORMAT csv)",
            [*affixes, *params],
        )


@cache
def csv_query_for(reader: RecordReader, serializer_class, lists_key) -> CSVQuery | None:
    """The CSV query of ``reader``'s records, or None when a column is not SQL's."""
    try:
        lists = {name: dict(columns) for name, columns in lists_key}
        return CSVQuery(reader, serializer_class(), lists)
    except Unsupported:
        return None


def lists_key(lists: Mapping[str, Mapping]) -> tuple:
    """``csv_lists`` as a key of the cache (callables compare by identity)."""
    return tuple((name, tuple(columns.items())) for name, columns in lists.items())


def crlf(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """COPY's rows (ending with LF) as Python's csv writes them (CRLF), a line break
    inside a quoted cell left as it is; gathered in chunks of STREAM_CHUNK_BYTES."""
    try:
        yield from _crlf(chunks)
    finally:
        # Closed early (a client gone): the COPY under it ends now, not when collected.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _crlf(chunks: Iterator[bytes]) -> Iterator[bytes]:
    quoted = False  # whether the bytes so far end inside a quoted cell
    gathered, size = [], 0
    for chunk in chunks:
        gathered.append(chunk)  # a row (libpq hands COPY's rows over one by one)
        size += len(chunk)
        if size >= STREAM_CHUNK_BYTES:
            data, quoted = _terminated(b"".join(gathered), quoted)
            yield data
            gathered, size = [], 0
    if gathered:
        yield _terminated(b"".join(gathered), quoted)[0]


def _terminated(data: bytes, quoted: bool) -> tuple[bytes, bool]:
    """``data`` with each row's LF as CRLF, and whether it ends inside a quoted cell.

    A line break is inside a quoted cell when the text before it holds an odd number of
    quotes (COPY doubles a quote inside a cell): rare, so a batch is first read whole.
    """
    lines = data.split(b"\n")
    if not quoted and all(line.count(b'"') % 2 == 0 for line in lines):
        return b"\r\n".join(lines), False
    out = []
    for line in lines[:-1]:
        if line.count(b'"') % 2:
            quoted = not quoted
        out += [line, b"\n" if quoted else b"\r\n"]
    if lines[-1].count(b'"') % 2:
        quoted = not quoted
    out.append(lines[-1])
    return b"".join(out), quoted


def copy_chunks(database: str, sql: str, params: list) -> Iterator[bytes]:
    """The bytes of ``COPY … TO STDOUT``, as PostgreSQL sends them.

    In a transaction of its own, without JIT compilation: PostgreSQL would spend seconds
    compiling a plan whose cost is its row count, not its work per row. A database out
    of reach raises Django's ``OperationalError`` (a 503, core.outage), and the query is
    logged as Django logs its own (what the tests count).
    """
    import psycopg

    connection = connections[database]
    with connection.wrap_database_errors:
        # As Django's own cursors do: a connection that died since its last request
        # (a restarted server) is replaced, not used.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        statement = psycopg.ClientCursor(raw).mogrify(sql, params)
        started = time.monotonic()
        try:
            with raw.transaction(), raw.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                with cursor.copy(statement) as copy:
                    yield from copy
        finally:
            if connection.queries_logged:
                elapsed = time.monotonic() - started
                connection.queries_log.append({"sql": statement, "time": f"{elapsed:.3f}"})


def prefixed(first: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``first``, then ``chunks``: closing it closes ``chunks`` (and ends the COPY)."""
    yield first
    yield from chunks


def supported(database: str) -> bool:
    return connections[database].vendor == "postgresql"
