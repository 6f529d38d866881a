"""One place where the dataset's own errors become API responses.

The services raise Django's ``ValidationError`` (the model rules: a quote that does not
occur in its article, a reporter that is also the partner…) and the database refuses to
delete a record that others still rest on (``ProtectedError``). Here they become a 400
naming the API field, and a 409 saying what still refers to the record.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


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


def exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, DjangoValidationError):
        field_map = getattr(view, "model_error_fields", None)
        exc = exceptions.ValidationError(validation_error_as_api_error(exc, field_map))
    elif isinstance(exc, ProtectedError | RestrictedError):
        model = getattr(getattr(view, "queryset", None), "model", None)
        record = model._meta.verbose_name if model is not None else "record"
        exc = Conflict(protected_error_message(exc, record))
    return drf_exception_handler(exc, context)
