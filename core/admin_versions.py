"""The version of a record an editor opened in the admin, so that a save made from an
older version is refused instead of silently overwriting someone else's change.

A change page carries the record as it was when the page was rendered (its own fields and
its parts: an agreement's parties and citations), in a hidden field of the form
(``record_version``, signed). When the form is saved, the record's row is locked in the
save's transaction and the record as it stands is compared with it: if someone changed it
since, nothing is saved and the page says what changed, field by field, their value
against yours.
"""

import json
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.text import capfirst

from core.history import aggregate_children, children_snapshot
from core.rest.versions import lock_row

VERSION_FIELD = "record_version"
SALT = "caci.admin.record-version"
# Columns every save moves, or that only the import writes: not what an editor changed.
NOT_COMPARED = frozenset({"updated_at", "created_at", "import_digest", "import_fingerprint"})


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in NOT_COMPARED
    ]


def record_state(instance: models.Model) -> dict[str, Any]:
    """The record as stored, its parts with it, in JSON's terms (two reads of the same
    record compare equal)."""
    state = {
        "fields": {
            field.name: field.value_from_object(instance)
            for field in _compared_fields(type(instance))
        },
        "children": children_snapshot(instance),
    }
    return json.loads(json.dumps(state, cls=DjangoJSONEncoder))


def version_token(instance: models.Model) -> str:
    return signing.dumps(record_state(instance), salt=SALT, compress=True)


def state_from_token(token: str) -> dict[str, Any] | None:
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


def _related_name(model, pk) -> str:
    record = model._default_manager.filter(pk=pk).first()
    return str(record) if record is not None else f"(deleted {model._meta.verbose_name})"


def _shown(field: models.Field, value) -> str:
    """A stored value (a foreign key's primary key, a choice's key) as an editor reads it."""
    if isinstance(value, models.Model):
        return str(value)
    if value in (None, ""):
        return "(empty)"
    if field.is_relation:
        return _related_name(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _rows_shown(model, relation: str, rows: list[dict]) -> str:
    child = model._meta.get_field(relation).related_model
    shown = [
        " · ".join(_shown(child._meta.get_field(name), value) for name, value in row.items())
        for row in rows
    ]
    return "; ".join(shown) if shown else "(none)"


def changes_since(
    model: type[models.Model], then: dict, now: dict, yours: dict[str, Any]
) -> list[str]:
    """What someone else changed between ``then`` and ``now``: one line per field,
    "Label: “their value” (yours: “your value”)"; ``yours`` holds the form's values."""
    lines = []
    for field in _compared_fields(model):
        before, after = then["fields"].get(field.name), now["fields"].get(field.name)
        if before == after:
            continue
        mine = yours.get(field.name, before)
        if isinstance(mine, models.Model):
            mine = mine.pk
        lines.append(
            f"{capfirst(field.verbose_name)}: “{_shown(field, after)}” "
            f"(yours: “{_shown(field, mine)}”)"
        )
    for relation in aggregate_children(model):
        before, after = then["children"].get(relation, []), now["children"].get(relation, [])
        if before != after:
            lines.append(
                f"{capfirst(relation.replace('_', ' '))}: “{_rows_shown(model, relation, after)}” "
                f"(when you opened the page: “{_rows_shown(model, relation, before)}”)"
            )
    return lines


class VersionField(forms.CharField):
    """The hidden version of a change page: never a change of the record itself (the
    change message and the review's "what changed" leave it out)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


def versioned_form(form_class: type[forms.ModelForm], stored: models.Model | None) -> type:
    """``form_class`` carrying the version of ``stored`` (the record a change page edits)
    and refusing a save made from another version."""
    if stored is None:
        return form_class

    class VersionedForm(form_class):
        record_version = VersionField(initial=version_token(stored), required=False)

        def clean(self):
            cleaned_data = super().clean()
            model = type(stored)
            # Locked until the save's transaction ends: no one changes it in between.
            current = lock_row(model, stored.pk)
            then = state_from_token(self.data.get(self.add_prefix(VERSION_FIELD), ""))
            if current is None:
                raise ValidationError(
                    f"This {model._meta.verbose_name} was deleted since you opened this page: "
                    "nothing was saved."
                )
            if then is None:
                raise ValidationError(
                    "This page does not say which version of the record it was opened at: "
                    "nothing was saved. Reload the page and make your change again."
                )
            now = record_state(current)
            if now != then:
                lines = changes_since(model, then, now, cleaned_data)
                raise ValidationError(
                    [
                        f"Someone else changed this {model._meta.verbose_name} since you "
                        "opened this page: nothing was saved. Their changes:",
                        *(lines or ["(fields this page does not show)"]),
                        "Reload the page to see their version, then make your change again.",
                    ]
                )
            return cleaned_data

    return VersionedForm
