"""Reading a bundle: stream the JSON, check each record's fields with the model's own rules.

Nothing here holds a whole bundle: records are parsed one at a time (the standard
library's C scanner, on a chunk of the file) and handed on as rows. Each field is checked
by the model's own ``clean_fields`` (the rules the admin and the API apply, normalisations
such as upper-casing codes included), run on one reusable instance per model and
remembered per distinct value, so a million records do not make a million model objects.
"""

import codecs
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from bundles.specs import NOT_IMPORTED, SPECS_BY_LABEL, ModelSpec

# What every staging row starts with: its place in the bundle, its natural key as written,
# whether its fields passed, the fingerprint of its text, and what the import will do with
# it (created, until it is matched with a row of the table). The model's columns follow.
ROW_HEAD = ("_n", "_part", "_idx", "_key", "_valid", "_fingerprint", "_action")
# What a record the database already holds as it is (same fingerprint, unedited) is staged
# with: its place and its key; the rest is taken from its row in the database.
KNOWN_ROW = ("_n", "_part", "_idx", "_key", "_fingerprint")

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

    def __init__(self, spec: ModelSpec, field: models.Field, uuid_as_text: bool = False):
        self.field = field
        # A UUID in its usual spelling stays text, which the database reads as a UUID:
        # parsing it into a uuid.UUID and back is most of what reading a UUID costs.
        self._uuid_as_text = uuid_as_text and isinstance(field, models.UUIDField)
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
        if self._uuid_as_text and isinstance(raw, str) and _UUID_TEXT(raw):
            return raw
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

    def __init__(self, spec: ModelSpec, uuid_as_text: bool = False):
        """``uuid_as_text``: UUIDs may be staged as text (PostgreSQL casts them)."""
        self.spec = spec
        self.cleaners = {f.name: FieldCleaner(spec, f, uuid_as_text) for f in spec.value_fields}
        self._uuid_as_text = uuid_as_text
        self.references = spec.references
        self.computed = spec.computed_fields
        self.ignored = NOT_IMPORTED | {f.name for f in self.computed}
        self.columns = self._columns()
        self._finish = spec.record_finisher()
        # Per record, read through these rather than the spec's properties.
        self._pk_name = None if spec.has_auto_pk else spec.model._meta.pk.name
        self._auto_pk = spec.has_auto_pk
        self._readable = frozenset(spec.known_fields | self.ignored | {"id"})
        self._cleaner_items = tuple(self.cleaners.items())
        self._value_names = tuple(f.name for f in spec.value_fields)
        self._computed_names = tuple(f.name for f in self.computed)
        self._reference_names = {ref.name: ref for ref in self.references}
        self._key_readers = tuple((name, self._key_reader(name)) for name in spec.key)

    def _columns(self) -> list[str]:
        columns = list(ROW_HEAD)
        if self.spec.has_auto_pk:
            columns.append("id")
        columns += [f.column for f in self.spec.value_fields]
        for ref in self.references:
            columns.append(ref.column)
            if ref.by_slug:
                columns.append(ref.key_column)
        columns += [f.column for f in self.computed]
        return columns

    def known_row(
        self, ordinal: int, file_no: int, index: int, record: dict, fingerprint: str
    ) -> tuple | None:
        """The staging row of a record whose very text the database already holds.

        Only its natural key is read (cleaned as ``read`` cleans it, so that duplicates
        compare alike); None when even that fails, and the record is read in full.
        """
        fields = record.get("fields")
        if not isinstance(fields, dict):
            return None
        key = []
        try:
            for name, read_key in self._key_readers:
                if name == self._pk_name and "pk" in record:
                    raw = record["pk"]
                else:
                    raw = fields.get(name, _MISSING)
                key.append(read_key(raw))
        except ValidationError:
            return None
        key_text = str(key[0]) if len(key) == 1 else _key_text(key)
        return (ordinal, file_no, index, key_text, fingerprint)

    def _key_reader(self, name: str) -> Callable[[Any], Any]:
        """How ``known_row`` reads one part of the natural key: as ``read`` would."""
        ref = self._reference_names.get(name)
        if ref is not None and ref.by_slug:
            return lambda raw: _reference_value(ref, None if raw is _MISSING else raw)
        if ref is not None:
            return lambda raw: _uuid_text(
                raw[0] if isinstance(raw, list) and len(raw) == 1 else raw,
                lambda value: _reference_value(ref, None if value is _MISSING else value),
            )
        cleaner = self.cleaners[name]
        if isinstance(cleaner.field, models.UUIDField):
            return lambda raw: _uuid_text(raw, cleaner)
        return cleaner

    def read(
        self, ordinal: int, file_no: int, index: int, record: dict, fingerprint: str = ""
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
            raw = get(ref.name)
            if self._uuid_as_text and not ref.by_slug:
                if isinstance(raw, list) and len(raw) == 1:
                    raw = raw[0]
                if isinstance(raw, str) and _UUID_TEXT(raw):
                    keys[ref.name] = raw
                    continue
            try:
                keys[ref.name] = _reference_value(ref, raw)
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

        valid = not problems
        row: list[Any] = [
            ordinal,
            file_no,
            index,
            key_text,
            valid,
            fingerprint,
            "created" if valid else None,
        ]
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


def _uuid_text(raw: Any, clean: Callable[[Any], Any]) -> str:
    """A UUID as the staging key writes it; the usual spelling is taken as it is."""
    if isinstance(raw, str) and _UUID_TEXT(raw):
        return raw
    return str(clean(raw))


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


class BundleSyntaxError(Exception):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


# The file is read this much at a time; a record may span chunks, but not more than
# RECORD_LIMIT characters: past that, a record that does not parse is malformed, not cut.
CHUNK = 1 << 22
RECORD_LIMIT = 1 << 26
_SPACE = re.compile(r"[ \t\n\r]*")
_AFTER_VALUE = frozenset(", \t\n\r]")
_BETWEEN = re.compile(r"[ \t\n\r]*,[ \t\n\r]*").match
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").fullmatch


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


# Decimal, not float, for numbers with a fraction: amounts keep every digit they are given.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constants)


def _maybe_cut(error: json.JSONDecodeError, size: int) -> bool:
    """Whether a parse error may only mean the record goes on past what has been read."""
    return error.msg.startswith("Unterminated string") or error.pos >= size - 8


def iter_records(
    handle,
    on_read: Callable[[int], Any] | None = None,
    *,
    opening: bool = True,
    closing: bool = True,
) -> Iterator[tuple[int, Any, str]]:
    """(index, record, text) for each element of the top-level JSON array, streamed.

    ``text`` is the record exactly as the file writes it: its fingerprint tells a later
    import that the record has not changed. The file is read in chunks and each record
    parsed by the standard library's C scanner where it lies, so memory holds a chunk and
    one record, not the file. Raises BundleSyntaxError naming the index where the JSON
    stops making sense.

    A part of the array may be read alone: without ``opening`` it starts at a record
    (not at the array's "["), without ``closing`` it ends after a record and its comma.
    """
    decode = codecs.getincrementaldecoder("utf-8")().decode
    raw_decode = _DECODER.raw_decode
    space = _SPACE.match
    text, at, ended = "", 0, False
    index = 0

    def fill() -> None:
        nonlocal text, at, ended
        data = handle.read(CHUNK)
        if on_read:
            on_read(len(data))
        ended = not data
        try:
            text = text[at:] + decode(data, final=ended)
        except UnicodeDecodeError as error:
            message = f"Malformed JSON: not UTF-8 ({error.reason})."
            raise BundleSyntaxError(index, message) from None
        at = 0

    def skip_space() -> str:
        """The next character that is not white space ('' at the end of the file)."""
        nonlocal at
        while True:
            at = space(text, at).end()
            if at < len(text) or ended:
                return text[at : at + 1]
            fill()

    if opening:
        if skip_space() != "[":
            raise BundleSyntaxError(0, "A bundle is a JSON array of records ([{…}, …]).")
        at += 1
        if skip_space() == "]" and closing:
            at += 1
            if skip_space():
                raise BundleSyntaxError(0, "Malformed JSON: text after the array's end.")
            return
    elif not skip_space():
        return
    while True:
        while True:
            try:
                record, end = raw_decode(text, at)
            except (json.JSONDecodeError, ValueError) as error:
                cut = isinstance(error, json.JSONDecodeError) and _maybe_cut(error, len(text))
                if ended or not cut or len(text) - at > RECORD_LIMIT:
                    message = (
                        error.msg.removesuffix(" at")
                        if isinstance(error, json.JSONDecodeError)
                        else error
                    )
                    if ended and cut:
                        message = f"the file ends inside this record, cut short ({message})"
                    raise BundleSyntaxError(index, f"Malformed JSON: {message}.") from None
                fill()
                continue
            if isinstance(record, dict | list) or ended or len(text) - at > RECORD_LIMIT:
                break
            if end < len(text) and text[end] in _AFTER_VALUE:
                break
            fill()  # a bare number or word may go on in the next chunk ("726." "0668")
        yield index, record, text[at:end]
        index += 1
        # Most records are followed by a comma and the next record, in the same chunk.
        between = _BETWEEN(text, end)
        if between is not None and between.end() < len(text):
            at = between.end()
            if text[at] != "]":
                continue
        at = end
        following = skip_space()
        if following == ",":
            at += 1
            following = skip_space()
            if not following and not closing:
                return
            if following in ("]", ""):
                raise BundleSyntaxError(index, "Malformed JSON: a comma before the array's end.")
            continue
        if following == "]" and closing:
            at += 1
            if skip_space():
                raise BundleSyntaxError(index, "Malformed JSON: text after the array's end.")
            return
        raise BundleSyntaxError(
            index, "Malformed JSON: expected a comma or the array's end after a record."
        )


def reader_for(label: Any) -> ModelSpec | None:
    return SPECS_BY_LABEL.get(label.lower()) if isinstance(label, str) else None
