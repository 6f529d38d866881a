"""Read replicas (core/replicas.py): the public's reads from a replica, the rest from the primary.

The routing is checked request by request; then on a real streaming replica of the
PostgreSQL server the tests run on (``.ci/replica`` makes one on port 5433, or
``TEST_REPLICA_URL`` names one), with gunicorn in front: replay on the replica is paused,
an editor writes, and the public still reads the replica's older rows while the editor
reads their own write at once.
"""

import os
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from django.test import RequestFactory

from actors.models import Actor
from caci.tests.servers import Server, manage, wait_for
from core.replicas import PrimaryReplicaRouter, ReplicaReadsMiddleware

# Routing, request by request ---------------------------------------------------------


def database_read_during(request, settings) -> str:
    settings.DATABASE_REPLICAS = ["replica1"]
    used = []

    def view(request):
        used.append(PrimaryReplicaRouter().db_for_read(Actor))
        return None

    ReplicaReadsMiddleware(view)(request)
    return used[0]


@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        pytest.param("get", {}, "replica1", id="public-read"),
        pytest.param("head", {}, "replica1", id="public-head"),
        pytest.param("get", {"HTTP_AUTHORIZATION": "Token abc"}, "default", id="script"),
        pytest.param("get", {"HTTP_COOKIE": "sessionid=abc"}, "default", id="editor"),
        pytest.param("post", {}, "default", id="write"),
        pytest.param("patch", {}, "default", id="partial-write"),
        pytest.param("delete", {}, "default", id="delete"),
    ],
)
def test_only_the_publics_reads_go_to_a_replica(settings, method, headers, expected):
    request = getattr(RequestFactory(), method)("/api/v1/actors/", **headers)

    assert database_read_during(request, settings) == expected


def test_without_replicas_every_read_goes_to_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    used = []
    ReplicaReadsMiddleware(lambda r: used.append(PrimaryReplicaRouter().db_for_read(Actor)))(
        RequestFactory().get("/api/v1/actors/")
    )

    assert used == ["default"]


def test_outside_a_request_and_for_writes_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    router = PrimaryReplicaRouter()

    assert router.db_for_read(Actor) == "default"  # commands, imports, migrations
    assert router.db_for_write(Actor) == "default"
    assert router.allow_migrate("default", "actors")
    assert not router.allow_migrate("replica1", "actors")


# A real streaming replica ----------------------------------------------------------------

PRIMARY = os.environ.get("DATABASE_URL", "")
REPLICA = os.environ.get("TEST_REPLICA_URL", "postgres://postgres@127.0.0.1:5433/postgres")


def on(url: str, database: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{database}"))


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI runs .ci/replica first)")
    pytest.skip(f"{reason}: run .ci/replica to make one")


@pytest.fixture(scope="module")
def servers():
    """Autocommit connections to the primary and its replica (their ``postgres`` database)."""
    if not PRIMARY.startswith("postgres"):
        pytest.skip("the replica is one of PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    try:
        replica = psycopg.connect(on(REPLICA, "postgres"), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(f"No PostgreSQL replica at {REPLICA} ({error})")
    primary = psycopg.connect(on(PRIMARY, "postgres"), autocommit=True)
    identity = "SELECT system_identifier FROM pg_control_system()"
    with primary, replica:
        if not replica.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            unavailable(f"{REPLICA} is not a replica")
        if primary.execute(identity).fetchone() != replica.execute(identity).fetchone():
            unavailable(f"{REPLICA} is not a replica of {PRIMARY}")
        yield primary, replica


def replayed(primary, replica) -> None:
    """Wait until the replica has replayed all the primary has written so far."""
    (position,) = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
    wait_for(
        lambda: replica.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position]
        ).fetchone()[0],
        "the replica to replay the primary's writes",
    )


@contextmanager
def replay_paused(replica):
    replica.execute("SELECT pg_wal_replay_pause()")
    try:
        wait_for(
            lambda: (
                replica.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] == "paused"
            ),
            "the replica to pause",
        )
        yield
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def replicated(servers):
    """A database of its own on the primary, thus on the replica too: migrated, holding
    the corpus and an editor; its URLs and the editor's token."""
    primary, replica = servers
    name = f"caci_replica_check_{os.getpid()}"
    primary.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    primary.execute(f"CREATE DATABASE {name}")
    env = {"DATABASE_URL": on(PRIMARY, name), "DJANGO_SUPERUSER_PASSWORD": "not-used-here"}
    try:
        manage("migrate", "--noinput", env=env)
        manage("seed", env=env)
        manage("createsuperuser", "--noinput", "--username=ed", "--email=ed@example.org", env=env)
        token = manage("issue_api_token", "ed", env=env).split()[-1]  # after any log lines
        yield {"primary": on(PRIMARY, name), "replica": on(REPLICA, name), "token": token}
    finally:
        primary.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_public_reads_the_replica_while_an_editor_reads_their_own_write(
    servers, replicated, tmp_path
):
    primary, replica = servers
    server = Server(
        {
            "DATABASE_URL": replicated["primary"],
            "DATABASE_REPLICA_URLS": replicated["replica"],
            "API_THROTTLE_ANON_RATE": "100000/minute",
        },
        tmp_path,
    )
    editor = {"Authorization": f"Token {replicated['token']}"}
    try:
        status, _, listed = server.get("/api/v1/actors/")
        assert status == 200
        actor = listed["results"][0]
        path = urlparse(actor["url"]).path
        revised = actor["description"] + " Revised while the replica waits."
        replayed(primary, replica)

        with replay_paused(replica), psycopg.connect(replicated["replica"]) as on_replica:
            _, headers, _ = server.get(path, editor)
            matching = {"If-Match": headers["ETag"]} if headers.get("ETag") else {}
            status, _, written = server.request(
                "PATCH", path, {"description": revised}, {**editor, **matching}
            )
            assert (status, written["description"]) == (200, revised)
            # The write went to the primary (a replica refuses writes); the replica, paused,
            # does not hold it yet.
            query = "SELECT description FROM actors_actor WHERE slug = %s"
            with psycopg.connect(replicated["primary"]) as on_primary:
                assert on_primary.execute(query, [actor["slug"]]).fetchone() == (revised,)
            assert on_replica.execute(query, [actor["slug"]]).fetchone() == (actor["description"],)

            # The editor reads their own write at once; the public reads the replica.
            assert server.get(path, editor)[2]["description"] == revised
            assert server.get(path)[2]["description"] == actor["description"]
            public_list = server.get("/api/v1/actors/")[2]["results"]
            assert _described(public_list, actor["slug"]) == actor["description"]
            editor_list = server.get("/api/v1/actors/", editor)[2]["results"]
            assert _described(editor_list, actor["slug"]) == revised

        replayed(primary, replica)
        assert server.get(path)[2]["description"] == revised
    finally:
        server.stop()


def _described(results: list[dict], slug: str) -> str:
    return next(record["description"] for record in results if record["slug"] == slug)
