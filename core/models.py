"""What the shared base stores itself: the marks that records left the public dataset."""

from django.conf import settings
from django.db import models


class RemovalReason(models.TextChoices):
    DELETED = "deleted", "Deleted"
    UNPUBLISHED = "unpublished", "Sent back to review (unpublished)"
    RENAMED = "renamed", "Renamed (its identifier changed)"


class Tombstone(models.Model):
    """That a record left the dataset under an identifier, and when: what a client that
    mirrors the dataset with ``updated_since`` needs to remove its copy.

    The log keeps every removal. A record that comes back (restored, published again)
    is listed again with a later ``updated_at``: a client applies the removals it fetched
    before the records it fetched, and the record is back.
    """

    model = models.CharField(
        max_length=100, help_text="The record's model, as app_label.model_name."
    )
    record_id = models.CharField(
        max_length=200,
        help_text="The record's identifier as the API's addresses use it: its slug, or its "
        "UUID for agreements and trade figures.",
    )
    reason = models.CharField(max_length=20, choices=RemovalReason.choices)
    removed_at = models.DateTimeField(help_text="When the record left the dataset.")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Removing an account must not erase what it once did.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The editor who removed it, when one did.",
    )
    public = models.BooleanField(
        help_text="Whether the public API showed the record until then. The public is told "
        "only of those: the identifier of a record never published stays unknown to it."
    )

    class Meta:
        ordering = ["removed_at", "id"]
        indexes = [models.Index(fields=["removed_at"], name="tombstone_removed_at_idx")]

    def __str__(self) -> str:
        return f"{self.model} {self.record_id} {self.reason} at {self.removed_at:%Y-%m-%d %H:%M}"
