"""The base of the API's write serializers: built from the model, written by the services."""

from collections.abc import Mapping
from functools import cache

from django.core.validators import MaxLengthValidator
from rest_framework import serializers

from core.editorial import upper_case_code
from core.rest.limits import MAX_LIST_ITEMS
from core.rules import FieldUniqueConstraint

LIST_FIELDS = (serializers.ListField, serializers.ListSerializer, serializers.ManyRelatedField)


def too_many_items(limit: int) -> str:
    return f"At most {limit} items."


@cache
def field_names(serializer_class) -> frozenset[str]:
    return frozenset(serializer_class().fields)


def unknown_fields(serializer: serializers.Serializer, data, readable=frozenset()) -> dict:
    """The names in ``data`` that ``serializer`` does not write, by name, with a message
    (the fields a record reads with, ``readable``, say they are read-only); inside each
    list of records, by item."""
    if not isinstance(data, Mapping):
        return {}
    writable = {name for name, field in serializer.fields.items() if not field.read_only}
    errors: dict = {}
    for name in data:
        if name in writable:
            continue
        if name in serializer.fields or name in readable:
            errors[name] = ["This field is read-only: leave it out."]
        else:
            errors[name] = [f"Unknown field. This takes: {', '.join(sorted(writable))}."]
    for name in writable & set(data):
        field = serializer.fields[name]
        items = data[name]
        if isinstance(field, serializers.ListSerializer) and isinstance(items, list):
            nested = [unknown_fields(field.child, item) for item in items]
            if any(nested):
                errors[name] = nested
        elif isinstance(field, serializers.Serializer):
            nested = unknown_fields(field, items)
            if nested:
                errors[name] = nested
    return errors


def long_lists(serializer: serializers.Serializer, data) -> dict:
    """The lists of ``data`` longer than their field allows, checked before their items
    (each may cost a query) are read."""
    if not isinstance(data, Mapping):
        return {}
    errors = {}
    for name, field in serializer.fields.items():
        items = data.get(name)
        too_long = isinstance(items, list) and len(items) > MAX_LIST_ITEMS
        if too_long and isinstance(field, LIST_FIELDS):
            errors[name] = [too_many_items(MAX_LIST_ITEMS)]
    return errors


class StrictFieldsMixin:
    """A write body is refused (400) when it holds a field the resource does not write, or
    a list longer than MAX_LIST_ITEMS (core.rest.limits): a misspelt field would otherwise
    be ignored without a word, and the write answer 200 with nothing changed."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, LIST_FIELDS) and not any(
                isinstance(validator, MaxLengthValidator) for validator in field.validators
            ):
                # Also read by the schema (maxItems).
                field.validators.append(
                    MaxLengthValidator(MAX_LIST_ITEMS, message=too_many_items(MAX_LIST_ITEMS))
                )
        return fields

    def to_internal_value(self, data):
        if self.root is self:
            view = self.context.get("view")
            read_class = getattr(view, "serializer_class", None)
            readable = field_names(read_class) if read_class else frozenset()
            errors = {**unknown_fields(self, data, readable), **long_lists(self, data)}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class PublicNamesMixin:
    """Lets ``Meta.fields`` list model fields (a service's field list) while the API names
    some differently: a field declared with ``source=`` a model field, or with
    ``model_fields`` (a partial date's two columns), takes their place under its own name.
    """

    def get_field_names(self, declared_fields, info):
        public_name = {}
        for name, field in declared_fields.items():
            sources = getattr(field, "model_fields", None) or (field.source,)
            for source in sources:
                if source not in (None, name, "*"):
                    public_name[source] = name
        names = []
        for name in self.Meta.fields:
            name = public_name.get(name, name)
            if name not in names:
                names.append(name)
        return names


class ModelWriteSerializer(StrictFieldsMixin, PublicNamesMixin, serializers.ModelSerializer):
    """What an editor writes to a record, built from the model's fields.

    Types, choices, lengths, validators and their messages come from the model, so a bad
    value is a 400 naming the field before anything is tried; the viewset then hands the
    values to the model's writer (``core.services.Writer``), whose services apply the
    rules that span fields and records. ``create()`` and ``update()`` are never called.

    A subclass lists ``Meta.fields`` from the services' field lists, declaring only what
    the API names or reads differently (an actor by slug, a partial date). A field the
    body names that the serializer does not write is a 400 (``StrictFieldsMixin``).
    """

    def to_internal_value(self, data):
        # Codes are typed in any case and stored in upper case (the model's
        # upper_case_fields): upper-case them before the model's validators see them.
        codes = getattr(self.Meta.model, "upper_case_fields", ())
        if codes and isinstance(data, Mapping):
            opts = self.Meta.model._meta
            data = {
                **data,
                **{
                    name: upper_case_code(data[name], opts.get_field(name))
                    for name in codes
                    if name in data
                },
            }
        return super().to_internal_value(data)

    def get_validators(self):
        # A unique constraint that names its field (core.rules.FieldUniqueConstraint) is
        # the services' to apply, so that its message comes on that field, as at every
        # door; DRF's own check would give it about the record as a whole.
        own = [
            set(constraint.fields)
            for constraint in self.Meta.model._meta.constraints
            if isinstance(constraint, FieldUniqueConstraint)
        ]
        return [
            validator
            for validator in super().get_validators()
            if set(getattr(validator, "fields", ()) or ()) not in own
        ]

    def model_field_names(self) -> dict[str, str]:
        """Model field → the API's name for it, where they differ (for the messages of
        the model's rules, see core.rest.errors)."""
        names = {}
        for name, field in self.fields.items():
            for model_field in getattr(field, "model_fields", ()):
                names[model_field] = name
            if field.source not in (name, "*"):
                names[field.source] = name
        return names
