"""The fixture importer: a bundle in, every record checked, then upserted in a few statements.

How it goes, in one transaction:

1. Each file is streamed and every record's fields are checked by the model's own rules
   (``reading``); the rows go into temporary staging tables (COPY on PostgreSQL, batched
   inserts on SQLite). Nothing of the bundle is held in memory. A record whose exact text
   the last import wrote, on a row unedited since, is known unchanged: it is staged from
   that row, its key alone read. Large files are read by several processes (``parallel``).
2. Model by model, parents before children, set-based SQL over the staging tables (each
   model as soon as the bundle's later parts hold only later models): duplicate
   natural keys, references resolved to ids (in the bundle or already in the database), the
   quotes found in their articles (the rule book's matcher, grouped by article, streamed),
   the model's check and unique constraints (their conditions compiled by the ORM).
3. Each valid record is matched with the database by natural key and its digest compared:
   created, updated, unchanged, or a conflict when an editor changed it since its import.
   Children the bundle no longer lists for a parent it contains are deleted.
4. Writes are INSERT … SELECT / UPDATE … FROM the staging tables, and the history rows
   are written the same way, naming the import run.
5. The rule book's rules over a record's rows (``core/rules.py``): every agreement has two
   parties, every fact a citation… each rule's own set-based check, over the bundle's records.

Any error anywhere and the transaction is rolled back: the report lists every error. A dry
run does all of it and rolls back too, so it reports exactly what the import would do.
"""

import gc
import hashlib
import itertools
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from hashlib import blake2b
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.db.models import (
    BooleanField,
    CheckConstraint,
    ExpressionWrapper,
    F,
    UniqueConstraint,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from bundles import parallel
from bundles.reading import (
    KNOWN_ROW,
    ROW_HEAD,
    BundleSyntaxError,
    RecordReader,
    iter_records,
    reader_for,
)
from bundles.report import (
    DETAIL_LIMIT,
    BundleError,
    BundleInvalid,
    ImportReport,
    RecordChange,
)
from bundles.specs import NOT_IMPORTED, SPECS, SPECS_BY_LABEL, ModelSpec
from core.editorial import ReviewedModel, ReviewStatus
from core.history import CHILDREN_FIELD
from core.rules import RULES, FieldCheckConstraint

LOAD_BATCH = 5_000
# A staging row's ordinal: its part of a file in the high bits, its index in the low ones.
PART_SHIFT = 32
QUOTE_BATCH = 5_000
# Memory an import may use on PostgreSQL for its staging tables, and per join or sort.
TEMP_BUFFERS = "512MB"
WORK_MEM = "64MB"
STATISTICS_TARGET = 10
# Authorship positions are moved out of the way before they are rewritten, so that two
# authors swapping places never meet the (article, position) unique constraint.
POSITION_SHIFT = 10_000
# Models whose children a bundle states in full: their staging rows keep the database id.
PARENTS = {ref.target for spec in SPECS for ref in spec.references if ref.name in spec.parents}
# The read buffer of a model's records known unchanged: "<label>#known".
_KNOWN = "#known"


def _known_table(spec: ModelSpec) -> str:
    """A model's records known unchanged, as read: their place and key."""
    return f"{spec.staging_table}_known"


def _unedited_table(spec: ModelSpec) -> str:
    """A model's rows whose fingerprint may mark a bundle record as unchanged."""
    return f"{spec.staging_table}_unedited"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


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


class _NotWholeRecords(Exception):
    """A part of a file read apart did not hold whole records: the cut was wrong."""


class _Restart(Exception):
    """Models were processed before the bundle was read to its end, and the rest of it
    turned out to hold records of them (or could not be read in parts): start again,
    reading everything before processing anything."""


class _Import:
    def __init__(
        self,
        *,
        paths: Sequence[str],
        report: ImportReport,
        overwrite: bool,
        reason: str,
        user_id: int | None,
        progress: bool,
        check_all: bool,
        workers: int | None = None,
    ):
        self.paths = list(paths)
        self.report = report
        self.overwrite = overwrite
        self.reason = reason
        self.user_id = user_id
        self.progress = progress
        self.dialect = Dialect()
        self.readers = {
            spec.label: RecordReader(spec, uuid_as_text=self.dialect.postgres) for spec in SPECS
        }
        # Each label as bundles spell it ("actors.Actor", "actors.actor"): its reader.
        self.readers_by_name: dict[str, RecordReader] = {}
        self.staged: dict[str, int] = dict.fromkeys(SPECS_BY_LABEL, 0)
        # Each part of a file staged: (file number, index of its first record).
        self.parts: list[tuple[int, int]] = []
        self.workers = parallel.worker_count() if workers is None else workers
        self.parallel_min_bytes = parallel.MIN_BYTES if workers is None else 0
        self.check_all = check_all
        # Fingerprints of the records the database holds as their last import wrote them.
        self.known: set[bytes] = set()
        self.known_staged: dict[str, int] = dict.fromkeys(SPECS_BY_LABEL, 0)
        # Models processed so far, in order.
        self.processed: list[str] = []
        self.now = timezone.now()
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)

    # Errors -----------------------------------------------------------------------------

    def error(self, part, index, label, key, field, message) -> None:
        """Report an error of the record at ``index`` of a part of a file (or of none)."""
        path = ""
        if part is not None:
            file_no, first = self.parts[part]
            path = self.paths[file_no]
            index = None if index is None else first + index
        self.report.errors.append(BundleError(path, index, label, key or "", field, message))

    def rows_error(self, spec: ModelSpec, rows: Iterable[tuple], field: str, message) -> None:
        """Report rows (part, index, key, *extra) as errors; ``message`` may be a function."""
        for part, index, key, *extra in rows:
            text = message(*extra) if callable(message) else message
            if text is None:
                continue
            self.error(part, index, spec.label, key, field, text)

    # 1. Staging -------------------------------------------------------------------------

    def create_staging(self, cursor) -> None:
        for spec in SPECS:
            reader = self.readers[spec.label]
            fields = {f.column: f for f in spec.model._meta.concrete_fields}
            columns = [
                f"_n {self.dialect.row_id_type()}",
                "_part integer",
                "_idx integer",
                "_key text",
                "_valid boolean",
                "_fingerprint varchar(32)",
                # Staged from the database's own row: a record known to be unchanged.
                "_known boolean DEFAULT FALSE",
                "_digest varchar(64)",
                # created until matched with a row of the table; NULL once found invalid.
                "_action varchar(10)",
            ]
            for name in reader.columns[len(ROW_HEAD) :]:
                if name == "id" and spec.has_auto_pk:
                    db_type = "bigint"
                elif name.endswith("__key"):
                    db_type = "text"
                else:
                    db_type = fields[name].db_type(connection)
                columns.append(f"{_q(name)} {db_type}")
            cursor.execute(f"DROP TABLE IF EXISTS {_q(spec.staging_table)}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_q(spec.staging_table)} ({', '.join(columns)})"
            )
            # One table per model, not one for all: the planner's estimates of a model's
            # share of a shared table went wrong by orders of magnitude.
            cursor.execute(f"DROP TABLE IF EXISTS {_q(_known_table(spec))}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_q(_known_table(spec))} "
                f"(_n {self.dialect.row_id_type()}, _part integer, _idx integer, _key text, "
                "_fingerprint varchar(32))"
            )

    def drop_staging(self, cursor) -> None:
        for spec in SPECS:
            for table in (spec.staging_table, _known_table(spec), _unedited_table(spec)):
                cursor.execute(f"DROP TABLE IF EXISTS {_q(table)}")
        for table in ("caci_stg_edited", "caci_stg_offsets", "caci_stg_stale"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def new_part(self, file_no: int) -> int:
        """A part of a file whose records are staged together (a whole file, when it is
        read by one process); its first record's index is set once it is known."""
        self.parts.append((file_no, 0))
        return len(self.parts) - 1

    def read_files(self, cursor) -> Iterator[set[str]]:
        """Stage the files' records; after each part of a file is staged, yield the labels
        of the models it held, so that the models complete by then can be processed while
        worker processes read on."""
        buffers: dict[str, list[tuple]] = {label: [] for label in SPECS_BY_LABEL}
        buffers.update({label + _KNOWN: [] for label in SPECS_BY_LABEL})
        bar = self._bar(sum(_size(p) for p in self.paths), "reading", unit="B")
        seen: set[str] = set()

        def emit(name: str, row: tuple) -> None:
            seen.add(name)
            rows = buffers[name]
            rows.append(row)
            if len(rows) >= LOAD_BATCH:
                self._flush(cursor, name, rows)

        try:
            for file_no, path in enumerate(self.paths):
                bounds = self.parallel_bounds(path)
                if bounds:
                    read = yield from self.read_in_parallel(cursor, file_no, path, bounds, bar)
                    if read:
                        continue
                part = self.new_part(file_no)
                try:
                    handle = open(path, "rb")  # noqa: SIM115 - closed below
                except OSError as error:
                    self.error(part, None, "", "", "", f"Cannot read the file: {error}.")
                    continue
                with handle:
                    try:
                        for index, record, text in iter_records(
                            handle, bar.update if bar else None
                        ):
                            self.stage_record(part, index, record, text, emit, self.error)
                    except BundleSyntaxError as error:
                        self.error(part, error.index, "", "", "", str(error))
                for label, rows in buffers.items():
                    self._flush(cursor, label, rows)
                yield {name.removesuffix(_KNOWN) for name in seen}
                seen.clear()
        finally:
            if bar:
                bar.close()

    def parallel_bounds(self, path: str) -> list[tuple[int, int]] | None:
        """Where to cut a large file for reading it in several processes, or None."""
        if not self.dialect.postgres or self.workers < 2:
            return None
        size = _size(path)
        if size < self.parallel_min_bytes:
            return None
        return parallel.split_file(path, size, self.workers * parallel.PARTS_PER_PROCESS)

    def read_in_parallel(self, cursor, file_no, path, bounds, bar) -> Iterator[set[str]]:
        """Read a file's parts in worker processes and stage what they wrote, each part as
        soon as it is read (while the processes go on with the next ones); yields each
        part's labels, and returns whether the file was read.

        False, with nothing staged, when a cut turns out not to fall between two records
        (or the file is malformed): the file is then read whole, by this process, which
        names the malformed record by its index. If models were already processed by
        then, the whole import starts again (``_Restart``)."""
        parts = [self.new_part(file_no) for _ in bounds]
        staged, known_staged = dict(self.staged), dict(self.known_staged)
        errors_before = len(self.report.errors)
        try:
            # The pool closes (its processes stopped) before the directory is removed.
            with (
                tempfile.TemporaryDirectory(
                    prefix="caci-import-", ignore_cleanup_errors=True
                ) as directory,
                transaction.atomic(),
                closing(
                    parallel.read_parts(
                        self, path, bounds, parts, directory, processes=self.workers
                    )
                ) as results,
            ):
                first = 0
                for part, result in zip(parts, results, strict=True):
                    if result is None:
                        raise _NotWholeRecords
                    self.parts[part] = (file_no, first)
                    first += result.records
                    self._stage_part(cursor, result)
                    if bar:
                        bar.update(result.bytes_read)
                    yield {name.removesuffix(_KNOWN) for name in result.outputs}
        except _NotWholeRecords:
            if self.processed:
                raise _Restart from None
            self.staged, self.known_staged = staged, known_staged
            del self.report.errors[errors_before:]
            return False
        return True

    def _stage_part(self, cursor, result: "parallel.PartResult") -> None:
        for name, (file, count) in result.outputs.items():
            if name.endswith(_KNOWN):
                label = name.removesuffix(_KNOWN)
                self._copy_file(cursor, _known_table(SPECS_BY_LABEL[label]), KNOWN_ROW, file)
                self.known_staged[label] += count
            else:
                columns = self.readers[name].columns
                self._copy_file(cursor, SPECS_BY_LABEL[name].staging_table, columns, file)
                self.staged[name] += count
        for error in result.errors:
            self.error(*error)

    def _copy_file(self, cursor, table: str, columns: Sequence[str], file: str) -> None:
        names = ", ".join(_q(c) for c in columns)
        statement = f"COPY {_q(table)} ({names}) FROM STDIN"
        with open(file, "rb") as data, cursor.copy(statement) as copy:
            while chunk := data.read(1 << 20):
                copy.write(chunk)

    def stage_record(self, part, index, record, text, emit, error) -> None:
        """Check one record and hand its staging row to ``emit(buffer name, row)``;
        problems go to ``error(part, index, label, key, field, message)``."""
        if not isinstance(record, dict):
            error(part, index, "", "", "", "A record is a JSON object.")
            return
        model = record.get("model")
        try:
            reader = self.readers_by_name[model]
        except (KeyError, TypeError):  # a label not met yet, or not a label at all
            reader = self._reader_for(model)
        if reader is None:
            error(
                part,
                index,
                str(model or ""),
                "",
                "model",
                f"Not a model this importer reads: {model!r} (it reads "
                f"{', '.join(SPECS_BY_LABEL)}).",
            )
            return
        label = reader.spec.label
        ordinal = (part << PART_SHIFT) + index
        fingerprint = blake2b(text.encode(), digest_size=16).digest()
        if fingerprint in self.known:
            row = reader.known_row(ordinal, part, index, record, fingerprint.hex())
            if row is not None:
                self.known_staged[label] += 1
                emit(label + _KNOWN, row)
                return
        row, key, problems = reader.read(ordinal, part, index, record, fingerprint.hex())
        for problem in problems:
            error(part, index, label, key, problem.field, problem.message)
        emit(label, row)

    def _reader_for(self, model: Any) -> RecordReader | None:
        spec = reader_for(model)
        if spec is None:
            return None
        reader = self.readers[spec.label]
        self.readers_by_name[model] = reader
        return reader

    def _flush(self, cursor, label: str, rows: list[tuple]) -> None:
        if label.endswith(_KNOWN):
            spec = SPECS_BY_LABEL[label.removesuffix(_KNOWN)]
            self.dialect.load(cursor, _known_table(spec), KNOWN_ROW, rows)
        else:
            spec = SPECS_BY_LABEL[label]
            self.dialect.load(cursor, spec.staging_table, self.readers[label].columns, rows)
            self.staged[label] += len(rows)
        rows.clear()

    def load_known(self, cursor) -> None:
        """The fingerprints of the records the database holds exactly as imported.

        A record qualifies when its import digest still matches its data (nobody has
        edited it since), so do the records it names by slug (a parent renamed in the
        admin no longer answers to the slug the record's text names), and, for a
        citation, when its article has not changed since the citation was written (its
        offsets were found in the article's text as it was). A bundle record with one of
        these fingerprints is that very text again, so it is unchanged and is not checked
        field by field a second time: the row it would produce is the row the database
        has. One 16-byte digest per such record is held in memory (about 90 MB for a
        million); the rows are listed in a temporary table.
        """
        if self.check_all:
            return
        cursor.execute("DROP TABLE IF EXISTS caci_stg_edited")
        cursor.execute("CREATE TEMPORARY TABLE caci_stg_edited (_model varchar(100), id bigint)")
        for label in sorted({ref.target for spec in SPECS for ref in spec.references}):
            target = SPECS_BY_LABEL[label]
            if not target.has_auto_pk:
                continue  # named by UUID, which no edit changes
            cursor.execute(
                f"INSERT INTO caci_stg_edited (_model, id) SELECT %s, t.id FROM "
                f"{_q(target.table)} t WHERE t.import_digest <> "
                f"{self.dialect.digest('t', target.data_columns)}",
                [label],
            )
        self.analyze_table(cursor, "caci_stg_edited")
        for spec in SPECS:
            # The row's own key, in its own type, so that it is found again by it.
            pk = spec.model._meta.pk
            key_type = "bigint" if spec.has_auto_pk else pk.db_type(connection)
            table = _q(_unedited_table(spec))
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (_fingerprint varchar(32), id {key_type})"
            )
            condition, params = self.known_condition(spec)
            cursor.execute(
                f"INSERT INTO {table} (_fingerprint, id) SELECT t.import_fingerprint, "
                f"t.{_q(pk.column)} FROM {_q(spec.table)} t WHERE {condition}",
                params,
            )
            self.analyze_table(cursor, _unedited_table(spec))
            for batch in self.dialect.stream(f"SELECT _fingerprint FROM {table}"):
                self.known.update(bytes.fromhex(row[0]) for row in batch)

    def known_condition(self, spec: ModelSpec) -> tuple[str, list]:
        """SQL over a row ``t`` of the model: may a bundle record with its fingerprint be
        taken as unchanged? See ``load_known``."""
        conditions = [
            "t.import_fingerprint <> ''",
            f"t.import_digest = {self.dialect.digest('t', spec.data_columns)}",
        ]
        params: list = []
        for ref in spec.references:
            if ref.by_slug:
                conditions.append(
                    "NOT EXISTS (SELECT 1 FROM caci_stg_edited e WHERE e._model = %s "
                    f"AND e.id = t.{_q(ref.column)})"
                )
                params.append(ref.target)
        if spec.label == "actors.citation":
            articles = _q(SPECS_BY_LABEL["articles.article"].table)
            conditions.append(
                f"NOT EXISTS (SELECT 1 FROM {articles} a WHERE a.id = t.article_id "
                "AND a.updated_at > t.updated_at)"
            )
        return " AND ".join(conditions), params

    def long_texts(self, spec: ModelSpec) -> list[str]:
        """The staged text columns (article bodies, quotes, notes): not copied for records
        known unchanged, since no check over the bundle reads them."""
        staged = set(self.readers[spec.label].columns)
        return [
            f.column
            for f in spec.model._meta.concrete_fields
            if isinstance(f, models.TextField) and f.column in staged
        ]

    def stage_known(self, cursor, spec: ModelSpec) -> None:
        """Stage the known records of one model from their rows in the database.

        Every column but the long texts is copied, so the checks over the bundle (natural
        keys, unique values, the parents whose children the bundle lists) see them as the
        records they are. They are staged as unchanged, and the checks of a record's own
        fields pass them by.
        """
        expected = self.known_staged[spec.label]
        if not expected:
            return
        stg = _q(spec.staging_table)
        reader = self.readers[spec.label]
        skipped = set(self.long_texts(spec))
        copied = [
            c
            for c in reader.columns[len(ROW_HEAD) :]
            if not c.endswith("__key") and c not in skipped
        ]
        if spec.has_auto_pk and "id" not in copied:
            copied.append("id")
        names = ", ".join(_q(c) for c in copied)
        values = ", ".join(f"t.{_q(c)}" for c in copied)
        cursor.execute(
            f"INSERT INTO {stg} (_n, _part, _idx, _key, _valid, _fingerprint, _known, _action, "
            f"{names}) SELECT k._n, k._part, k._idx, k._key, {self.dialect.true}, "
            f"k._fingerprint, {self.dialect.true}, 'unchanged', {values} "
            f"FROM {_q(_known_table(spec))} k JOIN {_q(_unedited_table(spec))} u "
            f"ON u._fingerprint = k._fingerprint JOIN {_q(spec.table)} t "
            f"ON t.{_q(spec.model._meta.pk.column)} = u.id"
        )
        if cursor.rowcount != expected:
            self.error(
                None,
                None,
                spec.label,
                "",
                "",
                "Records changed in the database while the import ran; run it again.",
            )
        self.staged[spec.label] += expected

    def _bar(self, total: int, desc: str, unit: str = "it"):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, leave=False)

    def analyze(self, cursor, spec: ModelSpec | None = None) -> None:
        """Give PostgreSQL's planner the staging tables' statistics (temporary tables get no
        autovacuum), so it joins them by hashing rather than row by row. Again once
        references are resolved: until then their id columns are all empty."""
        for each in [spec] if spec else SPECS:
            if self.staged[each.label]:
                self.analyze_table(cursor, each.staging_table)

    def analyze_table(self, cursor, table: str) -> None:
        if self.dialect.postgres:
            cursor.execute(f"ANALYZE {_q(table)}")

    # 2. Checks --------------------------------------------------------------------------

    def invalidate(
        self, cursor, spec: ModelSpec, where: str, params=(), extra: str = "", join: str = ""
    ) -> list:
        """Mark the staged rows matching ``where`` invalid; return (file, index, key, extra…).

        ``join`` is a FROM item (a derived table) that ``where`` may join with.
        """
        stg = _q(spec.staging_table)
        returning = f"{stg}._part, {stg}._idx, {stg}._key" + (f", {extra}" if extra else "")
        source = f" FROM {join}" if join else ""
        cursor.execute(
            f"UPDATE {stg} SET _valid = FALSE, _action = NULL{source} WHERE {where} "
            f"RETURNING {returning}",
            params,
        )
        return sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))

    def check_duplicates(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        rows = self.invalidate(
            cursor,
            spec,
            f"d._key = {stg}._key",
            join=f"(SELECT _key FROM {stg} GROUP BY _key HAVING count(*) > 1) d",
        )
        # A natural key that a rule makes unique (an actor once among an agreement's
        # parties) is reported in the rule's words.
        rule_messages = [
            _own_message(constraint)
            for constraint in spec.model._meta.constraints
            if isinstance(constraint, UniqueConstraint)
            and set(constraint.fields) == set(spec.key)
            and _own_message(constraint)
        ]
        self.rows_error(
            spec,
            rows,
            ", ".join(spec.key),
            rule_messages[0]
            if rule_messages
            else "Duplicate natural key: another record of this bundle has the same one.",
        )

    def resolve_references(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        for ref in spec.references:
            target = SPECS_BY_LABEL[ref.target]
            table, target_stg = _q(target.table), _q(target.staging_table)
            col = _q(ref.column)
            if ref.by_slug:
                key = _q(ref.key_column)
                cursor.execute(
                    f"UPDATE {stg} SET {col} = t.id FROM {table} t WHERE t.slug = {stg}.{key}"
                )
                missing = f"{key} IS NOT NULL AND {col} IS NULL"  # known rows: no key
                in_bundle = f"EXISTS (SELECT 1 FROM {target_stg} p WHERE p._key = {stg}.{key})"
                shown = key
            else:
                missing = (
                    f"NOT {stg}._known AND {col} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE t.id = {stg}.{col})"
                )
                in_bundle = f"EXISTS (SELECT 1 FROM {target_stg} p WHERE p.id = {stg}.{col})"
                shown = col
            rows = self.invalidate(cursor, spec, missing, extra=f"{shown}, {in_bundle}")

            def message(value, found, ref=ref):
                if found:  # that record's own errors are reported: not twice
                    return None
                shown = f'["{value}"]' if ref.by_slug else str(uuid.UUID(str(value)))
                return (
                    f"Refers to {ref.target} {shown}, which is neither in this bundle "
                    "nor in the database."
                )

            self.rows_error(spec, rows, ref.name, message)

    def locate_quotes(self, cursor, spec: ModelSpec) -> None:
        """Find each citation's quote in its article's text: offsets, or an error.

        The rule book's quote rule, in its set-based form: the quotes streamed in article
        order, each article's text read and collapsed once for all of them.
        """
        quote_rule = next(rule for rule in RULES.values() if rule.set_check_over == "rows")
        stg = _q(spec.staging_table)
        cursor.execute("DROP TABLE IF EXISTS caci_stg_offsets")
        cursor.execute(
            f"CREATE TEMPORARY TABLE caci_stg_offsets (_n {self.dialect.row_id_type()}, "
            "char_start integer, char_end integer)"
        )
        self.unknow_quotes_of_changed_articles(cursor, spec)
        columns = ["_n", "char_start", "char_end"]
        bad: list[tuple] = []
        rows, looked_up = itertools.tee(
            itertools.chain.from_iterable(
                self.dialect.stream(
                    f"SELECT _n, _part, _idx, _key, article_id, quote FROM {stg} "
                    "WHERE article_id IS NOT NULL AND NOT _known ORDER BY article_id"
                )
            )
        )
        spans = quote_rule.set_check((row[4], row[5]) for row in looked_up)
        found = []
        for (n, file_no, index, key, _, _), span in zip(rows, spans, strict=True):
            if span is None:
                bad.append((n, file_no, index, key))
            else:
                found.append((n, *span))
            if len(found) >= QUOTE_BATCH:
                self.dialect.load(cursor, "caci_stg_offsets", columns, found)
                found = []
        self.dialect.load(cursor, "caci_stg_offsets", columns, found)
        cursor.execute(
            f"UPDATE {stg} SET char_start = o.char_start, char_end = o.char_end "
            f"FROM caci_stg_offsets o WHERE o._n = {stg}._n"
        )
        for start in range(0, len(bad), 1000):
            chunk = bad[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {stg} SET _valid = FALSE, _action = NULL WHERE _n IN ({marks})",
                [row[0] for row in chunk],
            )
        self.rows_error(spec, [row[1:] for row in bad], "quote", quote_rule.message)

    def unknow_quotes_of_changed_articles(self, cursor, spec: ModelSpec) -> None:
        """Citations known unchanged whose article this import rewrites: their quotes are
        looked for again in the new text, like any other, and their offsets follow."""
        stg = _q(spec.staging_table)
        articles = _q(SPECS_BY_LABEL["articles.article"].staging_table)
        changing = "'updated', 'conflict'" if self.overwrite else "'updated'"
        restored = "".join(f", {_q(c)} = t.{_q(c)}" for c in self.long_texts(spec))
        cursor.execute(
            f"UPDATE {stg} SET _known = FALSE, _action = 'created'{restored} "
            f"FROM {_q(spec.table)} t WHERE {stg}._known AND t.id = {stg}.id "
            f"AND {stg}.article_id IN (SELECT id FROM {articles} WHERE _action IN ({changing}))"
        )

    def check_constraints(self, cursor, spec: ModelSpec) -> None:
        """The model's check constraints over the staged rows, as the database would judge
        them (a condition that is unknown, NULL, passes).

        Each condition is compiled by the ORM, as ``full_clean`` compiles it, in a query on
        the model's table; the query runs with that table's name bound to the staged rows
        (a common table expression of the same name hides the table from it).
        """
        model = spec.model
        table, stg = _q(spec.table), _q(spec.staging_table)
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            if _condition_fields(constraint.condition) & NOT_IMPORTED:
                # Over columns the importer writes itself (a published record's
                # verification): the database checks them as they are written.
                continue
            failing = (
                model._base_manager.annotate(
                    _holds=Coalesce(
                        ExpressionWrapper(constraint.condition, output_field=BooleanField()),
                        Value(True),
                    ),
                    _row=RawSQL("_n", ()),
                )
                .filter(_holds=False)
                .order_by()
                .values("_row")
            )
            sql, params = failing.query.sql_with_params()
            rows = self.invalidate(
                cursor,
                spec,
                f"{stg}._n IN (WITH {table} AS (SELECT * FROM {stg} WHERE NOT _known) {sql})",
                params,
            )
            if isinstance(constraint, FieldCheckConstraint):
                fields = constraint.field
            else:
                fields = ", ".join(sorted(_condition_fields(constraint.condition)))
            self.rows_error(spec, rows, fields, constraint.get_violation_error_message())

    def unique_sets(
        self, spec: ModelSpec
    ) -> list[tuple[tuple[str, ...], str | None, str, str | None]]:
        """(columns, condition SQL, field names, the rule's own message or None) of each
        uniqueness rule but the natural key."""
        model = spec.model
        editor = connection.schema_editor()
        fields = {f.name: f for f in model._meta.concrete_fields}
        found = []
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key and (f.name,) != spec.key:
                found.append(((f.column,), None, f.name, None))
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                continue
            if set(constraint.fields) == set(spec.key) and constraint.condition is None:
                continue
            condition = (
                constraint._get_condition_sql(model, editor) if constraint.condition else None
            )
            columns = tuple(fields[name].column for name in constraint.fields)
            found.append(
                (columns, condition, ", ".join(constraint.fields), _own_message(constraint))
            )
        return found

    def check_unique_in_bundle(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        for columns, condition, names, message in self.unique_sets(spec):
            cols = ", ".join(_q(c) for c in columns)
            present = " AND ".join(f"{_q(c)} IS NOT NULL" for c in columns)
            cond = f" AND ({condition})" if condition else ""
            same = " AND ".join(f"d.{_q(c)} = {stg}.{_q(c)}" for c in columns)
            rows = self.invalidate(
                cursor,
                spec,
                same,
                # Rows already found invalid (a duplicate key, say) are not named again.
                join=f"(SELECT {cols} FROM {stg} WHERE _valid AND {present}{cond} "
                f"GROUP BY {cols} HAVING count(*) > 1) d",
            )
            self.rows_error(
                spec,
                rows,
                names,
                message or f"Another record of this bundle has the same {names}.",
            )

    def check_unique_in_database(self, cursor, spec: ModelSpec) -> None:
        """A unique value already held by another record, one the bundle leaves as it is."""
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        for columns, condition, names, message in self.unique_sets(spec):
            same = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in columns)
            cond = f" AND ({condition})" if condition else ""
            # Derived tables keep each condition's unqualified columns unambiguous.
            clashes = (
                f"(SELECT s._n FROM (SELECT * FROM {stg} WHERE _action IS NOT NULL{cond}) s "
                f"JOIN (SELECT * FROM {table} WHERE TRUE{cond}) t ON {same} "
                f"WHERE NOT ({self.key_match('s', 't', spec)}) AND NOT EXISTS "
                f"(SELECT 1 FROM {stg} k WHERE {self.key_match('k', 't', spec)})) d"
            )
            rows = self.invalidate(cursor, spec, f"d._n = {stg}._n", join=clashes)
            cursor.execute(
                f"UPDATE {stg} SET _action = NULL WHERE NOT _valid AND _action IS NOT NULL"
            )
            self.rows_error(
                spec,
                rows,
                names,
                message or f"Another record in the database already has this {names}.",
            )

    # 3. Matching ------------------------------------------------------------------------

    def key_match(self, left: str, right: str, spec: ModelSpec) -> str:
        return " AND ".join(f"{left}.{_q(c)} = {right}.{_q(c)}" for c in spec.key_columns)

    def classify(self, cursor, spec: ModelSpec) -> None:
        """Match the valid records with the table: unchanged, updated, or a conflict.

        Records that match no row keep the action they were staged with, created, and
        their digest is computed as they are inserted: a first import rewrites no staging
        row here."""
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        dialect = self.dialect
        set_id = "id = m.id, " if spec.has_auto_pk else ""
        cursor.execute(
            f"UPDATE {stg} SET {set_id}_digest = m.staged, _action = CASE "
            "WHEN m.staged = m.current THEN 'unchanged' "
            "WHEN m.imported = m.current THEN 'updated' ELSE 'conflict' END "
            f"FROM (SELECT s._n, t.id, {dialect.digest('s', spec.data_columns)} AS staged, "
            f"{dialect.digest('t', spec.data_columns)} AS current, t.import_digest AS imported "
            f"FROM {stg} s JOIN {table} t ON {self.key_match('s', 't', spec)} "
            f"WHERE s._valid AND NOT s._known) m WHERE {stg}._n = m._n"
        )

    def report_changes(self, cursor, spec: ModelSpec) -> None:
        stg = _q(spec.staging_table)
        table = _q(spec.table)
        report = self.report.model(spec.label)
        cursor.execute(
            f"SELECT _action, count(*) FROM {stg} WHERE _action IS NOT NULL GROUP BY _action"
        )
        for action, count in cursor.fetchall():
            if action == "conflict":
                report.conflicts += count
            else:
                setattr(report, action, getattr(report, action) + count)
        if not (report.updated or report.conflicts):
            return
        columns = [c for c in spec.data_columns]
        names = _field_names(spec, columns)
        flags = ", ".join(self.dialect.distinct(f"s.{_q(c)}", f"t.{_q(c)}") for c in columns)
        for batch in self.dialect.stream(
            f"SELECT s._key, s._action, {flags} FROM {stg} s JOIN {table} t "
            f"ON {self.key_match('s', 't', spec)} WHERE s._action IN ('updated', 'conflict') "
            "ORDER BY s._part, s._idx"
        ):
            for key, action, *changed in batch:
                fields = tuple(name for name, flag in zip(names, changed, strict=True) if flag)
                change = RecordChange(spec.label, key, fields)
                if action == "updated" or self.overwrite:
                    report.changed_fields.update(fields)
                target = self.report.updates if action == "updated" else self.report.conflicts
                if sum(1 for c in target if c.model == spec.label) < DETAIL_LIMIT:
                    target.append(change)

    # 4. Writing -------------------------------------------------------------------------

    def history_sql(self, spec: ModelSpec, kind: str) -> tuple[str, list]:
        """``INSERT INTO <history> (…) SELECT …`` over rows aliased t, and its parameters."""
        history_model = spec.model.history.model
        own = {
            "history_date": self.db_now,
            "history_change_reason": self.reason,
            "history_user": self.user_id,
        }
        columns, values, params = [], [], []
        for f in history_model._meta.concrete_fields:
            # An aggregate's children are written after it: each child's own history
            # rows record them (core.history.children_at reads them back from there).
            if f.name in ("history_id", CHILDREN_FIELD):
                continue
            columns.append(_q(f.column))
            if f.name == "history_type":
                values.append(f"'{kind}'")
            elif f.name in own:
                values.append("%s")
                params.append(own[f.name])
            else:
                values.append(f"t.{_q(f.column)}")
        head = f"INSERT INTO {_q(history_model._meta.db_table)} ({', '.join(columns)})"
        return f"{head} SELECT {', '.join(values)}", params

    def history(self, cursor, spec: ModelSpec, kind: str, where: str, params=()) -> None:
        """History rows, one per target row matching ``where`` (over alias t), in one go."""
        insert, own = self.history_sql(spec, kind)
        cursor.execute(f"{insert} FROM {_q(spec.table)} t WHERE {where}", [*own, *params])

    def write_with_history(self, cursor, spec: ModelSpec, kind: str, sql: str, params, where):
        """Run an INSERT or UPDATE of the table, and write the history of the rows it wrote.

        On PostgreSQL in one statement: the written rows flow straight into the history
        table (INSERT … RETURNING inside a WITH), with no second look-up. Elsewhere the
        history is copied from the table afterwards, the rows found by ``where``.
        """
        insert, own = self.history_sql(spec, kind)
        if self.dialect.postgres:
            returning = f"{_q(spec.table)}.*" if sql.startswith("UPDATE") else "*"
            cursor.execute(
                f"WITH t AS ({sql} RETURNING {returning}) {insert} FROM t", [*params, *own]
            )
            return
        cursor.execute(sql, params)
        self.history(cursor, spec, kind, where)

    def delete_stale(self, cursor, spec: ModelSpec) -> None:
        """Children of parents in the bundle that the bundle no longer lists."""
        if not spec.parents:
            return
        table, stg = _q(spec.table), _q(spec.staging_table)
        parents = []
        for name in spec.parents:
            ref = next(r for r in spec.references if r.name == name)
            parent_stg = _q(SPECS_BY_LABEL[ref.target].staging_table)
            parents.append(f"t.{_q(ref.column)} IN (SELECT id FROM {parent_stg} WHERE _valid)")
        current = self.dialect.digest("t", spec.data_columns)
        cursor.execute("DROP TABLE IF EXISTS caci_stg_stale")
        cursor.execute(
            f"CREATE TEMPORARY TABLE caci_stg_stale AS SELECT t.{_q(spec.model._meta.pk.column)} "
            f"AS id, t.import_digest = {current} AS unedited FROM {table} t "
            f"WHERE ({' OR '.join(parents)}) AND NOT EXISTS "
            f"(SELECT 1 FROM {stg} s WHERE {self.key_match('s', 't', spec)})"
        )
        report = self.report.model(spec.label)
        cursor.execute("SELECT id FROM caci_stg_stale WHERE NOT unedited")
        edited = [row[0] for row in cursor.fetchall()]
        report.conflicts += len(edited)
        for record in spec.model._default_manager.filter(pk__in=edited[:DETAIL_LIMIT]):
            key = record.natural_key() if hasattr(record, "natural_key") else (str(record.pk),)
            self.report.conflicts.append(
                RecordChange(spec.label, _show_key(key), ("(no longer in the bundle)",))
            )
        doomed = "SELECT id FROM caci_stg_stale" + ("" if self.overwrite else " WHERE unedited")
        pk = _q(spec.model._meta.pk.column)
        self.history(cursor, spec, "-", f"t.{pk} IN ({doomed})")
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({doomed})")
        report.deleted += cursor.rowcount

    def write(self, cursor, spec: ModelSpec) -> None:
        table, stg = _q(spec.table), _q(spec.staging_table)
        reader = self.readers[spec.label]
        data = [
            c for c in reader.columns[len(ROW_HEAD) :] if not c.endswith("__key") and c != "id"
        ]
        if not spec.has_auto_pk:
            data = ["id", *data]
        cols = ", ".join(_q(c) for c in data)
        changing = "'updated', 'conflict'" if self.overwrite else "'updated'"
        key_match = self.key_match(table, stg, spec)

        in_stg = f"EXISTS (SELECT 1 FROM {stg} s WHERE {self.key_match('s', 't', spec)} AND "
        # A published record the import writes names the run as its verification: no
        # editor of this database has checked this version of it.
        reviewed = issubclass(spec.model, ReviewedModel)
        published = f"{stg}.review_status = '{ReviewStatus.PUBLISHED.value}'"
        verification_columns = ", verified_at, verified_via" if reviewed else ""
        verification_values = (
            f", CASE WHEN {published} THEN %s END, CASE WHEN {published} THEN %s ELSE '' END"
            if reviewed
            else ""
        )
        verification_params = [self.db_now, self.reason] if reviewed else []
        # Inserts.
        self.write_with_history(
            cursor,
            spec,
            "+",
            f"INSERT INTO {table} ({cols}, created_at, updated_at, import_digest, "
            f"import_fingerprint{verification_columns}) SELECT {cols}, %s, %s, "
            f"{self.dialect.digest(stg, spec.data_columns)}, _fingerprint"
            f"{verification_values} FROM {stg} "
            f"WHERE _action = 'created' ORDER BY {spec.ordering or '_n'}",
            [self.db_now, self.db_now, *verification_params],
            in_stg + "s._action = 'created')",
        )
        if spec.label in PARENTS and spec.has_auto_pk:
            cursor.execute(
                f"UPDATE {stg} SET id = t.id FROM {table} t "
                f"WHERE {stg}._action = 'created' AND {self.key_match(stg, 't', spec)}"
            )
        # Updates.
        if spec.label == "articles.authorship":
            cursor.execute(
                f"UPDATE {table} SET position = {table}.position + {POSITION_SHIFT} FROM {stg} "
                f"WHERE {stg}._action IN ({changing}) AND {key_match}"
            )
        assignments = ", ".join(f"{_q(c)} = {stg}.{_q(c)}" for c in data if c != "id")
        if reviewed:
            assignments += (
                f", verified_by_id = NULL, verified_at = CASE WHEN {published} THEN %s END, "
                f"verified_via = CASE WHEN {published} THEN %s ELSE '' END"
            )
        self.write_with_history(
            cursor,
            spec,
            "~",
            f"UPDATE {table} SET {assignments}, updated_at = %s, import_digest = {stg}._digest, "
            f"import_fingerprint = {stg}._fingerprint "
            f"FROM {stg} WHERE {stg}._action IN ({changing}) AND {key_match}",
            [*verification_params, self.db_now],
            in_stg + f"s._action IN ({changing}))",
        )
        # Equal records whose digest is stale (an editor's change the bundle now agrees
        # with): digest and fingerprint alone are brought up to date, quietly. A record
        # equal but written in another layout (an export of it, say) is left as it is: an
        # unchanged record is not written to.
        cursor.execute(
            f"UPDATE {table} SET import_digest = {stg}._digest, "
            f"import_fingerprint = {stg}._fingerprint FROM {stg} "
            f"WHERE {stg}._action = 'unchanged' AND NOT {stg}._known AND {key_match} "
            f"AND {table}.import_digest <> {stg}._digest"
        )

    # 5. Rules over the whole dataset ----------------------------------------------------

    def check_facts(self, cursor) -> None:
        """The rule book's rules over a record's rows, each by its own set-based check, over
        the records of the bundle (their rows written by now).

        The rules a constraint enforces were checked with the constraint; the quote rule
        with the citations (``locate_quotes``).
        """
        for rule in RULES.values():
            spec = SPECS_BY_LABEL.get(rule.model._meta.label_lower)
            if rule.set_check_over != "records" or rule.constraint or spec is None:
                continue
            if not self.staged[spec.label]:
                continue
            stg = _q(spec.staging_table)
            rows = rule.model._meta.get_field(rule.field)
            child_stg = _q(SPECS_BY_LABEL[rows.related_model._meta.label_lower].staging_table)
            records = rule.model._base_manager.filter(
                pk__in=RawSQL(f"SELECT id FROM {stg} WHERE _action IS NOT NULL", ())
            )
            breaking = rule.set_check(records).order_by().values("pk")
            sql, params = breaking.query.sql_with_params()
            # A record whose rows have errors of their own is not reported again for
            # lacking them.
            cursor.execute(
                f"SELECT s._part, s._idx, s._key FROM {stg} s "
                f"WHERE s._action IS NOT NULL AND s.id IN ({sql}) "
                f"AND NOT EXISTS (SELECT 1 FROM {child_stg} b WHERE NOT b._valid "
                f"AND b.{_q(rows.field.column)} = s.id) ORDER BY s._part, s._idx",
                params,
            )
            self.rows_error(spec, cursor.fetchall(), rule.field, rule.message)

    # The whole run ----------------------------------------------------------------------

    def tune(self, cursor) -> None:
        """Give this transaction room to work in memory (PostgreSQL).

        The staging tables are temporary tables, held in the session's own buffers: with the
        default 8 MB a large bundle's tables spill to disk files and every pass over them
        reads them back. The joins and sorts over them likewise spill past ``work_mem``.
        Both settings end with the import's transaction."""
        if not self.dialect.postgres:
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

    def run(self) -> None:
        with _collector_paused(), connection.cursor() as cursor:
            self.tune(cursor)
            self.create_staging(cursor)
            self.load_known(cursor)
            try:
                with transaction.atomic():
                    self.read_and_process(cursor, early=True)
            except _Restart:
                self.start_again()
                self.read_and_process(cursor, early=False)
            self.known.clear()
            self.check_facts(cursor)
            self.drop_staging(cursor)
        # In the order of the bundle, whichever step found them; errors of no one record last.
        files = {path: number for number, path in enumerate(self.paths)}
        never = len(self.paths)
        self.report.errors.sort(
            key=lambda e: (files.get(e.file, never), never if e.index is None else e.index)
        )

    def read_and_process(self, cursor, *, early: bool) -> None:
        """Stage the bundle and process it model by model, parents first.

        With ``early``, a model is processed as soon as a part of the bundle holding only
        later models has been staged (bundles are written parents first: dumpdata's,
        export_fixtures' and the generator's are), while the rest is still being read.
        Should a later part hold records of a model already processed, ``_Restart``."""
        order = {spec.label: number for number, spec in enumerate(SPECS)}
        pending = list(SPECS)
        furthest = -1
        bar = self._bar(len(SPECS), "checking and writing")
        try:
            with closing(self.read_files(cursor)) as parts:
                for labels in parts:
                    if not labels:
                        continue
                    if min(order[label] for label in labels) < len(self.processed):
                        raise _Restart
                    # Records of a model and of its children may come interleaved (each
                    # article with its bylines): a model is taken as complete once a part
                    # holds only later models.
                    furthest = max(furthest, min(order[label] for label in labels))
                    while early and pending and order[pending[0].label] < furthest:
                        self.process(cursor, pending.pop(0), bar)
            while pending:
                self.process(cursor, pending.pop(0), bar)
        finally:
            if bar:
                bar.close()

    def start_again(self) -> None:
        """Forget what the rolled-back attempt counted and reported."""
        self.report.models.clear()
        self.report.errors.clear()
        self.report.updates.clear()
        self.report.conflicts.clear()
        self.staged = dict.fromkeys(SPECS_BY_LABEL, 0)
        self.known_staged = dict.fromkeys(SPECS_BY_LABEL, 0)
        self.parts = []
        self.processed = []

    def process(self, cursor, spec: ModelSpec, bar) -> None:
        """Check one model's staged records, match them with the table and write them."""
        self.processed.append(spec.label)
        if bar:
            bar.update()
        if self.known_staged[spec.label]:
            self.analyze_table(cursor, _known_table(spec))
            self.stage_known(cursor, spec)
        if not self.staged[spec.label]:
            return
        self.analyze(cursor, spec)
        self.check_duplicates(cursor, spec)
        self.resolve_references(cursor, spec)
        if spec.label == "actors.citation":
            self.locate_quotes(cursor, spec)
        self.analyze(cursor, spec)
        self.check_constraints(cursor, spec)
        self.check_unique_in_bundle(cursor, spec)
        self.classify(cursor, spec)
        self.analyze(cursor, spec)
        try:
            with transaction.atomic():
                self.delete_stale(cursor, spec)
                self.check_unique_in_database(cursor, spec)
                self.report_changes(cursor, spec)
                self.write(cursor, spec)
        except DatabaseError as error:
            self.error(None, None, spec.label, "", "", f"The database refused: {error}")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the import runs.

    Reading a bundle allocates millions of short-lived objects (each record's dicts, its
    row), which trigger the collector over and over; every full pass walks the whole heap,
    which made up about a third of the reading time. The records hold no reference cycles:
    reference counting frees them as they go, so pausing the collector holds no memory.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _own_message(constraint: UniqueConstraint) -> str | None:
    """The message a unique constraint states for its rule, if it states one."""
    if constraint.violation_error_message == constraint.default_violation_error_message:
        return None
    return str(constraint.violation_error_message)


def _condition_fields(condition) -> set[str]:
    names = set()
    for child in condition.children:
        if hasattr(child, "children"):
            names |= _condition_fields(child)
        else:
            lookup, value = child
            names.add(lookup.split("__")[0])
            if isinstance(value, F):
                names.add(value.name.split("__")[0])
    return names


def _field_names(spec: ModelSpec, columns: Sequence[str]) -> list[str]:
    by_column = {f.column: f.name for f in spec.model._meta.concrete_fields}
    return [by_column[c] for c in columns]


def _show_key(key: Sequence) -> str:
    import json

    return str(key[0]) if len(key) == 1 else json.dumps(list(key), ensure_ascii=False)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def fixtures_import(
    *,
    paths: Sequence[str | Path],
    dry_run: bool = False,
    overwrite: bool = False,
    user=None,
    progress: bool = False,
    check_all: bool = False,
    workers: int | None = None,
) -> ImportReport:
    """Import fixture bundles: validate every record, upsert by natural key, atomically.

    Returns the report of what was (or, with ``dry_run``, would be) created, updated, left
    unchanged, deleted and kept as conflicts. Raises ``BundleInvalid`` listing every error
    of the bundle; then nothing is written.

    A record whose exact text the last import wrote, unedited since, is unchanged and is
    not checked field by field again; ``check_all`` checks it all the same (after the
    rules have changed, say).

    ``workers``: how many processes read a large file on PostgreSQL (by default one per
    core, for files of 32 MB and more); given, it applies to files of any size.
    """
    from bundles.models import ImportRun

    names = [str(path) for path in paths]
    report = ImportReport(files=names, dry_run=dry_run, overwrite=overwrite)
    started = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            started_at=started,
            user=user,
            files=names,
            dry_run=dry_run,
            overwrite=overwrite,
            check_all=check_all,
        )
        _Import(
            paths=names,
            report=report,
            overwrite=overwrite,
            reason=run.change_reason,
            user_id=user.pk if user else None,
            progress=progress,
            check_all=check_all,
            workers=workers,
        ).run()
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            run.finished_at = timezone.now()
            run.counts = report.counts()
            run.save(update_fields=["finished_at", "counts"])
            report.run_id = run.pk
    if report.errors:
        raise BundleInvalid(report)
    if dry_run:
        run = ImportRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            user=user,
            files=names,
            dry_run=True,
            overwrite=overwrite,
            check_all=check_all,
            counts=report.counts(),
        )
        report.run_id = run.pk
    return report
