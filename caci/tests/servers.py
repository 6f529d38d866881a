"""The project run as an operator runs it, for the tests that need real processes around a
real database: ``manage.py`` commands and gunicorn, each a process of its own with its own
environment, and HTTP requests to it."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# How long a condition a test waits for may take before it is a failure.
PATIENCE = 120


def wait_for(condition, what: str):
    """Poll ``condition`` until it returns something true; fail after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Gave up waiting for {what}.")


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, MANAGE, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving caci on a loopback port, with the given environment."""

    def __init__(self, env: dict[str, str], tmp_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "caci.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--timeout=60",
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )
        wait_for(self._up, f"gunicorn to answer on {self.url}")

    def _up(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn ended: {self.log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def request(self, method: str, path: str, payload=None, headers: dict | None = None):
        """(status, headers, body: parsed JSON when it is JSON, else text)."""
        data = None if payload is None else json.dumps(payload).encode()
        headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, _body(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, _body(error)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _body(response):
    text = response.read().decode()
    if "json" in (response.headers.get("Content-Type") or ""):
        return json.loads(text)
    return text
