"""Several app servers starting together each run ``migrate``: one at a time."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from core.management.commands.migrate import MIGRATE_LOCK_KEY

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the lock is PostgreSQL's",
)


@pytest.fixture
def empty_database():
    """A new, empty database on the test server, and its URL."""
    db = connection.settings_dict
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"caci_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def start_migrate(url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "--noinput"],
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def waiting_for_the_lock(db: psycopg.Connection) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND (classid::bigint << 32 | objid::bigint) = %s",
            [MIGRATE_LOCK_KEY],
        ).fetchone()
    )


def test_a_migrate_waits_while_another_runs_then_finds_the_work_done(empty_database):
    with psycopg.connect(empty_database, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        first, second = start_migrate(empty_database), start_migrate(empty_database)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not waiting_for_the_lock(holder):
            time.sleep(0.1)
        assert waiting_for_the_lock(holder), "neither migrate waited for the lock"
        assert first.poll() is None
        assert second.poll() is None
        holder.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])

        outputs = [process.communicate(timeout=600) for process in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], outputs
    applied = [out for out, _ in outputs if "Applying " in out]
    assert len(applied) == 1  # The other found every migration applied.
