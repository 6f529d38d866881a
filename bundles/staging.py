"""Staging: each file's records read, checked field by field, and put into temporary tables.

One staging table per model (the planner's estimates of a model's share of a shared table
went wrong by orders of magnitude), and one more for its records known unchanged, whose
rows ``known`` fills in from the database. A large file is read by several processes
(``parallel``), each part staged as soon as it is read.
"""

from collections.abc import Iterator, Sequence
from contextlib import closing
from hashlib import blake2b
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from bundles import parallel
from bundles.dialect import _q
from bundles.leftovers import scratch_directory
from bundles.reading import (
    KNOWN_ROW,
    ROW_HEAD,
    BundleSyntaxError,
    RecordReader,
    iter_records,
    reader_for,
)
from bundles.specs import AGGREGATES, SPECS, SPECS_BY_LABEL, ModelSpec

LOAD_BATCH = 5_000
# A staging row's ordinal: its part of a file in the high bits, its index in the low ones.
PART_SHIFT = 32
# The read buffer of a model's records known unchanged: "<label>#known".
_KNOWN = "#known"


class _NotWholeRecords(Exception):
    """A part of a file read apart did not hold whole records: the cut was wrong."""


class Restart(Exception):
    """Models were processed before the bundle was read to its end, and the rest of it
    turned out to hold records of them (or could not be read in parts): start again,
    reading everything before processing anything."""


class Staging:
    """The staging step of an import (see ``importing``): it uses the import's ``paths``,
    ``dialect``, ``readers``, ``staged``, ``known``, ``known_staged``, ``parts``,
    ``processed``, ``workers``, ``report`` and ``error``."""

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
            self.dialect.index_staging(cursor, spec)
            # One table per model, not one for all: the planner's estimates of a model's
            # share of a shared table went wrong by orders of magnitude.
            cursor.execute(f"DROP TABLE IF EXISTS {_q(spec.known_table)}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {_q(spec.known_table)} "
                f"(_n {self.dialect.row_id_type()}, _part integer, _idx integer, _key text, "
                "_fingerprint varchar(32))"
            )
            if spec.label in AGGREGATES:
                pk = spec.model._meta.pk
                key_type = "bigint" if spec.has_auto_pk else pk.db_type(connection)
                cursor.execute(f"DROP TABLE IF EXISTS {_q(spec.touched_table)}")
                cursor.execute(f"CREATE TEMPORARY TABLE {_q(spec.touched_table)} (id {key_type})")

    def drop_staging(self, cursor) -> None:
        for spec in SPECS:
            tables = (spec.staging_table, spec.known_table, spec.unedited_table)
            if spec.label in AGGREGATES:
                tables += (spec.touched_table,)
            for table in tables:
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
                    self.unreadable(part, None, f"Cannot read the file: {error}.")
                    continue
                with handle:
                    try:
                        for index, record, text in iter_records(
                            handle, bar.update if bar else None
                        ):
                            self.stage_record(part, index, record, text, emit, self.error)
                    except BundleSyntaxError as error:
                        self.unreadable(part, error.index, str(error))
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
        then, the whole import starts again (``Restart``)."""
        parts = [self.new_part(file_no) for _ in bounds]
        staged, known_staged = dict(self.staged), dict(self.known_staged)
        errors_before = len(self.report.errors)
        try:
            # The pool closes (its processes stopped) before the directory is removed.
            with (
                scratch_directory("caci-import-") as directory,
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
                raise Restart from None
            self.staged, self.known_staged = staged, known_staged
            del self.report.errors[errors_before:]
            return False
        return True

    def _stage_part(self, cursor, result: "parallel.PartResult") -> None:
        for name, (file, count) in result.outputs.items():
            if name.endswith(_KNOWN):
                label = name.removesuffix(_KNOWN)
                self._copy_file(cursor, SPECS_BY_LABEL[label].known_table, KNOWN_ROW, file)
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
            self.dialect.load(cursor, spec.known_table, KNOWN_ROW, rows)
        else:
            spec = SPECS_BY_LABEL[label]
            self.dialect.load(cursor, spec.staging_table, self.readers[label].columns, rows)
            self.staged[label] += len(rows)
        rows.clear()

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
                self.dialect.analyze_table(cursor, each.staging_table)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0
