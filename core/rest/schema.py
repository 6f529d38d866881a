"""The OpenAPI description: read and write shapes, errors, CSV, in every operation."""

from drf_spectacular import openapi
from drf_spectacular.contrib import django_filters as django_filters_contrib

from core.rest.facets import facet_parameter
from core.rest.limits import MAX_PARAM_LENGTH, MAX_QUERY_PARAMS, MAX_SEARCH_WORDS, SEARCH_PARAMS

WRITE_METHODS = ("POST", "PUT", "PATCH")

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457), the shape of every error: `type` "
    "(`about:blank`: the status says what kind of problem it is), `title` (the status's "
    "phrase), `status`, `detail` (this occurrence, in words) and `code` (a stable word for "
    "programs). A 400 that refuses parameters or fields names each under `errors`, with "
    "its messages (`non_field_errors` for the record as a whole; a list of records, such "
    "as citations, gets a list with one entry per record). A 406 lists the `formats` the "
    "endpoint offers.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "example": "about:blank"},
        "title": {"type": "string", "example": "Bad Request"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 400},
        "detail": {"type": "string", "example": "year: Enter a whole number."},
        "code": {"type": "string", "example": "invalid"},
        "errors": {
            "type": "object",
            "description": "The messages for each parameter or field refused, by its name.",
            "additionalProperties": {},
            "example": {"year": ["Enter a whole number."]},
        },
        "formats": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The values `format` takes here (406).",
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_MEDIA_TYPE = "application/problem+json"
# The answers an operation may give besides success: (status, description, applies to).
PROBLEMS = [
    (
        "400",
        "A parameter or field was refused (`errors` names each and says why), the body is "
        "not JSON or nests deeper than the API reads, or the query string is beyond its "
        "bounds (see the API description's Limits).",
        lambda method, is_detail: True,
    ),
    (
        "401",
        "No valid credentials: writing needs an account (`Authorization: Token <key>`, or "
        "the admin's session); a token that is wrong or expired is refused even on a read.",
        lambda method, is_detail: True,
    ),
    (
        "403",
        "The account lacks the right for this: writing this kind of record, or listing "
        "records that are not published.",
        lambda method, is_detail: True,
    ),
    (
        "404",
        "No record with this identifier that you may see.",
        lambda method, is_detail: is_detail,
    ),
    (
        "406",
        "The `format` or `Accept` asked for is not offered: `formats` lists those that are.",
        lambda method, is_detail: method == "GET",
    ),
    (
        "409",
        "Other records still rest on this one: `detail` says which.",
        lambda method, is_detail: method == "DELETE",
    ),
    (
        "412",
        "The record changed since the version named in `If-Match`: read it again.",
        lambda method, is_detail: method in ("PUT", "PATCH", "DELETE"),
    ),
    (
        "413",
        "The body is larger than the API reads.",
        lambda method, is_detail: method in WRITE_METHODS,
    ),
    (
        "415",
        "The body is not `application/json`.",
        lambda method, is_detail: method in WRITE_METHODS,
    ),
    (
        "428",
        "A change of a record must name the version it changes, in `If-Match`.",
        lambda method, is_detail: method in ("PUT", "PATCH", "DELETE"),
    ),
    (
        "429",
        "Too many requests: wait as long as `Retry-After` says.",
        lambda method, is_detail: True,
    ),
    (
        "503",
        "The database cannot be reached at the moment: try again after `Retry-After` seconds.",
        lambda method, is_detail: True,
    ),
]
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


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _bounded(parameter: dict) -> None:
    """A query parameter's schema within the bounds of core.rest.limits."""
    schema = parameter.get("schema", {})
    if parameter.get("in") != "query":
        return
    if schema.get("type") == "string":
        schema["maxLength"] = min(schema.get("maxLength", MAX_PARAM_LENGTH), MAX_PARAM_LENGTH)
    elif schema.get("type") == "array" and schema.get("items", {}).get("type") == "string":
        items = schema["items"]
        items["maxLength"] = min(items.get("maxLength", MAX_PARAM_LENGTH), MAX_PARAM_LENGTH)
        schema.setdefault("maxItems", MAX_QUERY_PARAMS)
    if parameter["name"] in SEARCH_PARAMS and "words" not in parameter.get("description", ""):
        parameter["description"] = (
            f"{parameter.get('description', '')} At most {MAX_SEARCH_WORDS} words and "
            f"{MAX_PARAM_LENGTH:,} characters."
        ).strip()


def postprocess_error_responses(result, generator, request, public):
    """Document the answers every operation may give besides success (problem details),
    the CSV body and the bounds of the query parameters."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            method = method.upper()
            responses = operation.setdefault("responses", {})
            is_detail = "{" in path
            for code, description, applies in PROBLEMS:
                if applies(method, is_detail):
                    # An answer the view documents itself (412 and 428, with their ETag
                    # header) keeps its words and gets the problem body.
                    documented = responses.setdefault(code, _problem(description))
                    documented.setdefault("content", _problem(description)["content"])
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
                        "`Accept: text/csv`); JSON by default. Another value is a 406."
                    )
                _bounded(parameter)
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
            _form_field_bounds(parameter.get("schema", {}), filter_field.extra)
        return parameters


def _form_field_bounds(schema: dict, extra: dict) -> None:
    """The bounds the filter's form field applies (``max_length=2``, ``min_value=1``…), in
    its parameter's schema, which django-filter's own leaves out."""
    if schema.get("type") == "string":
        for key, name in (("max_length", "maxLength"), ("min_length", "minLength")):
            if extra.get(key) is not None:
                schema[name] = extra[key]
    elif schema.get("type") in ("integer", "number"):
        for key, name in (("min_value", "minimum"), ("max_value", "maximum")):
            if extra.get(key) is not None:
                schema[name] = extra[key]
