"""Editorial conventions shared by every curated record of the dataset.

Abstract models only: each app's tables carry these columns themselves, so the
publication (``articles``) and the knowledge drawn from it (``actors``) stay independent.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class ReviewStatus(models.TextChoices):
    """Where a record stands in the editorial workflow."""

    NEEDS_REVIEW = "needs_review", "Needs review"
    PUBLISHED = "published", "Published"


UNVERIFIED_MESSAGE = (
    "A published record names who verified it and when: publish it through the review, "
    "which records them, rather than by setting its status."
)


class CuratedModel(models.Model):
    """A record of the dataset: when it came in, when it last changed, what imported it."""

    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When the record entered the dataset."
    )
    updated_at = models.DateTimeField(
        auto_now=True,
        help_text="When the record last changed. A save that changes nothing does not touch it.",
    )
    import_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Digest of the record as the last fixture import wrote it; an edit since "
        "then makes it differ, so a later import does not overwrite the edit silently.",
    )
    import_fingerprint = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Digest of the bundle record's exact text that the last import wrote. A "
        "later import that meets the same text again, with the record unedited since (its "
        "import digest still matching), knows the record unchanged without reading it again.",
    )

    class Meta:
        abstract = True


class ReviewedModel(CuratedModel):
    """A record an editor checks against its source before it is published."""

    review_status = models.CharField(
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NEEDS_REVIEW,
        db_index=True,
        help_text="Needs review: not yet checked against the source, or the source leaves "
        "something unknown. Published: checked by an editor and shown to the public API.",
    )
    review_note = models.TextField(
        blank=True,
        help_text="What an editor must check or complete: what the source leaves unknown.",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Removing an account must not erase the record it once verified.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The editor who checked the record against its source.",
    )
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the record was checked against its source."
    )
    verified_via = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="What vouches for a published record that no editor of this database "
        "checked: the fixture import run that published it (“Import run #12 "
        "(02_actors.json)”), or “Published before verification was recorded”. Blank when "
        "an editor verified it.",
    )

    class Meta:
        abstract = True

    @classmethod
    def verified_when_published(cls, name: str) -> models.CheckConstraint:
        """The database's form of the rule that a published record names its verification:
        when, and who (an editor) or what (an import run) vouches for it."""
        return models.CheckConstraint(
            condition=~models.Q(review_status=ReviewStatus.PUBLISHED)
            | (
                models.Q(verified_at__isnull=False)
                & (models.Q(verified_by__isnull=False) | ~models.Q(verified_via=""))
            ),
            name=name,
            violation_error_message=UNVERIFIED_MESSAGE,
        )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and (
            self.verified_by_id is not None or bool(self.verified_via)
        )

    def clean(self) -> None:
        super().clean()
        if self.review_status == ReviewStatus.PUBLISHED and not self.is_verified:
            raise ValidationError({"review_status": UNVERIFIED_MESSAGE})
