"""An import killed at any point (SIGKILL: the OOM killer, a lost machine) leaves the database
exactly as it was and no temporary files behind.

``import_fixtures`` runs as a process of its own against the test database (on SQLite, a
file copy of it). Its files are named pipes the test writes, so the import is stopped at a
known point: blocked opening the next file once the models complete so far are written (in
its transaction), or part-way through a file. On PostgreSQL, it is also killed while its
reading processes write their files.
"""

import errno
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bundles.exporting import exportable_labels
from bundles.management.commands.seed import fixture_files

pytestmark = pytest.mark.django_db(transaction=True)

# How long a condition the test waits for may take before it is a failure.
PATIENCE = 120


class Target:
    """The database a killed import runs against: its URL, and every table's rows."""

    def __init__(self, tmp_path: Path):
        call_command("seed", stdout=io.StringIO())
        if connection.vendor == "sqlite":
            self.file = tmp_path / "db.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(self.file) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.file}"
        else:
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
            self.url = (
                f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )

    def tables(self) -> dict[str, tuple[int, str]]:
        """Each table's row count and a digest of its rows (in any order)."""
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.file) as db:
                names = [
                    name
                    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                ]
                return {name: _digest(db.execute(f'SELECT * FROM "{name}"')) for name in names}
        with connection.cursor() as cursor:
            result = {}
            for name in connection.introspection.table_names(cursor):
                cursor.execute(f'SELECT * FROM "{name}"')
                result[name] = _digest(cursor.fetchall())
            return result


def _digest(rows) -> tuple[int, str]:
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture
def target(tmp_path):
    return Target(tmp_path)


@pytest.fixture
def scratch(tmp_path):
    """The temporary directory (TMPDIR) of the import's processes."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


def revised_corpus() -> list[bytes]:
    """The corpus files with every name and title changed: an import that updates rows
    (and writes their history) in every model it reaches."""
    texts = []
    for path in fixture_files():
        records = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            for field in ("name", "title"):
                if isinstance(record["fields"].get(field), str):
                    record["fields"][field] += " (revised)"
        texts.append(json.dumps(records, ensure_ascii=False, indent=1).encode())
    return texts


def start_import(target: Target, scratch: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": target.url, "TMPDIR": str(scratch)}
    return subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_fixtures", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"The import ended ({process.returncode}) before {what}: {err.decode()}")
        time.sleep(0.01)
    pytest.fail(f"Gave up waiting for {what}.")


def open_when_read(fifo: Path, process: subprocess.Popen) -> int:
    """Open a named pipe for writing once the import opens it for reading."""

    def opened():
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:  # no reader yet
                raise
            return None

    handle = wait_for(opened, f"the import opens {fifo.name}", process)
    os.set_blocking(handle, True)
    return handle


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stderr.close()


# (files the import has read whole, bytes of the next one it is given) when it is killed.
KILL_POINTS = [
    pytest.param(1, 0, id="reading-the-second-file"),
    pytest.param(2, 0, id="articles-written-actors-read"),
    pytest.param(3, 2000, id="in-the-last-file-with-three-files-written"),
]


@pytest.mark.parametrize(("whole", "partly"), KILL_POINTS)
def test_an_import_killed_at_any_point_leaves_the_database_as_it_was(
    target, scratch, tmp_path, whole, partly
):
    texts = revised_corpus()
    fifos = [tmp_path / f"{number}.json" for number in range(len(texts))]
    for fifo in fifos:
        os.mkfifo(fifo)
    before = target.tables()
    process = start_import(target, scratch, *map(str, fifos))
    try:
        for fifo, text in zip(fifos[:whole], texts, strict=False):
            handle = open_when_read(fifo, process)
            _write_all(handle, text)
            os.close(handle)
        # The import has opened the next file: every model complete in the files before
        # is checked and written, in its transaction, not committed.
        handle = open_when_read(fifos[whole], process)
        _write_all(handle, texts[whole][:partly])
        kill(process)
        os.close(handle)
    finally:
        if process.poll() is None:
            kill(process)

    assert process.returncode == -signal.SIGKILL
    assert target.tables() == before
    assert list(scratch.iterdir()) == []


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="files are read by several processes on PostgreSQL only",
)
def test_an_import_killed_while_its_processes_read_leaves_no_files_nor_processes(
    target, scratch, tmp_path
):
    bundle = tmp_path / "synthetic.json"
    call_command(
        "generate_synthetic",
        "--articles=200",
        "--trade-figures=20000",
        f"--output={bundle}",
        stdout=io.StringIO(),
    )
    before = target.tables()
    process = start_import(target, scratch, "--workers=2", str(bundle))
    try:
        # Killed once the reading processes have begun writing their files.
        wait_for(lambda: list(scratch.glob("caci-import-*/*")), "the readers write", process)
        readers = _children(process.pid)
        kill(process)
    finally:
        if process.poll() is None:
            kill(process)

    assert process.returncode == -signal.SIGKILL
    assert readers
    wait_for(lambda: not any(_alive(pid) for pid in readers), "the readers end")
    wait_for(lambda: not list(scratch.iterdir()), "the directory is removed")
    assert target.tables() == before


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_an_export_killed_part_way_leaves_neither_a_bundle_nor_its_partial_file(target, tmp_path):
    """The export writes beside its target and renames at the end; killed before the end, it
    leaves the folder as it was. It is stopped at a known point: the database is locked by
    the test, so the export waits at its first read, its partial file already open."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with _dataset_locked(target):
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "export_fixtures",
                str(out_dir / "bundle.json"),
            ],
            env={**os.environ, "DATABASE_URL": target.url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: list(out_dir.glob("*.partial")), "the partial file", process)
            kill(process)
        finally:
            if process.poll() is None:
                kill(process)

    assert process.returncode == -signal.SIGKILL
    wait_for(lambda: not list(out_dir.iterdir()), "the partial file is removed")


@contextmanager
def _dataset_locked(target: Target):
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(target.file, isolation_level=None)) as db:
            db.execute("BEGIN EXCLUSIVE")
            yield
            db.execute("ROLLBACK")
        return
    tables = ", ".join(
        f'"{apps.get_model(label)._meta.db_table}"' for label in exportable_labels()
    )
    with psycopg.connect(target.url) as db, db.transaction():
        db.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        yield
