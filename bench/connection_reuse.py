"""What reusing PostgreSQL connections saves per request, under gunicorn.

Starts gunicorn (one process, one thread, DJANGO_DEBUG=0) on loopback against the
database of ``--database-url`` (migrated beforehand: ``manage.py migrate``), once with
DATABASE_CONN_MAX_AGE=0 (a new connection per request) and once with 60 (kept and checked),
alternating for ``--rounds`` rounds, and prints the median and 95th percentile of
``--requests`` sequential requests for one small API page each time.

    python bench/connection_reuse.py --database-url postgres://postgres@127.0.0.1:5432/caci
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/api/v1/authors/?page_size=1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(database_url: str, max_age: str, requests: int) -> tuple[float, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "connection-reuse-benchmark-" * 3,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": max_age,
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
        "API_THROTTLE_ANON_RATE": "1000000/minute",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}{PAGE}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        for _ in range(20):  # Warm up: imports, the first connection.
            urllib.request.urlopen(url).read()
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            urllib.request.urlopen(url).read()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.95)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/caci")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.rounds):
        for max_age in ("0", "60"):
            p50, p95 = measure(args.database_url, max_age, args.requests)
            print(f"DATABASE_CONN_MAX_AGE={max_age:>2}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
