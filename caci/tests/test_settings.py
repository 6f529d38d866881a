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


# The production environment of README "Deploying", behind a proxy that terminates TLS.
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-secret-key-of-fifty-characters-or-more-0123",
    "DJANGO_ALLOWED_HOSTS": "caci.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://caci.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "NUM_PROXIES": "1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_")) and k not in {"REDIS_URL", "NUM_PROXIES"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deployment_checks_pass_in_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deployment_checks_fail_without_https_and_hsts():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # No HSTS.
    assert "security.W008" in result.stderr + result.stdout  # No HTTPS redirect.


def settings_of(expression: str, **env: str) -> str:
    result = load_settings_expression(expression, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def load_settings_expression(expression: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_")) and k not in {"REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", f"import caci.settings as s; print({expression})"],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_redirects_to_https_with_hsts_and_secure_cookies():
    assert (
        settings_of(
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER",
            **PRODUCTION,
        )
        == "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_development_neither_redirects_nor_trusts_a_forwarded_protocol():
    assert (
        settings_of(
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "getattr(s, 'SECURE_PROXY_SSL_HEADER', None)"
        )
        == "False 0 None"
    )


def test_the_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    with_redis = (
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE"
    )
    assert settings_of(with_redis, REDIS_URL="redis://cache.internal:6379/0") == (
        "django.core.cache.backends.redis.RedisCache redis://cache.internal:6379/0 "
        "django.contrib.sessions.backends.cached_db"
    )
    assert settings_of("s.CACHES['default']['BACKEND'], s.SESSION_ENGINE") == (
        "django.core.cache.backends.locmem.LocMemCache django.contrib.sessions.backends.db"
    )


def test_the_api_schema_is_kept_per_process_even_with_a_shared_cache():
    """A new release's processes serve its own schema at once, not the one before it."""
    assert settings_of("s.CACHES['schema']['BACKEND']", REDIS_URL="redis://cache:6379/0") == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_database_connections_are_reused_and_checked_or_pooled_or_left_to_pgbouncer():
    url = "postgres://caci@db.internal:5432/caci"
    default = "s.DATABASES['default']"
    reuse = f"{default}['CONN_MAX_AGE'], {default}['CONN_HEALTH_CHECKS']"
    assert settings_of(reuse, DATABASE_URL=url) == "60 True"
    assert settings_of(reuse, DATABASE_URL=url, DATABASE_CONN_MAX_AGE="300") == "300 True"
    pool = f"{default}['CONN_MAX_AGE'], {default}['OPTIONS']['pool']['max_size']"
    assert settings_of(pool, DATABASE_URL=url, DATABASE_POOL_MAX_SIZE="8") == "0 8"
    pgbouncer = (
        f"{default}['CONN_MAX_AGE'], {default}['DISABLE_SERVER_SIDE_CURSORS'], "
        f"{default}['OPTIONS']['prepare_threshold']"
    )
    assert settings_of(pgbouncer, DATABASE_URL=url, DATABASE_PGBOUNCER="1") == "0 True None"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the pool is psycopg's, for PostgreSQL",
)
def test_the_pooled_setting_serves_queries_from_psycopgs_pool():
    """The pool is installed with the requirements: the setting works, not only parses."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.cursor().execute('SELECT 1'); "
        "print(type(connection.pool).__name__, connection.pool.max_size)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "caci.settings",
            "DATABASE_POOL_MAX_SIZE": "3",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["ConnectionPool", "3"]
