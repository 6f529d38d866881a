"""The SQL the importer writes, where PostgreSQL and SQLite differ, and the helpers every
step of the import uses to name tables and columns."""

import hashlib
import uuid
from collections.abc import Iterator, Sequence

from django.db import DatabaseError, connection, models, transaction

from bundles.specs import ModelSpec

# Rows fetched at a time by ``Dialect.stream``.
QUOTE_BATCH = 5_000
# Memory an import may use on PostgreSQL for its staging tables, and per join or sort.
TEMP_BUFFERS = "512MB"
WORK_MEM = "64MB"
STATISTICS_TARGET = 10


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def key_match(left: str, right: str, spec: ModelSpec) -> str:
    """SQL: the rows aliased ``left`` and ``right`` have the same natural key."""
    return " AND ".join(f"{left}.{_q(c)} = {right}.{_q(c)}" for c in spec.key_columns)


class Dialect:
    """The few places where PostgreSQL and SQLite differ."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        if not self.postgres:
            connection.ensure_connection()
            connection.connection.create_function(
                "caci_sha256",
                1,
                lambda text: hashlib.sha256(text.encode()).hexdigest(),
                deterministic=True,
            )

    def distinct(self, left: str, right: str) -> str:
        op = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        return f"({left} {op} {right})"

    def digest(self, alias: str, columns: Sequence[str]) -> str:
        """SQL for the digest of a row's data: the same expression for staging and tables."""
        if self.postgres:
            parts = ", ".join(f"coalesce({alias}.{_q(c)}::text, chr(30))" for c in columns)
            return f"encode(sha256(convert_to(concat_ws(chr(31), {parts}), 'UTF8')), 'hex')"
        parts = " || char(31) || ".join(
            f"coalesce(CAST({alias}.{_q(c)} AS TEXT), char(30))" for c in columns
        )
        return f"caci_sha256({parts})"

    def as_text(self, alias: str, field) -> str:
        """SQL: the value of ``field`` in the row aliased ``alias`` as ``str()`` writes it
        in Python (a UUID with its hyphens: SQLite stores it as 32 hex digits)."""
        column = f"{alias}.{_q(field.column)}"
        if self.postgres:
            return f"{column}::text"
        if isinstance(field, models.UUIDField):
            groups = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
            return " || '-' || ".join(f"substr({column}, {at}, {n})" for at, n in groups)
        return f"CAST({column} AS TEXT)"

    @property
    def true(self) -> str:
        return "TRUE" if self.postgres else "1"

    def row_id_type(self) -> str:
        return "bigint" if self.postgres else "INTEGER PRIMARY KEY"

    def load(self, cursor, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(_q(c) for c in columns)
        if self.postgres:
            with cursor.copy(f"COPY {_q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {_q(table)} ({names}) VALUES ({marks})",
            [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row) for row in rows],
        )

    def stream(self, sql: str, params: Sequence = (), size: int = QUOTE_BATCH) -> Iterator[list]:
        """Rows of a query in batches, without fetching them all at once."""
        if self.postgres:
            with connection.connection.cursor(name="caci_import_stream") as cursor:
                cursor.itersize = size
                cursor.execute(sql, params)
                while batch := cursor.fetchmany(size):
                    yield batch
            return
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(size):
                yield batch

    def tune(self, cursor) -> None:
        """Give this transaction room to work in memory (PostgreSQL).

        The staging tables are temporary tables, held in the session's own buffers: with the
        default 8 MB a large bundle's tables spill to disk files and every pass over them
        reads them back. The joins and sorts over them likewise spill past ``work_mem``.
        Both settings end with the import's transaction."""
        if not self.postgres:
            return
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        # The staging tables' statistics only steer the planner between hashing and
        # looping: a sample of 3,000 rows does, where the default 30,000 takes seconds.
        cursor.execute(f"SET LOCAL default_statistics_target = {STATISTICS_TARGET}")
        try:
            # Only possible before the session's first temporary table: otherwise the
            # session keeps the buffers it has.
            with transaction.atomic():
                cursor.execute(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
        except DatabaseError:
            pass

    def analyze_table(self, cursor, table: str) -> None:
        """Give PostgreSQL's planner a staging table's statistics (temporary tables get no
        autovacuum), so it joins them by hashing rather than row by row."""
        if self.postgres:
            cursor.execute(f"ANALYZE {_q(table)}")
