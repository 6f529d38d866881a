"""The OpenAPI description: read and write shapes, errors, CSV, in every operation."""

from drf_spectacular import openapi
from drf_spectacular.contrib import django_filters as django_filters_contrib

from core.rest.facets import facet_parameter

WRITE_METHODS = ("POST", "PUT", "PATCH")

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong, in words.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "The messages for each parameter or field that was refused, by its name "
    "(`non_field_errors` for the record as a whole). A field holding a list (citations, "
    "parties) gets a list with one entry per item.",
    "additionalProperties": {},
}
CSV_DESCRIPTION = (
    "With `format=csv` or `Accept: text/csv`: one flat row per record, a header row first, "
    "streamed and not paginated."
)


class AutoSchema(openapi.AutoSchema):
    """Writes take the write serializer and answer with the record as it is read."""

    def get_response_serializers(self):
        if self.method in WRITE_METHODS:
            return self.view.serializer_class
        return super().get_response_serializers()

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if getattr(self.view, "facets", None) and self._is_list_view() and self.method == "GET":
            parameters = [*parameters, facet_parameter(self.view)]
        return parameters


def _error(description: str, schema_ref: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def postprocess_error_responses(result, generator, request, public):
    """Document the answers every operation may give besides success, and the CSV body."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    error = "#/components/schemas/Error"
    invalid = "#/components/schemas/ValidationError"
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            method = method.upper()
            responses = operation.setdefault("responses", {})
            is_detail = "{" in path
            responses.setdefault(
                "400",
                _error(
                    "A parameter or field was refused: the body names it and says why.",
                    invalid,
                ),
            )
            responses.setdefault(
                "401",
                _error(
                    "No valid credentials: writing needs an account "
                    "(`Authorization: Token <key>`, or the admin's session).",
                    error,
                ),
            )
            responses.setdefault(
                "403",
                _error(
                    "The account lacks the right for this: writing this kind of record, "
                    "or listing records that are not published.",
                    error,
                ),
            )
            if is_detail:
                responses.setdefault(
                    "404", _error("No published record with this identifier.", error)
                )
            if method == "DELETE":
                responses.setdefault(
                    "409",
                    _error("Other records still rest on this one: the body says which.", error),
                )
            responses.setdefault(
                "429", _error("Too many requests: wait as long as Retry-After says.", error)
            )
            for code, response in responses.items():
                content = response.get("content", {})
                if "text/csv" not in content:
                    continue
                if method == "GET" and code.startswith("2"):
                    content["text/csv"] = {"schema": {"type": "string"}}
                    response["description"] = (
                        f"{response.get('description', '')} {CSV_DESCRIPTION}".strip()
                    )
                else:
                    del content["text/csv"]
            if method == "GET" and {} not in operation.get("security", [{}]):
                operation["security"].append({})  # reading needs no account
            if method != "GET":
                operation["parameters"] = [
                    p for p in operation.get("parameters", []) if p.get("name") != "format"
                ]
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "format" and "description" not in parameter:
                    parameter["description"] = (
                        "`csv` for a CSV download of the same records (or send "
                        "`Accept: text/csv`); JSON by default."
                    )
    return result


class DjangoFilterExtension(django_filters_contrib.DjangoFilterExtension):
    """django-filter's schema, with each filter's help text even where its type is given
    explicitly (actor and slug filters), so that every parameter is described."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
        return parameters
