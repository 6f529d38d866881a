"""README "Deploying", followed step by step (caci/tests/conftest.py, ``production``): the
explorer, the admin and the API docs served by gunicorn with DJANGO_DEBUG=0, static files
hashed and compressed, health checks, one log line per request; and two app servers that
count one client's requests together in Redis."""

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest

from caci.tests.conftest import TEST_REDIS_URL, redis_answers, serve, stop


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_admin_is_served_with_its_static_files_hashed_and_compressed(production):
    status, _, page = get(f"{production.url}/admin/login/")
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)

    assert status == 200
    assert b"CACI dataset" in page
    assert stylesheet, "the admin's stylesheet is not under its hashed name"
    for accepted, served in (("gzip", "gzip"), ("br, gzip", "br")):
        status, headers, _ = get(
            f"{production.url}{stylesheet[1].decode()}", **{"Accept-Encoding": accepted}
        )
        assert status == 200
        assert headers["Content-Encoding"] == served
        assert "max-age=315360000" in headers["Cache-Control"]


def test_the_api_docs_are_served_from_the_projects_own_files(production):
    status, _, page = get(f"{production.url}/api/docs/")

    assert status == 200
    scripts = re.findall(rb'<script src="([^"]+)"', page)
    assert scripts
    assert all(src.startswith(b"/") for src in scripts)
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    status, _, schema = get(f"{production.url}/api/schema/", Accept="application/json")
    assert status == 200
    assert "/api/v1/trade-figures/" in json.loads(schema)["paths"]


def test_the_explorer_is_the_site_s_root_with_its_chart_library_served_hashed(production):
    status, _, page = get(f"{production.url}/")
    stylesheet = re.search(rb'href="(/static/explorer/explorer\.[0-9a-f]{12}\.css)"', page)

    assert status == 200
    assert b"Search the articles" in page
    assert stylesheet, "the explorer's stylesheet is not under its hashed name"
    assert get(f"{production.url}{stylesheet[1].decode()}")[0] == 200
    status, _, page = get(f"{production.url}/actors/")
    assert status == 200
    # The chart library, from the project's own files.
    status, _, script = get(f"{production.url}/static/explorer/vendor/chart.umd.min.js")
    assert status == 200
    assert script.startswith(b"/*!\n * Chart.js v4.6.1")


def test_debug_is_off(production):
    status, _, page = get(f"{production.url}/no-such-page/")

    assert status == 404
    assert b"DEBUG = True" not in page
    assert b"URLconf" not in page


def test_the_health_checks_answer(production):
    assert get(f"{production.url}/health/live")[0] == 200
    status, _, body = get(f"{production.url}/health/ready")
    assert status == 200
    assert json.loads(body)["checks"] == {"database:default": "ok", "cache": "ok"}


def test_each_request_is_one_line_of_the_servers_output(production):
    probe = uuid.uuid4().hex
    get(f"{production.url}/health/live?probe={probe}")
    get(f"{production.url}/missing-{probe}/")

    lines = production.log.read_text().splitlines()

    [live] = [line for line in lines if f"probe={probe}" in line]
    [missing] = [line for line in lines if f"missing-{probe}" in line]
    assert re.search(rf"INFO caci\.request GET /health/live\?probe={probe} 200 [\d.]+ms ", live)
    assert re.search(rf"GET /missing-{probe}/ 404 [\d.]+ms ", missing)


@pytest.fixture
def two_app_servers(tmp_path):
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {TEST_REDIS_URL}: .ci/run starts it")
    shared = {
        "REDIS_URL": TEST_REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "API_THROTTLE_ANON_RATE": "4/minute",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
    }
    command = [".venv/bin/gunicorn", "--config", "gunicorn.conf.py"]
    servers = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            servers.append(serve(folder, command, **shared))
        yield servers
    finally:
        for served in servers:
            stop(served)


def test_two_app_servers_count_one_clients_requests_together(two_app_servers):
    a, b = two_app_servers

    codes = [get(f"{server.url}/api/v1/", Accept="application/json")[0] for server in (a, b, a, b)]
    over = [get(f"{server.url}/api/v1/", Accept="application/json")[0] for server in (a, b)]

    # 4 a minute in all, not 4 on each server.
    assert codes == [200, 200, 200, 200]
    assert over == [429, 429]
