"""What the intake remembers: the candidates an editor rejected, so that they are not
proposed again."""

from django.conf import settings
from django.db import models

from articles.models import Article


class CandidateKind(models.TextChoices):
    MENTION = "mention", "Mention"
    AMBIGUOUS = "ambiguous", "Ambiguous name"
    TRADE_FIGURE = "trade_figure", "Trade figure"
    AGREEMENT = "agreement", "Agreement"


class RejectedCandidate(models.Model):
    """A fact the intake proposed for an article and an editor rejected."""

    article = models.ForeignKey(
        Article,
        # A rejection is about its article's text and goes with it.
        on_delete=models.CASCADE,
        related_name="rejected_candidates",
    )
    kind = models.CharField(max_length=20, choices=CandidateKind.choices)
    key = models.CharField(
        max_length=64,
        help_text="What identifies the candidate across runs: a digest of its kind, its "
        "passage and what it proposed.",
    )
    quote = models.TextField(help_text="The passage the candidate was proposed from.")
    summary = models.CharField(
        max_length=300, blank=True, help_text="What the candidate proposed, in a line."
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Removing an account keeps what it rejected.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rejected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "key"],
                name="rejected_candidate_once",
                violation_error_message="This candidate is already rejected.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} rejected on {self.article}: {self.summary}"
