"""PostgreSQL restarted under a running server: a 503 problem response while it is down,
and the server answers again once it is back, without being restarted itself.

The database is a throwaway PostgreSQL cluster of its own (port 5434, made and dropped
here with Debian's pg_createcluster, as root), so that stopping it disturbs nothing
else; gunicorn serves caci from it in production mode with persistent connections.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from caci.tests.servers import Server, manage, wait_for

PORT = 5434
CLUSTER = "outage"
URL = f"postgres://postgres@127.0.0.1:{PORT}/caci"


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def cluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, CLUSTER, action, "-m", "fast"]
        if action == "stop"
        else ["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, CLUSTER, action],
        check=True,
        capture_output=True,
    )


def ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PORT)]).returncode == 0


VERSION = max(os.listdir("/etc/postgresql"), key=float) if Path("/etc/postgresql").is_dir() else ""


@pytest.fixture(scope="module")
def throwaway_cluster():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("restarts a PostgreSQL cluster: set DATABASE_URL to a PostgreSQL database")
    if not VERSION or not shutil.which("pg_createcluster") or os.geteuid() != 0:
        unavailable("needs Debian's PostgreSQL cluster tools, run as root")
    subprocess.run(["pg_dropcluster", "--stop", VERSION, CLUSTER], capture_output=True)
    subprocess.run(
        ["pg_createcluster", VERSION, CLUSTER, "-p", str(PORT)], check=True, capture_output=True
    )
    # The main cluster's authentication rules (trust on the loopback), as .ci/replica does.
    shutil.copy(
        f"/etc/postgresql/{VERSION}/main/pg_hba.conf",
        f"/etc/postgresql/{VERSION}/{CLUSTER}/pg_hba.conf",
    )
    try:
        cluster("start")
        wait_for(ready, "the throwaway cluster to start")
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "caci"], check=True
        )
        env = {"DATABASE_URL": URL}
        manage("migrate", "--noinput", env=env)
        manage("seed", env=env)
        yield
    finally:
        subprocess.run(["pg_dropcluster", "--stop", VERSION, CLUSTER], capture_output=True)


def test_a_restart_of_the_database_answers_503_then_the_server_recovers(
    throwaway_cluster, tmp_path
):
    server = Server(
        {
            "DATABASE_URL": URL,
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "a-key-for-this-test-only-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on the loopback: no TLS-terminating proxy in front.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "API_THROTTLE_ANON_RATE": "100000/minute",
        },
        tmp_path,
    )
    try:
        status, _, listed = server.get("/api/v1/actors/")
        assert status == 200
        detail = listed["results"][0]["url"].removeprefix(server.url)

        cluster("stop")
        csv = ("/api/v1/trade-figures/?format=csv", "text/csv")
        for path, accept in (("/api/v1/actors/", "application/json"), (detail, "*/*"), csv):
            status, headers, body = server.get(path, {"Accept": accept})
            assert (status, headers["Content-Type"]) == (503, "application/problem+json")
            assert body["status"] == 503
            assert "database cannot be reached" in body["detail"]
            assert headers["Retry-After"] == "5"

        cluster("start")
        wait_for(ready, "the cluster to start again")
        status, _, again = server.get("/api/v1/actors/")
        assert (status, again) == (200, listed)
        assert server.get(detail)[0] == 200
        assert server.process.poll() is None  # the same server, never restarted
    finally:
        server.stop()
