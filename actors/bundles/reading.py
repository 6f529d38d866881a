"""Reading a bundle: stream the JSON, check each record's fields with the model's own rules.

Nothing here holds a whole bundle: records are parsed one at a time (ijson, C backend) and
handed on as rows. Each field is checked by the model's own ``clean_fields`` (the rules the
admin and the API apply, normalisations such as upper-casing codes included), run on one
reusable instance per model and remembered per distinct value, so a million records do not
make a million model objects.
"""

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import ijson
from django.core.exceptions import ValidationError
from django.db import models

from actors.bundles.specs import NOT_IMPORTED, SPECS_BY_LABEL, ModelSpec

# A field's cleaned values are remembered while few: codes, choices, years repeat; quotes and
# amounts mostly do not, and remembering them would only cost memory.
MEMO_LIMIT = 20_000
_MISSING = object()


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


class FieldCleaner:
    """One field's check: what the model's ``clean_fields`` does for that field."""

    def __init__(self, spec: ModelSpec, field: models.Field):
        self.field = field
        self.default = field.get_default()
        self._memo: dict[Any, Any] = {}
        self._memoize = not isinstance(field, models.TextField) and not field.primary_key
        # Models that override clean_fields normalise short codes there (Actor.iso_code,
        # TradeFigure.currency): those fields go through the model's clean_fields itself,
        # on one reusable instance; every other field through the field's own clean().
        model = spec.model
        self._proto = None
        if model.clean_fields is not models.Model.clean_fields and (
            field.choices or (isinstance(field, models.CharField) and field.max_length <= 20)
        ):
            self._proto = model()
            self._exclude = {f.name for f in model._meta.fields} - {field.name}

    def __call__(self, raw: Any) -> Any:
        """The cleaned value; raises ValidationError with the model's message."""
        if raw is _MISSING:
            raw = self.default
        if self._memoize:
            try:
                return self._memo[raw]
            except KeyError:
                pass
            except TypeError:  # an unhashable value (a list, an object): clean it plainly
                return self._clean(raw)
            value = self._clean(raw)
            if len(self._memo) < MEMO_LIMIT:
                self._memo[raw] = value
            return value
        return self._clean(raw)

    def _clean(self, raw: Any) -> Any:
        field = self.field
        if isinstance(raw, list | dict):
            raise ValidationError(f"Expected a single value, got {type(raw).__name__}.")
        value = field.to_python(raw)  # what Django's deserializer does first
        if value is None and not field.null:
            if field.empty_strings_allowed and field.blank:
                value = ""
            else:
                raise ValidationError(field.error_messages["null"])
        if not field.editable:  # the UUID primary key: to_python has checked it
            return value
        if field.blank and value in field.empty_values:
            return value  # clean_fields does not validate an empty optional field
        if self._proto is None:
            return field.clean(value, None)
        proto = self._proto
        setattr(proto, field.attname, value)
        try:
            proto.clean_fields(exclude=self._exclude)
            return getattr(proto, field.attname)
        except (AttributeError, TypeError) as error:
            raise ValidationError("Enter a valid value.") from error
        finally:
            setattr(proto, field.attname, self.default)


def _key_text(values: list) -> str:
    """A natural key as the bundle writes it: a JSON list, or the UUID for UUID models."""
    if len(values) == 1:
        return str(values[0])
    return json.dumps(values, ensure_ascii=False)


class RecordReader:
    """Turns one model's bundle records into staging rows."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self.cleaners = {f.name: FieldCleaner(spec, f) for f in spec.value_fields}
        self.references = spec.references
        self.computed = spec.computed_fields
        self.ignored = NOT_IMPORTED | {f.name for f in self.computed}
        self.columns = self._columns()
        self._finish = _agreement_finisher() if spec.label == "actors.agreement" else None
        # Per record, read through these rather than the spec's properties.
        self._pk_name = None if spec.has_auto_pk else spec.model._meta.pk.name
        self._auto_pk = spec.has_auto_pk
        self._readable = frozenset(spec.known_fields | self.ignored | {"id"})
        self._cleaner_items = tuple(self.cleaners.items())
        self._value_names = tuple(f.name for f in spec.value_fields)
        self._computed_names = tuple(f.name for f in self.computed)

    def _columns(self) -> list[str]:
        columns = ["_n", "_file", "_idx", "_key", "_valid"]
        if self.spec.has_auto_pk:
            columns.append("id")
        columns += [f.column for f in self.spec.value_fields]
        for ref in self.references:
            columns.append(ref.column)
            if ref.by_slug:
                columns.append(ref.key_column)
        columns += [f.column for f in self.computed]
        return columns

    def read(
        self, ordinal: int, file_no: int, index: int, record: dict
    ) -> tuple[tuple, str, list[FieldProblem]]:
        spec = self.spec
        fields = record.get("fields")
        problems: list[FieldProblem] = []
        if not isinstance(fields, dict):
            fields = {}
            problems.append(FieldProblem("fields", 'The record has no "fields" object.'))
        if self._pk_name is not None and "pk" in record:
            fields = {**fields, self._pk_name: record["pk"]}
        # One set difference finds the names the model does not read; most records have none.
        if not self._readable.issuperset(fields):
            for name in fields:
                if name in self._readable:
                    continue
                if name in spec.m2m_names:
                    problems.append(
                        FieldProblem(
                            name, f"Not read here: give these as {spec.m2m_names[name]} records."
                        )
                    )
                else:
                    problems.append(FieldProblem(name, f"{spec.label} has no field {name!r}."))

        get = fields.get
        values: dict[str, Any] = {}
        for name, cleaner in self._cleaner_items:
            try:
                values[name] = cleaner(get(name, _MISSING))
            except ValidationError as error:
                values[name] = None
                problems.append(FieldProblem(name, _messages(error)))
        keys: dict[str, Any] = {}
        for ref in self.references:
            try:
                keys[ref.name] = _reference_value(ref, get(ref.name))
            except ValidationError as error:
                keys[ref.name] = None
                problems.append(FieldProblem(ref.name, _messages(error)))
        if self._finish is not None and not problems:
            self._finish(values, problems)

        key = []
        for name in spec.key:
            value = keys[name] if name in keys else values.get(name)
            key.append(str(value) if isinstance(value, uuid.UUID) else value)
        key_text = str(key[0]) if len(key) == 1 else _key_text(key)

        row: list[Any] = [ordinal, file_no, index, key_text, not problems]
        if self._auto_pk:
            row.append(None)
        row += [values[name] for name in self._value_names]
        for ref in self.references:
            if ref.by_slug:
                row += [None, keys[ref.name]]
            else:
                row.append(keys[ref.name])
        row += [values.get(name) for name in self._computed_names]
        return tuple(row), key_text, problems


def _reference_value(ref, raw: Any) -> Any:
    if raw is None:
        if ref.null:
            return None
        raise ValidationError("This field cannot be null.")
    if ref.by_slug:
        if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], str) and raw[0]:
            return raw[0]
        raise ValidationError(
            f'Expected the natural key of a {ref.target} record, such as ["its-slug"], '
            f"got {json.dumps(raw)}."
        )
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    try:
        return uuid.UUID(str(raw))
    except ValueError as error:
        raise ValidationError(
            f"Expected the UUID of a {ref.target} record, got {json.dumps(raw)}."
        ) from error


def _agreement_finisher() -> Callable[[dict, list[FieldProblem]], None]:
    """The signing date as Agreement.clean stores it: the period's first and last day."""
    from actors.models import Agreement

    proto = Agreement()

    def finish(values: dict, problems: list[FieldProblem]) -> None:
        proto.signed_on = values["signed_on"]
        proto.signed_precision = values["signed_precision"]
        values["signed_on_latest"] = None
        if proto.signed_on and proto.signed_precision:
            proto.fill_signed_bounds()
            values["signed_on"] = proto.signed_on
            values["signed_on_latest"] = proto.signed_on_latest

    return finish


class _ProgressFile:
    """A binary file that reports how much of it has been read."""

    def __init__(self, handle, update: Callable[[int], Any]):
        self._handle = handle
        self._update = update

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._update(len(data))
        return data


@dataclass
class RawRecord:
    file_no: int
    index: int
    record: Any


class BundleSyntaxError(Exception):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


def iter_records(handle, on_read: Callable[[int], Any] | None = None) -> Iterator[tuple[int, Any]]:
    """(index, record) for each element of the top-level JSON array, streamed.

    Raises BundleSyntaxError naming the index where the JSON stops making sense.
    """
    source = _ProgressFile(handle, on_read) if on_read else handle
    start = handle.read(64).lstrip()
    if on_read:
        on_read(len(start))
    if not start.startswith(b"["):
        raise BundleSyntaxError(0, "A bundle is a JSON array of records ([{…}, …]).")
    rest = _Prefixed(start, source)
    index = -1
    try:
        for index, record in enumerate(ijson.items(rest, "item")):
            yield index, record
    except ijson.JSONError as error:
        raise BundleSyntaxError(index + 1, f"Malformed JSON: {error}.") from error


class _Prefixed:
    """A file whose first bytes were already read (to check the bundle is an array)."""

    def __init__(self, prefix: bytes, source):
        self._prefix = prefix
        self._source = source

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing to learn whether the file gives bytes
            return b""
        if self._prefix:
            data, self._prefix = self._prefix, b""
            return data
        return self._source.read(size)


def reader_for(label: Any) -> ModelSpec | None:
    return SPECS_BY_LABEL.get(label.lower()) if isinstance(label, str) else None
