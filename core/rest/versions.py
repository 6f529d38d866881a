"""Versions of the API's records, so that no editor's change is silently lost.

Every record the API serves carries an ``ETag``: the version of the record as it reads,
the whole aggregate with it (an agreement with its parties and citations, an actor with
its aliases). It is a digest of the record as a GET reads it: every write through the
services that changes the record changes what it reads as (its fields and ``updated_at``,
or the parts it embeds: a party's role, a citation's quote), so the version moves with
every write; so does a change of a record it names (an actor's name in a party), which
changes what a client holding the record would see.

- ``GET`` of a record or a list answers ``304 Not Modified`` when ``If-None-Match``
  names the version the client holds (a list's version is weak: ``W/"…"``).
- ``PUT``, ``PATCH`` and ``DELETE`` need ``If-Match`` with the version the change was
  made from (from a ``GET``, or from the ``ETag`` of the write that made it): without
  it, ``428 Precondition Required``; with an older version, ``412 Precondition Failed``,
  the current version in the body and in the ``ETag`` header. The comparison is made in
  the write's transaction, with the record's row locked: of two editors writing from the
  same version, one writes and the other is told.
"""

import hashlib

import orjson
from django.db import connections, router
from django.db.models import F
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.rest.fast import ORJSON_OPTIONS
from core.rest.schema import AutoSchema

VERSIONED_METHODS = ("PUT", "PATCH", "DELETE")
READ_METHODS = ("GET", "HEAD")


def _digest(data) -> str:
    # The records' keys come in the serializer's order, every time: no need to sort them.
    body = orjson.dumps(data, option=ORJSON_OPTIONS, default=str)
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def record_etag(record: dict) -> str:
    """The strong ETag of a record as the API writes it."""
    return f'"{_digest(record)}"'


def list_etag(data) -> str:
    """The weak ETag of a list's page: the same records, links and count."""
    return f'W/"{_digest(data)}"'


def etags(header: str) -> list[str]:
    """The entity tags of an ``If-Match`` or ``If-None-Match`` header (``*`` as itself)."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def weak_match(header: str, etag: str) -> bool:
    """``If-None-Match``: any tag, weak or strong, that names the same version."""
    return any(tag == "*" or _opaque(tag) == _opaque(etag) for tag in etags(header))


def strong_match(header: str, etag: str) -> bool:
    """``If-Match``: a strong tag equal to ``etag`` (or ``*``, any current version)."""
    return any(tag == "*" or (tag == etag and not tag.startswith("W/")) for tag in etags(header))


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "A change needs the If-Match header with the record's current ETag: read it with a "
        "GET of the record (or take it from the ETag of your last write of it) and send it "
        "back, so that a change someone made since is not overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, current: str):
        self.current = current
        super().__init__(
            "The record has changed since the version in If-Match: nothing was written. "
            f"Its current version is {current}; read it again (GET), apply your change to "
            "it and send it with that version."
        )


def lock_row(model, pk):
    """Lock the record's row until the end of the current transaction, so that no other
    writer changes it between the comparison of versions and the write.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``); SQLite has no row locks, and its
    transaction takes the database's write lock with a write that changes nothing, before
    anything is read.

    Returns the record as it stands, or None when it is gone.
    """
    db = router.db_for_write(model)
    manager = model._default_manager.using(db)
    if connections[db].features.has_select_for_update:
        return manager.select_for_update().filter(pk=pk).first()
    pk_name = model._meta.pk.attname
    manager.filter(pk=pk).update(**{pk_name: F(pk_name)})
    return manager.filter(pk=pk).first()


# The schema --------------------------------------------------------------------------


def version_parameters(method: str, is_detail: bool) -> list[dict]:
    """The request headers of the versions, as the schema's parameters of an operation."""
    if method in VERSIONED_METHODS:
        return [
            {
                "in": OpenApiParameter.HEADER,
                "name": "If-Match",
                "required": True,
                "schema": {"type": "string"},
                "description": "The record's ETag as you read it (a GET of the record, or the "
                "ETag of your last write of it): the change is made only if the record is "
                "still at that version.",
            }
        ]
    if method == "GET":
        return [
            {
                "in": OpenApiParameter.HEADER,
                "name": "If-None-Match",
                "required": False,
                "schema": {"type": "string"},
                "description": "The ETag of the "
                + ("record" if is_detail else "page")
                + " you hold: 304 with no body if it has not changed.",
            }
        ]
    return []


ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string"},
        "description": 'The version of the record (a page\'s is weak, `W/"…"`): send it in '
        "If-Match to change the record, in If-None-Match to read it only if it changed.",
    }
}


class VersionedSchema(AutoSchema):
    """The schema of a versioned viewset's operations: the versions' headers and answers."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        method = method.upper()
        is_detail = "{" in path
        operation.setdefault("parameters", []).extend(version_parameters(method, is_detail))
        responses = operation.setdefault("responses", {})
        for code, response in responses.items():
            if code.startswith("2") and code != "204":
                response.setdefault("headers", {}).update(ETAG_HEADER)
        if method == "GET":
            responses["304"] = {
                "description": "Not modified: the version named in If-None-Match is the "
                "current one (no body).",
                "headers": ETAG_HEADER,
            }
        if method in VERSIONED_METHODS:
            responses["412"] = {
                "description": "The record changed since the version in If-Match: nothing "
                "was written. The ETag header (and the body's detail) give the current "
                "version.",
                "headers": ETAG_HEADER,
            }
            responses["428"] = {
                "description": "No If-Match: read the record's ETag first (a GET of it), "
                "then send it with the change."
            }
        return operation


# The viewset --------------------------------------------------------------------------


def answers_json(request, response) -> bool:
    """Whether ``response`` is a read of records in JSON (or the browsable API): not a CSV
    download, not an error."""
    renderer = getattr(request, "accepted_renderer", None)
    return (
        isinstance(response, Response)
        and response.status_code == status.HTTP_200_OK
        and getattr(renderer, "format", "") != "csv"
    )


class ConditionalListMixin:
    """A list's weak ETag, and 304 when ``If-None-Match`` names it."""

    schema = VersionedSchema()

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if not answers_json(request, response):
            return response
        return self.conditional(response, list_etag(response.data))

    def conditional(self, response: Response, etag: str) -> Response:
        """``response`` with its ETag, or 304 when the client holds that version."""
        header = self.request.headers.get("If-None-Match")
        if header and self.request.method in READ_METHODS and weak_match(header, etag):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        response["ETag"] = etag
        return response


class VersionedMixin(ConditionalListMixin):
    """The versions of a ``DatasetViewSet``'s records (see the module's docstring).

    The viewset calls ``version_check(record)`` inside the transaction of each change,
    before writing, and answers its writes with ``record_response``.
    """

    def current_etag(self, pk) -> str | None:
        """The ETag of the record as a GET of it would read now, or None."""
        found = self.records(self.rows().filter(pk=pk)[:1])
        return record_etag(found[0]) if found else None

    def if_match(self) -> str:
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        return header

    def get_object(self):
        record = super().get_object()
        if self.request.method in VERSIONED_METHODS:
            # Refused before the body is read; compared again in the write's transaction.
            self.if_match()
        return record

    def version_check(self, record):
        """Refuse the change unless ``If-Match`` names the record's current version, the
        row locked until the change is written (call it inside the write's transaction).

        Returns the record as it stands, to write the change on."""
        header = self.if_match()
        stored = lock_row(type(record), record.pk)
        current = self.current_etag(record.pk) if stored is not None else None
        if current is None:
            raise self.not_found()
        if not strong_match(header, current):
            raise PreconditionFailed(current)
        return stored

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, PreconditionFailed):
            response["ETag"] = exc.current
        return response

    # Reads -------------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        if not answers_json(request, response):
            return response
        return self.conditional(response, record_etag(response.data))

    # Writes ------------------------------------------------------------------------

    def record_response(self, record, status_code: int) -> Response:
        response = super().record_response(record, status_code)
        etag = self.current_etag(record.pk)
        if etag is not None:
            response["ETag"] = etag
        return response
