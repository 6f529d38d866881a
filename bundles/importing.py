"""The fixture importer: a bundle in, every record checked, then upserted in a few statements.

How it goes, in one transaction, each step in a module of its own:

1. ``staging``: each file is streamed and every record's fields are checked by the model's
   own rules (``reading``); the rows go into temporary staging tables (COPY on PostgreSQL,
   batched inserts on SQLite). Nothing of the bundle is held in memory. Large files are
   read by several processes (``parallel``).
2. ``known``: a record whose exact text the last import wrote, on a row unedited since, is
   known unchanged: it is staged from that row, its key alone read.
3. ``checks``: model by model, parents before children, set-based SQL over the staging
   tables (each model as soon as the bundle's later parts hold only later models):
   duplicate natural keys, references resolved to ids (in the bundle or already in the
   database), the quotes found in their articles (Python, grouped by article, streamed),
   the model's check and unique constraints (their own SQL, compiled from
   ``Meta.constraints``); at the end, the whole-dataset rules: every agreement has two
   parties, every fact a citation.
4. ``writing``: each valid record is matched with the database by natural key and its
   digest compared: created, updated, unchanged, or a conflict when an editor changed it
   since its import. Children the bundle no longer lists for a parent it contains are
   deleted. Writes are INSERT … SELECT / UPDATE … FROM the staging tables, and the history
   rows are written the same way, naming the import run.
5. ``report``: what was (or would be) done, and every error, located in its file.

The steps are the same for every model; what is particular to one model is declared on its
spec (``specs``). ``dialect`` holds the SQL where PostgreSQL and SQLite differ.

Any error anywhere and the transaction is rolled back: the report lists every error. A dry
run does all of it and rolls back too, so it reports exactly what the import would do.
"""

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from bundles import parallel
from bundles.checks import Checks
from bundles.dialect import Dialect
from bundles.known import KnownRecords
from bundles.reading import RecordReader
from bundles.report import BundleError, BundleInvalid, ImportReport
from bundles.specs import SPECS, SPECS_BY_LABEL, ModelSpec
from bundles.staging import Restart, Staging
from bundles.writing import Writing


class _Import(Staging, KnownRecords, Checks, Writing):
    """One import: the state its steps share, and the order they run in."""

    def __init__(
        self,
        *,
        paths: Sequence[str],
        report: ImportReport,
        overwrite: bool,
        reason: str,
        user,
        progress: bool,
        check_all: bool,
        workers: int | None = None,
    ):
        self.paths = list(paths)
        self.report = report
        self.overwrite = overwrite
        self.reason = reason
        self.user = user
        self.user_id = user.pk if user else None
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
        # The errors of files that could not be read to their end.
        self.causes: list[BundleError] = []
        # How many records of each model with parts are noted to be changed (``writing``).
        self.touched: dict[str, int] = dict.fromkeys(SPECS_BY_LABEL, 0)
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

    def unreadable(self, part, index, message) -> None:
        """A file that cannot be read to its end (missing, malformed, cut short): the
        cause, reported first. The records after it are unknown, so the checks that look
        across records (references, the whole-dataset rules) are not run: each record
        missing past the cut would be reported as their error."""
        self.error(part, index, "", "", "", message)
        self.causes.append(self.report.errors[-1])

    def rows_error(self, spec: ModelSpec, rows: Iterable[tuple], field: str, message) -> None:
        """Report rows (part, index, key, *extra) as errors; ``message`` may be a function."""
        for part, index, key, *extra in rows:
            text = message(*extra) if callable(message) else message
            if text is None:
                continue
            self.error(part, index, spec.label, key, field, text)

    def run(self) -> None:
        with _collector_paused(), connection.cursor() as cursor:
            self.dialect.tune(cursor)
            self.create_staging(cursor)
            self.load_known(cursor)
            try:
                with transaction.atomic():
                    self.read_and_process(cursor, early=True)
            except Restart:
                self.start_again()
                self.read_and_process(cursor, early=False)
            self.known.clear()
            if not self.causes:
                self.check_facts(cursor)
            self.drop_staging(cursor)
        # A file that could not be read first; then in the order of the bundle, whichever
        # step found them; errors of no one record last.
        files = {path: number for number, path in enumerate(self.paths)}
        never = len(self.paths)
        causes = {id(error) for error in self.causes}
        self.report.errors.sort(
            key=lambda e: (
                id(e) not in causes,
                files.get(e.file, never),
                never if e.index is None else e.index,
            )
        )

    def read_and_process(self, cursor, *, early: bool) -> None:
        """Stage the bundle and process it model by model, parents first.

        With ``early``, a model is processed as soon as a part of the bundle holding only
        later models has been staged (bundles are written parents first: dumpdata's,
        export_fixtures' and the generator's are), while the rest is still being read.
        Should a later part hold records of a model already processed, ``Restart``."""
        order = {spec.label: number for number, spec in enumerate(SPECS)}
        pending = list(SPECS)
        furthest = -1
        bar = self._bar(len(SPECS), "checking and writing")
        try:
            with closing(self.read_files(cursor)) as parts:
                for labels in parts:
                    if not labels or self.causes:
                        continue
                    if min(order[label] for label in labels) < len(self.processed):
                        raise Restart
                    # Records of a model and of its children may come interleaved (each
                    # article with its bylines): a model is taken as complete once a part
                    # holds only later models.
                    furthest = max(furthest, min(order[label] for label in labels))
                    while early and pending and order[pending[0].label] < furthest:
                        self.process(cursor, pending.pop(0), bar)
            while pending and not self.causes:
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
        self.causes = []
        self.touched = dict.fromkeys(SPECS_BY_LABEL, 0)

    def process(self, cursor, spec: ModelSpec, bar) -> None:
        """Check one model's staged records, match them with the table and write them."""
        self.processed.append(spec.label)
        if bar:
            bar.update()
        if self.known_staged[spec.label]:
            self.dialect.analyze_table(cursor, spec.known_table)
            self.stage_known(cursor, spec)
        if not self.staged[spec.label]:
            return
        self.analyze(cursor, spec)
        self.check_duplicates(cursor, spec)
        self.resolve_references(cursor, spec)
        if spec.quoted_in:
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
            user=user,
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
