"""Post an admin form as a browser would: the page's own values, then the test's changes."""

from typing import Any


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
