"""What an operator relies on from each app server: health checks a load balancer can poll,
one log line per request, and rate limits counted per real client."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "127.0.0.1:9"  # Nothing listens there: the connection is refused at once.


def requests_in_a_process(*requests: dict, **env: str) -> subprocess.CompletedProcess:
    """Run ``requests`` (path, headers) through Django's test client in a fresh process with
    ``env``, the way a server process starts: its settings, its logging to stdout. The
    last line of stdout is the JSON list of (status, content type, body) answered."""
    script = """
import json, sys
import django
django.setup()
from django.test import Client
answers = []
for request in json.loads(sys.argv[1]):
    response = Client().get(request["path"], **request.get("headers", {}))
    answers.append([response.status_code, response["Content-Type"], response.content.decode()])
print(json.dumps(answers))
"""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_")) and k not in {"REDIS_URL", "NUM_PROXIES"}
    }
    return subprocess.run(
        [sys.executable, "-c", script, json.dumps(requests)],
        cwd=PROJECT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "caci.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )


def answers(result: subprocess.CompletedProcess) -> list:
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_liveness_answers_without_the_database(tmp_path):
    result = requests_in_a_process(
        {"path": "/health/live"}, DATABASE_URL=f"postgres://postgres@{CLOSED_PORT}/caci"
    )

    assert answers(result) == [[200, "application/json", '{"status": "ok"}']]


def test_readiness_checks_the_database_and_the_cache(tmp_path):
    result = requests_in_a_process(
        {"path": "/health/ready"}, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )

    [[status, _, body]] = answers(result)
    assert status == 200
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database:default": "ok", "cache": "ok"},
    }


@pytest.mark.parametrize(
    ("env", "down"),
    [
        ({"DATABASE_URL": f"postgres://postgres@{CLOSED_PORT}/caci"}, "database:default"),
        ({"REDIS_URL": f"redis://{CLOSED_PORT}/0"}, "cache"),
    ],
)
def test_readiness_answers_503_naming_what_is_down(tmp_path, env, down):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env}

    [[status, content_type, body]] = answers(
        requests_in_a_process({"path": "/health/ready"}, **env)
    )

    problem = json.loads(body)
    assert (status, content_type) == (503, "application/problem+json")
    assert problem["title"] == "Service Unavailable"
    assert problem["status"] == 503
    assert problem["detail"] == f"Not ready: {down} did not answer."
    assert problem["checks"][down] != "ok"
    assert [name for name, state in problem["checks"].items() if state != "ok"] == [down]


def test_each_request_is_logged_once_to_stdout_with_its_status_and_duration(tmp_path):
    probe = uuid.uuid4().hex
    result = requests_in_a_process(
        {"path": f"/health/live?probe={probe}"},
        {"path": f"/nowhere-{probe}/"},
        {"path": "/health/live", "headers": {"HTTP_HOST": f"evil-{probe}.example"}},
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    lines = result.stdout.splitlines()[:-1]  # The last is the answers.
    live = [line for line in lines if f"probe={probe}" in line]
    missing = [line for line in lines if f"/nowhere-{probe}/" in line]
    bad_host = [line for line in lines if "django.security.DisallowedHost Invalid" in line]
    assert len(live) == 1
    assert " INFO caci.request GET /health/live?probe=" in live[0]
    assert live[0].split(f"probe={probe} ")[1].split()[:1] == ["200"]
    assert live[0].split()[-2].endswith("ms")
    assert len(missing) == 1  # The request's line, not a second "Not Found" warning.
    assert f"GET /nowhere-{probe}/ 404 " in missing[0]
    # Django's own messages, printed once (they used to be printed twice).
    assert len(bad_host) == 1
    assert (
        f"ERROR django.security.DisallowedHost Invalid HTTP_HOST header: 'evil-{probe}"
        in (bad_host[0])
    )
    assert result.stderr.count(probe) == 0


def test_a_streamed_export_is_logged_once_when_its_last_byte_is_sent(db, dataset, api, caplog):
    caplog.set_level("INFO", logger="caci.request")
    response = api.get("/api/v1/trade-figures/?format=csv")
    logged_before_sending = [r for r in caplog.records if r.name == "caci.request"]

    body = b"".join(response.streaming_content)
    response.close()

    lines = [r.getMessage() for r in caplog.records if r.name == "caci.request"]
    assert body.count(b"\n") > 1
    assert logged_before_sending == []
    assert len(lines) == 1
    assert lines[0].startswith("GET /api/v1/trade-figures/?format=csv 200 ")


# Rate limits per client, behind the configured proxies ---------------------------------


@pytest.fixture
def three_per_minute(settings, api):
    def configure(proxies: int) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "3/minute"},
            "NUM_PROXIES": proxies,
        }

    return configure


def test_a_made_up_forwarded_for_header_does_not_escape_the_rate_limit(db, api, three_per_minute):
    three_per_minute(proxies=0)

    codes = [
        api.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)
    ]

    assert codes == [200, 200, 200, 429]


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(db, api, three_per_minute):
    three_per_minute(proxies=1)
    # The client writes what it likes first; the proxy appends the address it saw.
    same_client = [
        api.get("/api/v1/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
        for n in range(4)
    ]
    another_client = api.get("/api/v1/", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code

    assert same_client == [200, 200, 200, 429]
    assert another_client == 200
