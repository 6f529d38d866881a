"""Reading a large bundle file in several processes, each one part of the file.

Parsing and checking records is Python work on one core, while the database waits; a large
file is cut into as many parts as there are cores, each part read by a forked process that
writes its staging rows as COPY text to a temporary file, which the importing process then
copies into the staging tables. The cuts are found by looking for where a record begins
(``{"model":``); whether a cut truly falls between two records is proven by the part
before it, which is read from a proven start and must end exactly there, after a record and
its comma. If any part does not, nothing the processes wrote is used and the file is read
whole by the importing process.
"""

import ctypes
import multiprocessing
import os
import re
import signal
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from psycopg import Copy
from psycopg.copy import FileWriter

from bundles.reading import BundleSyntaxError, iter_records

# Files smaller than this are read by the importing process alone: forking would cost more.
MIN_BYTES = 32 << 20
# Parts per process: enough that no process is left with all the slow records.
PARTS_PER_PROCESS = 4
MAX_WORKERS = 8
_RECORD_START = re.compile(rb'\{[ \t\n\r]*"model"[ \t\n\r]*:')
# How far past a cut to look for the start of a record.
_WINDOW = 4 << 20

# The import the forked processes work for, and a cursor of its connection that formats
# their COPY rows (they inherit both; neither is sent to them, and the cursor never
# talks to the server: its rows go to files).
_importer = None
_formatting_cursor = None


def worker_count() -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _die_with_parent() -> None:
    """Pool initializer: a reading process is killed when the importing process dies,
    rather than reading on for nobody (Linux; elsewhere it finishes its part)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != _importer_pid:  # it died before the call took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1
_importer_pid = 0


def split_file(path: str, size: int, parts: int) -> list[tuple[int, int]] | None:
    """(start, end) byte offsets of ``parts`` parts, each but the first starting where a
    record seems to begin; None if no such place is found."""
    cuts = [0]
    with open(path, "rb") as handle:
        for k in range(1, parts):
            near = size * k // parts
            handle.seek(near)
            found = _RECORD_START.search(handle.read(_WINDOW))
            if found is None:
                return None
            cuts.append(near + found.start())
    cuts.append(size)
    if any(start >= end for start, end in zip(cuts, cuts[1:], strict=False)):
        return None
    return list(zip(cuts, cuts[1:], strict=False))


@dataclass
class PartResult:
    records: int
    bytes_read: int
    # Staging buffer name (a model label, or its known records'): (file, rows).
    outputs: dict[str, tuple[str, int]] = field(default_factory=dict)
    errors: list[tuple] = field(default_factory=list)


@dataclass
class _Output:
    """One staging buffer's COPY file, as a process writes it: psycopg's own COPY, written
    to a file instead of the connection, formats the rows exactly as the importing process
    would send them."""

    file: Path
    copy: Copy
    rows: int = 0


def read_parts(
    importer,
    path: str,
    bounds: Sequence[tuple[int, int]],
    parts: Sequence[int],
    directory: str,
    processes: int,
) -> Iterator[PartResult | None]:
    """The parts read by ``processes`` processes, each taking the next part when done with
    one (parts of equal size may hold very different numbers of records). Yields each
    part's result in order as soon as it is read: None for a part that is not a run of
    whole records."""
    global _importer, _formatting_cursor, _importer_pid
    size = bounds[-1][1]
    jobs = [
        (path, start, end, start == 0, end == size, part, directory)
        for (start, end), part in zip(bounds, parts, strict=True)
    ]
    _importer, _importer_pid = importer, os.getpid()
    _formatting_cursor = connection.connection.cursor()
    try:
        with multiprocessing.get_context("fork").Pool(
            min(len(jobs), processes), initializer=_die_with_parent
        ) as pool:
            yield from pool.imap(_read_part, jobs, chunksize=1)
    finally:
        _formatting_cursor.close()
        _importer = _formatting_cursor = None


def _read_part(job) -> PartResult | None:
    path, start, end, opening, closing, part, directory = job
    importer = _importer
    outputs: dict[str, _Output] = {}
    result = PartResult(records=0, bytes_read=end - start)

    with ExitStack() as files:

        def emit(name: str, row: tuple) -> None:
            output = outputs.get(name)
            if output is None:
                file = Path(directory) / f"{part}-{name}.copy"
                writer = FileWriter(files.enter_context(file.open("wb")))
                copy = files.enter_context(Copy(_formatting_cursor, binary=False, writer=writer))
                output = outputs[name] = _Output(file, copy)
            output.copy.write_row(row)
            output.rows += 1

        try:
            with open(path, "rb") as handle:
                handle.seek(start)
                records = iter_records(
                    _Range(handle, end - start), opening=opening, closing=closing
                )
                for index, record, text in records:
                    importer.stage_record(part, index, record, text, emit, _collect(result))
                    result.records += 1
        except BundleSyntaxError:
            return None
    result.outputs = {name: (str(out.file), out.rows) for name, out in outputs.items()}
    return result


def _collect(result: PartResult):
    def error(*args) -> None:
        result.errors.append(args)

    return error


class _Range:
    """The bytes of a file from where it stands to ``size`` bytes further."""

    def __init__(self, handle, size: int):
        self._handle = handle
        self._left = size

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(wanted)
        self._left -= len(data)
        return data
