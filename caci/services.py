"""Write helpers shared by every app's services."""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from caci.editorial import ReviewedModel, ReviewStatus

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(
    *, instance: ModelT, data: Mapping[str, Any], fields: Iterable[str]
) -> tuple[ModelT, list[str]]:
    """Set the given ``fields`` from ``data``, validate and save only what changed.

    Returns the instance and the names of the fields that changed. A call that changes
    nothing writes nothing, so ``updated_at`` and the history stay as they were.
    """
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
    if changed:
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
    return instance, changed


def records_publish(*, records: Iterable[ReviewedModel], user) -> int:
    """Mark records as checked against their source and published, by ``user``, now.

    Saves each record on its own so that its history names the editor.
    """
    now = timezone.now()
    count = 0
    for record in records:
        if record.review_status == ReviewStatus.PUBLISHED:
            continue
        record.review_status = ReviewStatus.PUBLISHED
        record.verified_by = user
        record.verified_at = now
        record.save(update_fields=["review_status", "verified_by", "verified_at", "updated_at"])
        count += 1
    return count


def records_send_back_to_review(*, records: Iterable[ReviewedModel], note: str = "") -> int:
    """Take records out of publication, back to the review queue."""
    count = 0
    for record in records:
        if record.review_status == ReviewStatus.NEEDS_REVIEW and not note:
            continue
        record.review_status = ReviewStatus.NEEDS_REVIEW
        record.verified_by = None
        record.verified_at = None
        if note:
            record.review_note = note
        record.save(
            update_fields=[
                "review_status",
                "verified_by",
                "verified_at",
                "review_note",
                "updated_at",
            ]
        )
        count += 1
    return count
