"""Load test: gunicorn serving caci on PostgreSQL, under a mix of the public's requests.

    make load        (or: .venv/bin/python bench/load.py)

Loads the corpus and a synthetic bundle into its own database, made anew (``caci_load``, or
``LOAD_DATABASE_URL``), serves it with gunicorn on a loopback port in production mode,
and sends a fixed number of requests with wrk (Debian's ``wrk``) from a fixed list of
paths: lists, filters, searches, details and CSV exports, in proportions like the
public's. Bounded in requests (``LOAD_REQUESTS``, 2,000: the run ends when they are
answered) and in time (``LOAD_SECONDS``, 300, for a server too slow to answer them);
loopback only. Prints the requests per second and the latency percentiles (p50,
p95, p99), and fails if any request did not answer 200.

Environment: ``LOAD_CONNECTIONS`` (8), ``LOAD_THREADS`` (2), ``GUNICORN_WORKERS`` (2),
``LOAD_TRADE_FIGURES`` (20,000, the synthetic bundle's size).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/caci_load")
REQUESTS = int(os.environ.get("LOAD_REQUESTS", "2000"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "300"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "8"))
THREADS = int(os.environ.get("LOAD_THREADS", "2"))
WORKERS = os.environ.get("GUNICORN_WORKERS", "2")
TRADE_FIGURES = os.environ.get("LOAD_TRADE_FIGURES", "20000")

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "600",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "load-test-only-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    # Plain HTTP on the loopback: no TLS-terminating proxy in front.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
    # The public's rate limit would turn most of a load test into 429s.
    "API_THROTTLE_ANON_RATE": "100000000/minute",
}

# wrk's script: the paths in turn, each thread stopping after its share of the requests
# and leaving a file that says so (wrk itself runs for its whole --duration, whatever its
# threads do: once every thread has stopped, the run is ended with SIGINT, after which wrk
# reports as usual); at the end one JSON line of figures (every answer other than 200
# counted as an error).
WRK_SCRIPT = """
local paths = {%(paths)s}
local limit = %(limit)d
local stopped = %(stopped)s
local threads = {}
sent, answered, failed = 0, 0, 0  -- globals: done() reads them with thread:get

setup = function(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

request = function()
  sent = sent + 1
  local path = paths[(sent - 1) %% #paths + 1]
  local accept = path:find("format=csv", 1, true) and "text/csv" or "application/json"
  return wrk.format("GET", path, {["Accept"] = accept})
end

response = function(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
  if answered == limit then
    io.open(stopped .. number, "w"):close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do not_ok = not_ok + thread:get("failed") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "seconds": %%.3f, "not_200": %%d, "socket_errors": %%d, ' ..
    '"p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f}\\n',
    summary.requests, summary.duration / 1e6, not_ok,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


def run(*args: str, env: dict | None = None) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_database(scratch: Path) -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0]
    # A database of its own, made anew: a run never depends on what an earlier run, with
    # other sizes, left in it.
    run("psql", f"{server}/postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    run("psql", f"{server}/postgres", "-c", f"CREATE DATABASE {name}")
    env = {"DATABASE_URL": DATABASE_URL}
    manage = (PYTHON, "manage.py")
    run(*manage, "migrate", "--noinput", env=env)
    run(*manage, "seed", env=env)
    bundle = scratch / "synthetic.json"
    run(
        *manage,
        "generate_synthetic",
        f"--trade-figures={TRADE_FIGURES}",
        "--articles=500",
        "--agreements=500",
        "--actors=60",
        f"--output={bundle}",
        env=env,
    )
    run(*manage, "import_fixtures", str(bundle), env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def paths_to_request(base: str) -> list[str]:
    """The mix: for every 12 requests, 3 lists, 3 filtered lists, 2 searches, 3 details
    and 1 CSV export, over every resource."""
    api = "/api/v1"
    actors = get(f"{base}{api}/actors/")["results"]
    articles = get(f"{base}{api}/articles/")["results"]
    agreements = get(f"{base}{api}/agreements/")["results"]
    figures = get(f"{base}{api}/trade-figures/")["results"]
    country = next(a for a in actors if a.get("iso_code"))
    detail = [
        r["url"].removeprefix(base) for r in (actors[0], articles[0], agreements[0], figures[0])
    ]
    mix = [
        f"{api}/trade-figures/",
        f"{api}/agreements/",
        f"{api}/actors/",
        f"{api}/trade-figures/?reporter={country['iso_code']}",
        f"{api}/trade-figures/?year_min=2010&year_max=2020",
        f"{api}/agreements/?party={country['slug']}",
        f"{api}/articles/?search=gas",
        f"{api}/actors/?q=central",
        detail[0],
        detail[2],
        detail[3],
        f"{api}/trade-figures/?format=csv&reporter={country['iso_code']}",
    ]
    for path in [*mix, detail[1]]:
        status = urllib.request.urlopen(f"{base}{path}", timeout=60).status
        if status != 200:
            sys.exit(f"{path} answers {status} before the load")
    return mix


def wrk_until_answered(script: Path, base: str, stopped: Path) -> str:
    """Run wrk until each of its threads has had its share of the requests answered (or
    ``SECONDS`` have passed), then end it: its output."""
    wrk = subprocess.Popen(
        [
            "wrk",
            f"--threads={THREADS}",
            f"--connections={CONNECTIONS}",
            f"--duration={SECONDS}s",
            "--timeout=30s",
            f"--script={script}",
            base,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    markers = [Path(f"{stopped}{number}") for number in range(1, THREADS + 1)]
    while wrk.poll() is None and not all(marker.exists() for marker in markers):
        time.sleep(0.05)
    if wrk.poll() is None:
        wrk.send_signal(signal.SIGINT)
    out, err = wrk.communicate()
    if wrk.returncode:
        sys.exit(f"wrk failed:\n{out}{err}")
    return out


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="caci-load-") as scratch:
        print(f"Preparing {DATABASE_URL} (corpus + synthetic bundle)…", flush=True)
        prepare_database(Path(scratch))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "caci.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={WORKERS}",
                "--timeout=60",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**os.environ, **SERVER_ENV},
        )
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            paths = paths_to_request(base)
            script = Path(scratch) / "mix.lua"
            stopped = Path(scratch) / "stopped-"
            script.write_text(
                WRK_SCRIPT
                % {
                    "paths": ", ".join(json.dumps(p) for p in paths),
                    "limit": max(1, REQUESTS // THREADS),
                    "stopped": json.dumps(str(stopped)),
                }
            )
            output = wrk_until_answered(script, base, stopped)
        finally:
            server.terminate()
            server.wait()
    figures = json.loads(output.strip().splitlines()[-1])
    rate = figures["requests"] / figures["seconds"]
    print(
        f"{figures['requests']} requests in {figures['seconds']:.1f} s over {CONNECTIONS} "
        f"connections, gunicorn with {WORKERS} workers: {rate:.0f} req/s; "
        f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.0f} ms; "
        f"errors: {figures['not_200']} not 200, {figures['socket_errors']} socket"
    )
    if figures["not_200"] or figures["socket_errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
