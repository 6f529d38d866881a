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


def can_see_unpublished(user, model) -> bool:
    """Whether ``user`` may read ``model`` records still under review: the model's view or
    change right (the Editors and Viewers groups hold them)."""
    if not user or not user.is_authenticated:
        return False
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}") or user.has_perm(
        f"{meta.app_label}.change_{meta.model_name}"
    )


class PublicationQuerySet(models.QuerySet):
    """Records the public may open only once a reviewed record is published: the record
    itself (an article, an agreement) or the one it rests on (a citation rests on its
    article, ``reviewed_through = "article"``).

    The one rule of what the public sees, read by the API's lists, its embedded lists of
    records (a fact's citations), its filters and its CSV: ``public()``, or
    ``visible_to(user)`` for what an account may see.
    """

    # The path from this queryset's model to the reviewed record its publication follows
    # ("" when the model is reviewed itself).
    reviewed_through = ""

    @property
    def reviewed_model(self) -> type[models.Model]:
        model = self.model
        for name in filter(None, self.reviewed_through.split("__")):
            model = model._meta.get_field(name).related_model
        return model

    def public(self):
        """The records the public may open: those whose reviewed record is published."""
        prefix = f"{self.reviewed_through}__" if self.reviewed_through else ""
        return self.filter(**{f"{prefix}review_status": ReviewStatus.PUBLISHED})

    def visible_to(self, user):
        """The records ``user`` may open: all of them for an account that may see the
        reviewed model unpublished, the public ones for anyone else."""
        return self if can_see_unpublished(user, self.reviewed_model) else self.public()


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

    # Codes stored in upper case (ISO codes): what is typed is stripped and upper-cased
    # before it is checked, by the model and by the API's write serializers alike. An
    # empty code is no code (null where the column allows it).
    upper_case_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        for name in self.upper_case_fields:
            setattr(self, name, upper_case_code(getattr(self, name), self._meta.get_field(name)))
        super().clean_fields(exclude=exclude)


def upper_case_code(value, field: models.Field):
    if not isinstance(value, str):
        return value
    return value.strip().upper() or (None if field.null else "")


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
