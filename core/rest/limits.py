"""How much a request to the API may ask: each bound a 400 or 413 problem, never a 500.

A request is read within these bounds before anything else costs time: the query string
when the request arrives (``QueryLimitsMiddleware``), the body as it is parsed
(``BoundedJSONParser``) and the lists of a write body before their items are looked up
(core.rest.serializers).

- the body: at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (Django's setting) → 413;
- JSON nesting: at most MAX_JSON_DEPTH arrays and objects deep → 400;
- a list in a write body (aliases, parties, citations, authors): at most MAX_LIST_ITEMS
  items → 400 on that field;
- the query string: at most MAX_QUERY_PARAMS parameters, each value at most
  MAX_PARAM_LENGTH characters, a text search (``search``, ``q``) at most MAX_SEARCH_WORDS
  words → 400 naming the parameter.
"""

import io

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

from core.rest.problems import as_response, invalid, is_api, problem_response

MAX_JSON_DEPTH = 32
MAX_LIST_ITEMS = 200
MAX_QUERY_PARAMS = 100
MAX_PARAM_LENGTH = 1000
MAX_SEARCH_WORDS = 32
SEARCH_PARAMS = ("search", "q")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request's body is too large."
    default_code = "request_too_large"


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request's body is larger than the {limit:,} bytes allowed.")


def nesting_exceeds(data, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep in ``data`` (iteratively:
    the check itself never recurses)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser within the body's size and nesting bounds (see the module doc).

    DRF reads the body straight from the request's stream, past Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check: the size is checked here, before and while reading.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {})
        try:
            declared = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            raise too_large(limit)
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise too_large(limit)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            data = None
            deep = True
        else:
            deep = nesting_exceeds(data, MAX_JSON_DEPTH)
        if deep:
            raise exceptions.ParseError(
                f"The JSON nests arrays and objects more than {MAX_JSON_DEPTH} deep."
            )
        return data


def query_refusal(request: HttpRequest):
    """A 400 problem if the query string is beyond the bounds (see the module doc)."""
    try:
        params = request.GET
    except TooManyFieldsSent:
        return problem_response(
            400,
            f"The query string has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} "
            "parameters.",
            code="too_many_parameters",
        )
    if sum(len(values) for _, values in params.lists()) > MAX_QUERY_PARAMS:
        return problem_response(
            400,
            f"The query string has more than {MAX_QUERY_PARAMS} parameters.",
            code="too_many_parameters",
        )
    errors = {}
    for name, values in params.lists():
        if len(name) > MAX_PARAM_LENGTH:
            errors[name[:40] + "…"] = [f"A name is at most {MAX_PARAM_LENGTH:,} characters."]
        elif any(len(value) > MAX_PARAM_LENGTH for value in values):
            errors[name] = [f"At most {MAX_PARAM_LENGTH:,} characters."]
        elif name in SEARCH_PARAMS and any(
            len(value.split()) > MAX_SEARCH_WORDS for value in values
        ):
            errors[name] = [f"At most {MAX_SEARCH_WORDS} words."]
    return as_response(invalid(errors)) if errors else None


class QueryLimitsMiddleware:
    """Refuses an API request whose query string is beyond the bounds, before any view
    reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if is_api(request):
            refusal = query_refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)
