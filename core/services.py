"""Write helpers shared by every app's services."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from importlib import import_module
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from core.editorial import ReviewedModel, ReviewStatus
from core.history import (
    aggregate_children,
    aggregate_parents,
    children_at,
    history_children_record,
    history_context,
)
from core.models import RemovalReason, Tombstone
from core.rules import rules_check

ModelT = TypeVar("ModelT", bound=models.Model)

# Set by the review (record_review) alone, never written by the services as a value.
REVIEW_BOOKKEEPING = ("review_status", "verified_by", "verified_at", "verified_via")


def editable_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields an editor writes on ``model``: its editable columns, its own first, then
    those it shares with every record of its kind (the review status and note).

    The one list of a model's fields: the services take these, the API's write
    serializers, the spreadsheets and the admin are built from it.
    """
    editable = [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in REVIEW_BOOKKEEPING
    ]
    shared = {
        field.name
        for base in model.__mro__[1:]
        if getattr(getattr(base, "_meta", None), "abstract", False)
        for field in base._meta.fields
    }
    return tuple(
        [field.name for field in editable if field.name not in shared]
        + [field.name for field in editable if field.name in shared]
    )


def fields_check(model: type[models.Model], data: Mapping[str, Any]) -> None:
    """Refuse a value for a field an editor does not write: a mistake in the caller."""
    unknown = sorted(set(data) - set(editable_fields(model)))
    if unknown:
        raise TypeError(f"{model.__name__} has no editable field {', '.join(unknown)}.")


def model_create(
    model: type[ModelT],
    fields: Mapping[str, Any],
    *,
    parts: Callable[[ModelT], Any] | None = None,
) -> ModelT:
    """A new record of ``model`` from the values of its editable ``fields`` (the model's
    defaults for the rest), validated and saved; then ``parts`` writes its aggregate's
    children (an agreement's parties…), which its first version in the history records.

    Call it inside the caller's transaction: a child refused undoes the record too.
    """
    fields_check(model, fields)
    record = model(**fields)
    record.full_clean()
    record.save()
    if parts is not None:
        parts(record)
    if aggregate_children(model):
        history_children_record(record)
    return record


def model_update(
    *,
    instance: ModelT,
    data: Mapping[str, Any],
    fields: Iterable[str],
    children_changed: bool = False,
) -> tuple[ModelT, list[str]]:
    """Set the given ``fields`` from ``data``, validate and save only what changed.

    Returns the instance and the names of the fields that changed. A call that changes
    nothing writes nothing, so ``updated_at`` and the history stay as they were.
    ``children_changed`` says that the caller has just changed the record's children
    (an agreement's parties): the record is saved even if no field of its own changed,
    so that its ``updated_at`` moves and its history records the change, once.
    """
    identifier, was_public = public_identifier(instance), is_public(instance)
    changed = []
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        attname = field.attname if field.is_relation else name
        new_value = data[name]
        if field.is_relation and isinstance(new_value, models.Model):
            new_value = new_value.pk
        if getattr(instance, attname) != new_value:
            setattr(instance, attname, new_value)
            changed.append(name)
    if changed or children_changed:
        instance.full_clean()
        update_fields = [*changed]
        if any(f.name == "updated_at" for f in instance._meta.fields):
            update_fields.append("updated_at")
        # full_clean may normalise computed columns (bounds, offsets): save them too.
        update_fields.extend(
            f.name
            for f in instance._meta.fields
            if not f.editable and not f.primary_key and f.name not in update_fields
        )
        instance.save(update_fields=update_fields)
        if public_identifier(instance) != identifier:
            tombstone_write(
                instance=instance,
                record_id=identifier,
                reason=RemovalReason.RENAMED,
                public=was_public,
            )
    return instance, changed


def aggregates_touch(*, parents: Iterable[models.Model]) -> None:
    """Record a change made to a part on its own (a citation edited on its own page) as a
    change of the records it is part of: their updated_at moves and their history shows it."""
    for parent in parents:
        model_update(instance=parent, data={}, fields=(), children_changed=True)


# One writer per model --------------------------------------------------------------------

WRITERS: dict[type[models.Model], "Writer"] = {}


def row_input(kind: type) -> Callable[[Mapping[str, Any]], Any]:
    """A row as a service takes it (``kind``, a dataclass such as ``PartyInput``), from its
    fields' values: an admin inline's form, an object of the API."""
    names = [f.name for f in dataclass_fields(kind)]
    return lambda values: kind(**{name: values[name] for name in names if name in values})


def row_value(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """A row as a service takes it when it is one value (an alias's name, an author)."""
    return lambda values: values[name]


@dataclass(frozen=True)
class Part:
    """A row of a record's aggregate written on a page of its own (an agreement's party, a
    fact's citation, an article's byline entry): it meets its record's rules about those
    rows (``core/rules.py``) together with its siblings.

    ``parent`` gives the record a part belongs to (None when it names none: a constraint
    of the model refuses that), ``relation`` the record's related name for its parts,
    ``field`` the rules' name for them, ``to_input`` the part as the rules take it.
    """

    field: str
    relation: str
    parent: Callable[[models.Model], models.Model | None]
    to_input: Callable[[models.Model], Any]

    def rows_check(self, part: models.Model, *, replacing: models.Model | None = None) -> None:
        """Apply the record's rules to its stored parts with ``part`` added, or put in place
        of ``replacing``. Raises ``ValidationError`` naming the field."""
        parent = self.parent(part)
        if parent is None:
            return
        siblings = [
            self.to_input(row)
            for row in getattr(parent, self.relation).all()
            if replacing is None or row.pk != replacing.pk
        ]
        rules_check(type(parent), self.field, [*siblings, self.to_input(part)])

    # A part written on its own is a change of the record it is part of (of both records,
    # when it moves from one to another): their updated_at and history move with it, so a
    # client syncing with updated_since, and a version check, see the change.

    @transaction.atomic
    def create(self, model: type[ModelT], **values: Any) -> ModelT:
        part = model(**values)
        self.rows_check(part)
        part.full_clean()
        part.save()
        aggregates_touch(parents=aggregate_parents(part))
        return part

    @transaction.atomic
    def update(
        self, *, instance: ModelT, data: Mapping[str, Any], fields: Sequence[str]
    ) -> ModelT:
        parents = aggregate_parents(instance)
        candidate = copy(instance)
        for name in fields:
            if name in data:
                setattr(candidate, name, data[name])
        self.rows_check(candidate, replacing=instance)
        instance, changed = model_update(instance=instance, data=data, fields=fields)
        if changed:
            parents += [p for p in aggregate_parents(instance) if p not in parents]
            aggregates_touch(parents=parents)
        return instance


@dataclass(frozen=True)
class Writer:
    """How the records of one model are written: its create and update services behind one
    signature, the one every door calls (the admin, the API, the spreadsheets).

    ``create(data=..., related=...)`` and ``update(instance=..., data=..., related=...)``
    take ``data``, the values of the model's ``fields``, and ``related``, the rows the
    services take beside them ("parties", "citations", "aliases"…), each a list of rows
    as the services take them (see ``inputs``). A name missing from ``related`` leaves
    those rows as they are on an update, and empty on a create.

    Declared once per model next to its services (``writer_declare``) and found by the
    doors with ``writer_for``.
    """

    model: type[models.Model]
    create_service: Callable[..., models.Model]
    update_service: Callable[..., models.Model]
    # The update service's keyword for the record it changes ("agreement").
    instance_arg: str
    # The related rows' names, each with what makes a row of them from its fields' values.
    related: Mapping[str, Callable[[Mapping[str, Any]], Any]] = field(default_factory=dict)
    # A related name whose rows are put in the order of this field of theirs (a byline).
    ordered_by: Mapping[str, str] = field(default_factory=dict)
    # A related name that is not the model's own name for those rows ("authorships").
    relations: Mapping[str, str] = field(default_factory=dict)
    # The fields ``data`` may hold: the model's editable fields unless stated.
    fields: tuple[str, ...] = ()
    # What a version's children make of ``related`` (a revert to that version).
    from_history: Callable[[dict[str, list[dict]]], dict[str, list]] | None = None
    # Set for a part of another record's aggregate, written on its own page.
    part: Part | None = None

    def __post_init__(self) -> None:
        if not self.fields:
            object.__setattr__(self, "fields", editable_fields(self.model))

    def create(
        self, *, data: Mapping[str, Any], related: Mapping[str, Sequence] | None = None
    ) -> models.Model:
        related = related or {}
        rows = {name: related.get(name, ()) for name in self.related}
        return self.create_service(**data, **rows)

    def update(
        self,
        *,
        instance: models.Model,
        data: Mapping[str, Any],
        related: Mapping[str, Sequence] | None = None,
    ) -> models.Model:
        related = related or {}
        rows = {name: related[name] for name in self.related if name in related}
        return self.update_service(**{self.instance_arg: instance}, data=dict(data), **rows)

    def inputs(self, name: str, rows: Iterable[Any]) -> list:
        """The rows of ``name`` as the services take them: a row given as its fields'
        values (a mapping) is made into one, a row given as the services take it passes."""
        rows = list(rows)
        order = self.ordered_by.get(name)
        if order and all(isinstance(row, Mapping) for row in rows):
            rows.sort(key=lambda row: row[order])
        make = self.related[name]
        return [make(row) if isinstance(row, Mapping) else row for row in rows]

    def related_for(self, relation: str) -> str | None:
        """The related name for the model's rows ``relation`` (an inline's), or None."""
        for name in self.related:
            if self.relations.get(name, name) == relation:
                return name
        return None

    def split(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
        """``values`` (a request's, say) as ``data`` and ``related``."""
        data = {name: value for name, value in values.items() if name not in self.related}
        related = {
            name: self.inputs(name, values[name]) for name in self.related if name in values
        }
        return data, related


def writer_declare(*writers: Writer) -> None:
    for writer in writers:
        if writer.model in WRITERS:
            raise ValueError(f"{writer.model._meta.label} has two writers.")
        WRITERS[writer.model] = writer


def writer_for(model: type[models.Model]) -> Writer:
    """The writer of ``model``, declared in its app's ``services.py``."""
    if model not in WRITERS:
        import_module(f"{model._meta.app_config.name}.services")
    try:
        return WRITERS[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} has no writer: declare one next to its services."
        ) from None


# What a client mirroring the dataset must remove ----------------------------------------------


def identifier_field(model: type[models.Model]) -> models.Field:
    """The field that identifies a record of ``model`` in the API's addresses: its slug,
    or else its primary key."""
    fields = {field.name: field for field in model._meta.concrete_fields}
    return fields.get("slug", model._meta.pk)


def public_identifier(instance: models.Model) -> str:
    """The record's identifier in the API's addresses (see ``identifier_field``)."""
    return str(identifier_field(type(instance)).value_from_object(instance))


def is_public(instance: models.Model) -> bool:
    """Whether the public API shows the record (every record that is not reviewed does)."""
    return not isinstance(instance, ReviewedModel) or (
        instance.review_status == ReviewStatus.PUBLISHED
    )


def tombstone_values(
    *, model: type[models.Model], reason: str, public: bool, user=None, moment=None
) -> dict[str, Any]:
    """A tombstone of a record of ``model`` but its ``record_id``: the one definition of
    what a removal records, for one record (``tombstone_write``) and for a set of them
    (the fixture importer, whose record ids are its rows' ``identifier_field``)."""
    return {
        "model": model._meta.label_lower,
        "reason": reason,
        "removed_at": moment or timezone.now(),
        "removed_by": user if user is not None and user.is_authenticated else None,
        "public": public,
    }


def tombstone_write(
    *, instance: models.Model, reason: str, public: bool, user=None, record_id: str = ""
) -> Tombstone:
    """Record that ``instance`` left the dataset under its identifier (or ``record_id``)."""
    return Tombstone.objects.create(
        **tombstone_values(model=type(instance), reason=reason, public=public, user=user),
        record_id=record_id or public_identifier(instance),
    )


# Reviewing ------------------------------------------------------------------------------

# What the review itself writes, and what every save moves: not the record's content.
NOT_CONTENT = frozenset(
    {
        "review_status",
        "review_note",
        "verified_by",
        "verified_at",
        "verified_via",
        "updated_at",
        "import_digest",
        "import_fingerprint",
    }
)


def second_editor_required() -> bool:
    return getattr(settings, "CACI_REVIEW_REQUIRES_SECOND_EDITOR", True)


def content_author_id(record: ReviewedModel) -> Any:
    """The id of the user who wrote the record's content as it stands, from its history.

    The latest version that changed more than the review (a publication, a send-back, a
    review note) names them; ``None`` when no user did (a fixture import, a script).
    """
    history = history_of(type(record))
    compared = [
        f.attname
        for f in history.model._meta.concrete_fields
        if not f.name.startswith("history_") and f.name not in NOT_CONTENT
    ]
    pk_name = type(record)._meta.pk.attname
    versions = list(
        history.filter(**{pk_name: record.pk}).order_by("-history_date", "-history_id")
    )
    with_children = bool(aggregate_children(type(record)))

    def content(version) -> tuple:
        # An aggregate's parts are its content too: a new citation is a change to verify.
        own = tuple(getattr(version, name) for name in compared)
        return (*own, children_at(version)) if with_children else own

    contents = [content(version) for version in versions]
    for index, version in enumerate(versions):
        if index + 1 == len(versions) or contents[index] != contents[index + 1]:
            return version.history_user_id
    return None


def publish_check(*, record: ReviewedModel, user, rewrites: bool = False) -> None:
    """Refuse, with a ``ValidationError`` on ``review_status``, a publication ``user`` may
    not make.

    A record is published by an editor, who is named as its verifier. With
    ``CACI_REVIEW_REQUIRES_SECOND_EDITOR`` on, that editor is not the one who wrote the
    record's current version: ``rewrites`` says that ``user`` writes the record's content
    in the same step (a new record, or an edit published at once).
    """
    if user is None or not user.is_authenticated:
        raise ValidationError(
            {
                "review_status": "Only an editor can publish a record: they are named as "
                "its verifier."
            }
        )
    if not second_editor_required():
        return
    if rewrites:
        raise ValidationError(
            {
                "review_status": f"You are writing this {record._meta.verbose_name} yourself: "
                "another editor must verify it before it is published. Save it as needing "
                "review."
            }
        )
    if not record._state.adding and content_author_id(record) == user.pk:
        raise ValidationError(
            {
                "review_status": f"You wrote the current version of {record_label(record)}: "
                "another editor must verify it before it is published."
            }
        )


def _review_write(
    record: ReviewedModel, *, status: str, verified_by=None, verified_at=None, note=None
) -> None:
    """Set the review's columns (and the note, when given), validate and save them alone."""
    record.review_status = status
    record.verified_by = verified_by
    record.verified_at = verified_at
    record.verified_via = ""
    columns = ["review_status", "verified_by", "verified_at", "verified_via", "updated_at"]
    if note is not None:
        record.review_note = note
        columns.append("review_note")
    record.full_clean()
    record.save(update_fields=columns)


@transaction.atomic
def records_publish(*, records: Iterable[ReviewedModel], user) -> int:
    """Mark records as checked against their source and published, by ``user``, now.

    All or nothing: a record ``user`` may not publish (see ``publish_check``) refuses the
    whole call, every refusal named. Saves each record on its own so that its history names
    the editor. Returns how many records it published.
    """
    waiting = [r for r in records if r.review_status != ReviewStatus.PUBLISHED]
    refusals = []
    for record in waiting:
        try:
            publish_check(record=record, user=user)
        except ValidationError as error:
            refusals.extend(error.messages)
    if refusals:
        raise ValidationError({"review_status": list(dict.fromkeys(refusals))})
    now = timezone.now()
    for record in waiting:
        _review_write(record, status=ReviewStatus.PUBLISHED, verified_by=user, verified_at=now)
    return len(waiting)


@transaction.atomic
def records_send_back_to_review(
    *, records: Iterable[ReviewedModel], note: str = "", user=None
) -> int:
    """Take records out of publication, back to the review queue; ``note`` says what to
    check. Returns how many records it changed.

    A published record leaves the public API: a tombstone tells the clients that mirror it.
    """
    count = 0
    for record in records:
        was_published = record.review_status == ReviewStatus.PUBLISHED
        if not was_published and not note:
            continue
        _review_write(record, status=ReviewStatus.NEEDS_REVIEW, note=note or None)
        if was_published:
            tombstone_write(
                instance=record, reason=RemovalReason.UNPUBLISHED, public=True, user=user
            )
        count += 1
    return count


@transaction.atomic
def record_review(
    *, record: ReviewedModel, status: str, user, note: str | None = None
) -> ReviewedModel:
    """Move one record to ``status``: the one door every adapter (admin form, spreadsheet
    row, API ``review_status``) goes through. Publishing records ``user`` as the verifier."""
    if status == ReviewStatus.PUBLISHED:
        if note is not None and note != record.review_note:
            record, _ = model_update(
                instance=record, data={"review_note": note}, fields=["review_note"]
            )
        records_publish(records=[record], user=user)
    elif status == ReviewStatus.NEEDS_REVIEW:
        records_send_back_to_review(records=[record], note=note or "", user=user)
    else:
        raise ValidationError({"review_status": f"“{status}” is not a review status."})
    return record


# Deleting and restoring -----------------------------------------------------------------


def tracked_models() -> list[type[models.Model]]:
    """The models whose history is kept, in a stable order."""
    tracked = []
    for model in apps.get_models():
        try:
            get_history_manager_for_model(model)
        except NotHistoricalModelError:
            continue
        tracked.append(model)
    return sorted(tracked, key=lambda m: m._meta.label)


def history_of(model: type[models.Model]):
    return get_history_manager_for_model(model)


def record_label(instance: models.Model) -> str:
    return f"{instance._meta.verbose_name} “{instance}”"


@transaction.atomic
def record_delete(*, instance: models.Model, user=None) -> None:
    """Delete a record and what goes with it, so that a restore can bring them all back.

    The record and every record the deletion carries along (an agreement's parties and
    citations, an actor's aliases) are recorded in the history at one and the same moment,
    and a tombstone tells the clients that mirror the dataset (the public's only if the
    public could see the record).
    """
    tombstone_write(
        instance=instance, reason=RemovalReason.DELETED, public=is_public(instance), user=user
    )
    parents = aggregate_parents(instance)
    with history_context(
        reason="Deleted",
        moment=timezone.now(),
        root=instance,
        carried_reason=f"Deleted with {record_label(instance)}",
    ):
        instance.delete()
    aggregates_touch(parents=parents)


def _parents_first(records: list) -> list:
    """Order historical records so that a record comes after those its foreign keys use."""
    models_in_group = {record.instance_type for record in records}

    def depth(model, seen=()) -> int:
        parents = {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.related_model in models_in_group
            and field.related_model is not model
            and field.related_model not in seen
        }
        return 1 + max((depth(parent, (*seen, model)) for parent in parents), default=0)

    return sorted(records, key=lambda record: depth(record.instance_type))


@transaction.atomic
def record_restore(*, model: type[models.Model], pk: Any) -> models.Model:
    """Recreate a deleted record, and what its deletion carried along, as they were.

    Every record is validated again before it is written (its slug may have been taken
    since, a cited passage edited away): ``ValidationError`` names what stands in the way,
    and nothing is written.
    """
    pk_name = model._meta.pk.attname
    if model._default_manager.filter(pk=pk).exists():
        raise ValidationError(
            f"This {model._meta.verbose_name} exists: there is nothing to restore."
        )
    deletion = (
        history_of(model)
        .filter(**{pk_name: pk}, history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if deletion is None:
        raise ValidationError(f"No deleted {model._meta.verbose_name} has this identifier.")
    group = [deletion]
    for other in tracked_models():
        if other is model:
            continue
        group.extend(
            history_of(other).filter(history_type="-", history_date=deletion.history_date)
        )
    restored = deletion.instance
    with history_context(
        reason=f"Restored (deleted {deletion.history_date:%Y-%m-%d %H:%M} UTC)",
        root=restored,
        carried_reason=f"Restored with {record_label(restored)}",
    ):
        for record in _parents_first(group):
            instance = record.instance
            if instance._meta.model._default_manager.filter(pk=instance.pk).exists():
                continue
            try:
                instance.full_clean()
            except ValidationError as error:
                raise ValidationError(
                    f"Cannot restore {record_label(instance)}: {' '.join(error.messages)}"
                ) from error
            instance.save(force_insert=True)
            if hasattr(record, "created_at"):
                # A restore is not a creation: keep when the record first entered the dataset.
                type(instance)._default_manager.filter(pk=instance.pk).update(
                    created_at=record.created_at
                )
        for record in group:
            if aggregate_children(record.instance_type):
                history_children_record(record.instance)
    # Its updated_at is now: a client syncing with updated_since fetches it again.
    return model._default_manager.get(pk=pk)
