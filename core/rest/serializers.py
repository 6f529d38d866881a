"""The base of the API's write serializers: built from the model, written by the services."""

from collections.abc import Mapping

from rest_framework import serializers

from core.editorial import upper_case_code
from core.rules import FieldUniqueConstraint


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


class ModelWriteSerializer(PublicNamesMixin, serializers.ModelSerializer):
    """What an editor writes to a record, built from the model's fields.

    Types, choices, lengths, validators and their messages come from the model, so a bad
    value is a 400 naming the field before anything is tried; the viewset then hands the
    values to the model's writer (``core.services.Writer``), whose services apply the
    rules that span fields and records. ``create()`` and ``update()`` are never called.

    A subclass lists ``Meta.fields`` from the services' field lists, declaring only what
    the API names or reads differently (an actor by slug, a partial date).
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
