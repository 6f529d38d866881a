"""What the history of the curated records says about a change beyond who and when.

django-simple-history writes one historical row per saved or deleted record. Inside
``history_context`` every such row gets the same change reason (an import names its file
and its user) and, when given, the same timestamp: a deletion and the records it carried
with it share one moment, which is how a restore finds them again.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


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
