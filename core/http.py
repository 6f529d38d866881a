"""What the app server needs of each request, whatever the view: who the client is behind
the proxies, one log line per request, and the health endpoints a load balancer polls."""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse

request_log = logging.getLogger("caci.request")


def client_address(request: HttpRequest) -> str:
    """The client's address as the configured proxy chain gives it.

    With ``NUM_PROXIES`` = n > 0, each of the n proxies in front of the app server appended
    the address it saw to X-Forwarded-For: the client is the n-th entry from the right,
    the one the outermost proxy wrote. Entries further left are the client's own to write
    and are ignored. With 0 (no proxy), the header is ignored and the connection's address
    is the client. The API's rate limits and the sign-in lockout both count by this.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(proxies, len(hops))] or remote


class RequestLogMiddleware:
    """One line per request on the ``caci.request`` logger: method, path, status, time
    taken by the app and client. A streamed response (a CSV export) is logged when its last
    byte is sent (or the client goes away), so its time is the whole export's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        started = time.perf_counter()
        response = self.get_response(request)
        if response.streaming:
            response.streaming_content = self._logged_when_sent(
                response.streaming_content, request, response.status_code, started
            )
        else:
            self._log(request, response.status_code, started)
        return response

    def _logged_when_sent(self, content, request, status: int, started: float):
        try:
            yield from content
        finally:
            self._log(request, status, started)

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float) -> None:
        request_log.info(
            "%s %s %s %.1fms %s",
            request.method,
            request.get_full_path(),
            status,
            (time.perf_counter() - started) * 1000,
            client_address(request),
        )


def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. It touches neither the database nor the cache, so a
    database outage does not get every app server restarted."""
    return JsonResponse({"status": "ok"})


def _database_answers(alias: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_answers() -> None:
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: every database and the cache answer. A 503 problem response names what
    does not, and the load balancer sends the traffic to the other app servers."""
    checks = {f"database:{alias}": (_database_answers, alias) for alias in connections}
    checks["cache"] = (_cache_answers,)
    failures = {}
    for name, (check, *args) in checks.items():
        try:
            check(*args)
        except Exception as exc:  # Whatever the failure, the answer is "not ready".
            failures[name] = f"{type(exc).__name__}: {exc}".strip()
    results = {name: failures.get(name, "ok") for name in checks}
    if not failures:
        return JsonResponse({"status": "ok", "checks": results})
    return JsonResponse(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "Not ready: " + ", ".join(sorted(failures)) + " did not answer.",
            "checks": results,
        },
        status=503,
        content_type="application/problem+json",
        headers={"Retry-After": "5", "Cache-Control": "no-store"},
    )
