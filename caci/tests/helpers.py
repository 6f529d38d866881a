"""Reading API responses, and posting admin forms as a browser would, in tests."""

import csv
import io
from typing import Any


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def field_values(response, field="slug") -> list:
    return [record[field] for record in results(response)]


def ids(response) -> set[str]:
    return {record["id"] for record in results(response)}


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.streaming, "CSV is streamed"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _as_post_value(value: Any):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = _as_post_value(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def form_data(response, **changes) -> dict:
    """The POST data of an admin add or change page as rendered, with ``changes`` applied.

    ``changes`` use the posted names: ``title="…"``, ``**{"parties-0-actor": pk}``.
    """
    data: dict[str, Any] = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data.update({name: value for name, value in changes.items() if value is not None})
    for name in [name for name, value in changes.items() if value is None]:
        data.pop(name, None)
    return data
