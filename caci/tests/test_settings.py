"""Production settings refuse to start on development defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", "import caci.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = load_settings(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("debug", ["0", "false", "off"])
def test_production_with_a_real_key_starts_with_no_default_hosts(debug):
    result = load_settings(DJANGO_DEBUG=debug, DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False []"


def test_development_defaults_serve_localhost():
    result = load_settings()

    assert result.returncode == 0, result.stderr
    assert "127.0.0.1" in result.stdout
