"""One place where the dataset's own errors become API responses.

The services raise Django's ``ValidationError`` (the model rules: a quote that does not
occur in its article, a reporter that is also the partner…) and the database refuses to
delete a record that others still rest on (``ProtectedError``). Here they become a 400
naming the API field, and a 409 saying what still refers to the record.

Every error DRF answers is then written as a problem details document (RFC 9457, see
core.rest.problems): the messages of a 400 for each parameter or field go under
``errors``.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.rest.limits import too_large
from core.rest.problems import first_message, invalid, problem


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the records as they stand."
    default_code = "conflict"


def validation_error_as_api_error(error: DjangoValidationError, field_map=None) -> dict:
    """A Django ValidationError as the field → messages mapping of a DRF 400.

    ``field_map`` renames model fields to the API's names (``signed_on`` → ``signed``);
    errors about the record as a whole go under ``non_field_errors``.
    """
    detail = as_serializer_error(error)
    field_map = field_map or {}
    renamed: dict[str, list] = {}
    for field, messages in detail.items():
        if field == NON_FIELD_ERRORS:
            field = api_settings.NON_FIELD_ERRORS_KEY
        name = field_map.get(field, field)
        renamed.setdefault(name, []).extend(messages)
    return renamed


def protected_error_message(error: ProtectedError | RestrictedError, record: str) -> str:
    """Say what still refers to the record, by kind and count."""
    blocking = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    counts: dict[str, int] = {}
    for obj in blocking:
        name = str(obj._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + 1
    what = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
    return (
        f"This {record} cannot be deleted while other records refer to it ({what}). "
        "Remove or change those first."
    )


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def problem_of(exc: exceptions.APIException, status_code: int) -> dict:
    """DRF's error as a problem: field messages under ``errors``, the rest as ``detail``."""
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(detail, dict):
            return invalid(detail, status_code)
        return problem(
            status_code,
            first_message(detail),
            code="invalid",
            errors={api_settings.NON_FIELD_ERRORS_KEY: detail},
        )
    # An unsupported format (core.rest.negotiation) lists those offered.
    extra = {"formats": exc.formats} if getattr(exc, "formats", None) else {}
    return problem(status_code, first_message(detail), code=_code(exc), **extra)


def exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, DjangoValidationError):
        field_map = getattr(view, "model_error_fields", None)
        exc = exceptions.ValidationError(validation_error_as_api_error(exc, field_map))
    elif isinstance(exc, ProtectedError | RestrictedError):
        model = getattr(getattr(view, "queryset", None), "model", None)
        record = model._meta.verbose_name if model is not None else "record"
        exc = Conflict(protected_error_message(exc, record))
    elif isinstance(exc, RequestDataTooBig):
        # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, met as DRF reads the body.
        exc = too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if not isinstance(exc, exceptions.APIException):
        # Django's Http404 and PermissionDenied, as DRF's handler read them.
        detail = response.data.get("detail")
        if response.status_code == 404:
            exc = exceptions.NotFound(detail)
        else:
            exc = exceptions.PermissionDenied(detail)
    response.data = problem_of(exc, response.status_code)
    return response
