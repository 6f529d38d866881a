"""The database out of reach (restarting, failing over, a network cut): a 503, not a 500.

A request that cannot reach PostgreSQL answers 503 Service Unavailable with a
``Retry-After``: under ``/api/`` as a problem details document (RFC 9457), elsewhere as a
line of text. Nothing needs restarting afterwards: Django drops a connection that failed
at the end of the request, and the next request opens a new one.
"""

import json
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DETAIL = "The database cannot be reached at the moment; try again in a few seconds."


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        problem = {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": DETAIL,
            "code": "database_unavailable",
        }
        response = HttpResponse(
            json.dumps(problem), status=503, content_type="application/problem+json"
        )
    else:
        response = HttpResponse(DETAIL + "\n", status=503, content_type="text/plain")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns an error reaching the database into a 503 (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable (%s %s): %s", request.method, request.path, exception)
        return unavailable_response(request)
