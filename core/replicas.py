"""Read replicas: the public's reads from a streaming replica, everything else from the primary.

``DATABASE_REPLICA_URLS`` (settings) names one or more streaming replicas of the primary
(``DATABASE_URL``). Which database a query goes to is decided per request, from the request
alone, before anything is read:

- a request that carries no credentials (no ``Authorization`` header, no session cookie)
  and writes nothing (GET, HEAD, OPTIONS) reads from a replica, picked at random;
- everything else reads from the primary: an editor's or a script's requests (so they see
  their own writes at once, and every other editor's), writes and the reads they make to
  check their input, the admin, and all that runs outside a request (commands, imports,
  migrations).

Writes always go to the primary. The public sees a change once the replica has replayed it
(streaming replication lags by well under a second on a healthy network).
"""

import random
from contextvars import ContextVar

from django.conf import settings

_public_read = ContextVar("caci_public_read", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def reads_from_replica(request) -> bool:
    """Whether the request is the public's read: anonymous and writing nothing."""
    return (
        request.method in SAFE_METHODS
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaReadsMiddleware:
    """Lets the public's reads go to a replica for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS or not reads_from_replica(request):
            return self.get_response(request)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


class PrimaryReplicaRouter:
    """Reads to a replica during a public read (``ReplicaReadsMiddleware``), else to the
    primary; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if _public_read.get() and settings.DATABASE_REPLICAS:
            return random.choice(settings.DATABASE_REPLICAS)  # noqa: S311 - not a secret
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's very rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # a replica replays the primary's migrations
