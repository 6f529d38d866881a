"""What the history of the curated records says about a change beyond who and when.

django-simple-history writes one historical row per saved or deleted record. Inside
``history_context`` every such row gets the same change reason (an import names its file
and its user) and, when given, the same timestamp: a deletion and the records it carried
with it share one moment, which is how a restore finds them again.
"""

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import get_history_manager_for_model


@dataclass(frozen=True)
class HistoryContext:
    reason: str
    moment: datetime | None = None
    # Who made the change, when no request says it (an import run from a command).
    user: models.Model | None = None
    # The record the change is about; the others it carries along get ``carried_reason``.
    root: models.Model | None = None
    carried_reason: str = ""


_current: ContextVar[HistoryContext | None] = ContextVar("caci_history_context", default=None)


@contextmanager
def history_context(
    *,
    reason: str,
    moment: datetime | None = None,
    user: models.Model | None = None,
    root: models.Model | None = None,
    carried_reason: str = "",
) -> Iterator[HistoryContext]:
    """Give every historical row written inside the block this reason (and moment)."""
    context = HistoryContext(
        reason=reason,
        moment=moment,
        user=user,
        root=root,
        carried_reason=carried_reason or reason,
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def _is_root(context: HistoryContext, instance: models.Model) -> bool:
    root = context.root
    return root is None or (
        instance._meta.concrete_model is root._meta.concrete_model and instance.pk == root.pk
    )


@receiver(pre_create_historical_record, dispatch_uid="caci_history_context")
def _apply_history_context(sender, instance, history_instance, **kwargs) -> None:
    context = _current.get()
    if context is None:
        return
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = (
            context.reason if _is_root(context, instance) else context.carried_reason
        )
    if context.moment is not None:
        history_instance.history_date = context.moment
    if context.user is not None and history_instance.history_user_id is None:
        history_instance.history_user = context.user


class RecordHistory(HistoricalRecords):
    """History whose tables are indexed only for the lookups the history is read by.

    django-simple-history indexes every foreign key, unique and indexed column of the
    historical copy, and the user; each of those indexes costs on every historical row
    written (an import writes one per record) and serves no query: history is read by
    record (the model's primary key, ``id``: the admin's history page, a restore) and by
    ``history_date`` (a deletion's group, the deleted-records page), and those two stay
    indexed, with ``history_id`` the historical table's own primary key.
    """

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.name:
                field.db_index = False
        return fields

    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        user = fields.get("history_user")
        if isinstance(user, models.ForeignKey):
            user.db_index = False
        return fields


# Aggregates: a record and the children edited with it ------------------------------------

# What the history of an aggregate records beyond the record's own columns.
CHILDREN_FIELD = "history_children"

# Aggregate model -> {relation name: the child fields its history records}.
_aggregates: dict[type[models.Model], dict[str, tuple[str, ...]]] = {}


class AggregateHistoricalModel(models.Model):
    """The columns every aggregate's historical model adds to the record's own."""

    history_children = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        encoder=DjangoJSONEncoder,
        help_text="The record's children at this version, by relation: a list of their "
        "fields each (related records by primary key). Null when the version was written "
        "by a fixture import, which records each child in its own history instead, and "
        "on a deletion.",
    )

    class Meta:
        abstract = True


class AggregateHistory(RecordHistory):
    """The history of a record edited with its children as one unit.

    ``children`` names the reverse relations that belong to the record (an agreement's
    ``parties`` and ``citations``) and, for each, the fields that make a child what it is,
    in the order they sort by. Every version of the record carries its children as they
    were (``history_children``), so that the history page shows a change of a party as a
    change of the agreement, and a revert brings the parties back.
    """

    def __init__(self, *, children: Mapping[str, tuple[str, ...]], **kwargs):
        self.children = dict(children)
        super().__init__(bases=[AggregateHistoricalModel], **kwargs)

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        _aggregates[cls] = self.children


def aggregate_children(model: type[models.Model]) -> dict[str, tuple[str, ...]]:
    """The children an aggregate's history records; empty for any other model."""
    return _aggregates.get(model._meta.concrete_model, {})


def aggregate_links(child: type[models.Model]) -> list[tuple[type[models.Model], models.Field]]:
    """The aggregates a ``child`` record is a part of: each one's model and the child's
    foreign key to it (a citation's ``agreement`` and ``trade_figure``)."""
    links = []
    for model, relations in _aggregates.items():
        for relation in relations:
            remote = model._meta.get_field(relation).remote_field
            if remote.model is child._meta.concrete_model:
                links.append((model, remote))
    return links


def aggregate_parents(instance: models.Model) -> list[models.Model]:
    """The records ``instance`` is a part of (a citation's agreement), as stored now."""
    parents = []
    for model, foreign_key in aggregate_links(type(instance)):
        parent_id = getattr(instance, foreign_key.attname)
        parent = model._default_manager.filter(pk=parent_id).first() if parent_id else None
        if parent is not None:
            parents.append(parent)
    return parents


def children_snapshot(instance: models.Model) -> dict[str, list[dict]]:
    """The record's children as they stand in the database, as its history records them."""
    snapshot = {}
    for relation, fields in aggregate_children(type(instance)).items():
        rows = getattr(instance, relation).values(*fields)
        snapshot[relation] = _as_stored(rows, fields)
    return snapshot


def _as_stored(rows, fields) -> list[dict]:
    """Children in a stable order, through JSON and back: two snapshots of the same
    children compare equal wherever they come from."""
    rows = json.loads(json.dumps(list(rows), cls=DjangoJSONEncoder))
    return sorted(
        rows,
        key=lambda row: tuple(
            (0, row[name], "") if isinstance(row[name], int) else (1, 0, str(row[name]))
            for name in fields
        ),
    )


@receiver(pre_create_historical_record, dispatch_uid="caci_history_children")
def _record_children(sender, instance, history_instance, **kwargs) -> None:
    if not aggregate_children(type(instance)) or history_instance.history_type == "-":
        # A deletion's children are gone by now; their own history holds them.
        return
    history_instance.history_children = children_snapshot(instance)


def history_children_record(instance: models.Model) -> None:
    """Give the record's latest version its children as they stand now.

    A record is saved before its children can point to it: its creation (or its restore)
    is recorded, then its children written, then this records them on that same version.
    """
    history = get_history_manager_for_model(instance)
    latest = history.filter(**{instance._meta.pk.attname: instance.pk}).order_by(
        "-history_date", "-history_id"
    )[:1]
    history.filter(history_id__in=latest.values("history_id")).update(
        history_children=children_snapshot(instance)
    )


def children_at(version) -> dict[str, list[dict]] | None:
    """The children of the record at ``version`` of its history.

    From the version itself when it records them; for a version a fixture import wrote,
    from the children's own histories as they stood at that moment. None for a deletion.
    """
    model = version.instance_type
    relations = aggregate_children(model)
    if not relations or version.history_type == "-":
        return None
    if version.history_children is not None:
        return version.history_children
    snapshot = {}
    for relation, fields in relations.items():
        remote = model._meta.get_field(relation).remote_field
        child = remote.model
        child_history = get_history_manager_for_model(child)
        child_pk = child._meta.pk.attname
        parent_id = getattr(version, model._meta.pk.attname)
        # Every child that was ever the record's, as it stood then: one moved to another
        # record since (a citation an import gave to another fact) is no longer its.
        ever = child_history.filter(**{remote.attname: parent_id}).values(child_pk)
        rows = child_history.filter(
            **{f"{child_pk}__in": ever}, history_date__lte=version.history_date
        ).order_by(child_pk, "-history_date", "-history_id")
        latest = {}
        for row in rows:
            latest.setdefault(getattr(row, child_pk), row)
        values = [
            {name: getattr(row, child._meta.get_field(name).attname) for name in fields}
            for row in latest.values()
            if row.history_type != "-" and getattr(row, remote.attname) == parent_id
        ]
        snapshot[relation] = _as_stored(values, fields)
    return snapshot
