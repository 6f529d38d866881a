"""Every error under ``/api/`` in one shape: RFC 9457 problem details.

A client reads an error the same way whatever raised it (a serializer, a filter, the
pagination, a permission, Django's URL resolver, a middleware)::

    HTTP/1.1 400 Bad Request
    Content-Type: application/problem+json

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "Refused: value.", "code": "invalid",
     "errors": {"value": ["A valid number is required."]}}

``type`` is ``about:blank`` (the status code says what kind of problem it is), ``title`` the
status's phrase, ``detail`` a sentence about this occurrence, ``code`` a stable word for
programs (DRF's error codes: ``invalid``, ``not_found``, ``throttled``…) and ``errors``,
on a 400 that refuses parameters or fields, the messages for each of them by name
(``non_field_errors`` for the record as a whole; a list of records, such as citations,
gets a list with one entry per record).

The exception handler (core.rest.errors) writes DRF's errors in this shape. The
middleware here does the rest: a response of an error under ``/api/`` that is not JSON
(Django's 404 page for an address no route matches, a 500, a middleware's refusal) is
replaced by a problem of the same status, and every JSON error is labelled
``application/problem+json``.
"""

from http import HTTPStatus

import orjson
from django.http import HttpRequest, HttpResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
# What a problem of each status says when nothing more specific is known.
DEFAULT_DETAILS = {
    400: "The request cannot be read.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Nothing is found at this address. The API's resources are listed at /api/v1/.",
    405: "This method is not allowed here.",
    406: "The API cannot answer in the format asked for.",
    413: "The request's body is too large.",
    415: "The request's body is not in a format the API reads: send application/json.",
    429: "Too many requests: wait as long as Retry-After says.",
    500: "The server met an error it did not expect; it is logged. Try again later.",
    503: "The service is unavailable at the moment; try again in a few seconds.",
}
DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "service_unavailable",
}


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status: int, detail: str | None = None, *, code: str | None = None, **extra) -> dict:
    """A problem details document (see the module doc); ``extra`` members come after the
    standard ones (``errors``, ``formats``…)."""
    return {
        "type": "about:blank",
        "title": title_of(status),
        "status": status,
        "detail": detail or DEFAULT_DETAILS.get(status, title_of(status)),
        "code": code or DEFAULT_CODES.get(status, "error"),
        **extra,
    }


def first_message(detail) -> str:
    """The first message of an error's detail (a message, or messages by field), as text."""
    if isinstance(detail, dict | list):
        for item in detail.values() if isinstance(detail, dict) else detail:
            text = first_message(item)
            if text:
                return text
        return ""
    return str(detail)


def invalid(errors: dict, status: int = 400) -> dict:
    """A problem refusing parameters or fields: their messages by name under ``errors``."""
    names = ", ".join(str(name) for name in errors)
    detail = f"Refused: {names}." if len(errors) > 1 else f"{names}: {first_message(errors)}"
    return problem(status, detail, code="invalid", errors=errors)


def problem_response(status: int, detail: str | None = None, **members) -> HttpResponse:
    """A plain Django response holding a problem: for errors met outside DRF's views."""
    return as_response(problem(status, detail, **members))


def as_response(document: dict) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(document, default=str),
        status=document["status"],
        content_type=PROBLEM_MEDIA_TYPE,
    )


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type in {"application/json", PROBLEM_MEDIA_TYPE}


# Headers of the replaced response that still hold for the problem.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


class ProblemMiddleware:
    """Errors under ``/api/`` as problem details, whoever made them (see the module doc).

    DRF's own responses in HTML (the browsable API, for a browser asking for HTML) are
    left as they are: they show the same problem, rendered for a person.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request):
            return response
        if _is_json(response):
            if response.get("Content-Type", "").startswith("application/json"):
                response["Content-Type"] = PROBLEM_MEDIA_TYPE
            return response
        renderer = getattr(response, "accepted_renderer", None)
        if getattr(renderer, "media_type", "") == "text/html":
            return response  # DRF's browsable API, showing the problem to a person
        data = getattr(response, "data", None)
        if isinstance(data, dict) and data.get("status") == response.status_code:
            # DRF's problem, rendered in another format (the schema's YAML): as JSON.
            replaced = as_response(data)
        else:
            replaced = problem_response(response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced
