"""The app as an operator deploys it: README "Deploying", step by step, in a folder of its
own (an SQLite file, its own static root), served by gunicorn with DJANGO_DEBUG=0.

Built once per test session, the first time a test asks for ``production``: the steps
take a minute (migrate, collectstatic).
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("CACI_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
STARTUP_SECONDS = 300
ADMIN_USERNAME = "operator"
ADMIN_PASSWORD = "a-long-password-for-the-operator"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False


def production_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The production environment of README "Deploying", on this machine: no TLS proxy in
    front, so no HTTPS redirect and cookies allowed over plain HTTP."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "GUNICORN_", "API_THROTTLE_"))
        and k not in {"REDIS_URL", "NUM_PROXIES", "PORT"}
    }
    return {
        **clean,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'caci.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        **extra,
    }


def wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    raise RuntimeError(f"not ready after {STARTUP_SECONDS} s:\n{log.read_text()}")


@dataclass
class Served:
    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PROJECT / ".venv" / "bin" / "python"), "manage.py", *args],
            cwd=PROJECT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=True,
        )


def serve(tmp: Path, command: list[str], **extra: str) -> Served:
    port = free_port()
    env = production_env(tmp, PORT=str(port), **extra)
    log = tmp / "server.log"
    with log.open("w") as out:
        # Its own process group, so that the test stops make, gunicorn and its workers.
        process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", env, log, process)
    try:
        wait_until_ready(served.url, process, log)
    except BaseException:
        stop(served)
        raise
    return served


def stop(served: Served) -> None:
    if served.process.poll() is None:
        os.killpg(served.process.pid, signal.SIGTERM)
        try:
            served.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(served.process.pid, signal.SIGKILL)
            served.process.wait()


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """`make serve` (migrate, collectstatic, gunicorn) with DJANGO_DEBUG=0, then an
    administrator made as the README says; the shared cache is Redis when it answers."""
    tmp = tmp_path_factory.mktemp("production")
    extra = {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2"}
    if redis_answers():
        extra |= {"REDIS_URL": TEST_REDIS_URL, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    served = serve(tmp, ["make", "--no-print-directory", "serve"], **extra)
    try:
        served.manage(
            "createsuperuser",
            "--noinput",
            DJANGO_SUPERUSER_USERNAME=ADMIN_USERNAME,
            DJANGO_SUPERUSER_EMAIL="operator@example.org",
            DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        )
        yield served
    finally:
        stop(served)
