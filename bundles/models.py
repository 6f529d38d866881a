"""The record of every fixture import: who ran it, on which files, and what it did."""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of the fixture importer: who ran it, on which files, and what it did.

    The history rows an import writes name their run in ``history_change_reason``.
    """

    started_at = models.DateTimeField(help_text="When the import started.")
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="When the import finished; blank while it runs."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # The record of a past import outlives the account that ran it.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
        help_text="Who ran the import; blank for a command run without --user.",
    )
    files = models.JSONField(default=list, help_text="The bundle files, in the order read.")
    dry_run = models.BooleanField(
        default=False, help_text="A dry run checks and reports but writes no record."
    )
    overwrite = models.BooleanField(
        default=False,
        help_text="Whether the bundle's version replaced records edited since their import.",
    )
    check_all = models.BooleanField(
        default=False,
        help_text="Whether every record was checked field by field, also those the database "
        "held exactly as the bundle wrote them (otherwise known unchanged by their text).",
    )
    counts = models.JSONField(
        default=dict,
        help_text="Per model (app_label.model): how many records were created, updated, "
        "left unchanged, deleted, or kept as conflicts.",
    )

    class Meta:
        # The table it has had since it was part of actors: bundles name it in history.
        db_table = "actors_importrun"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["started_at"], name="import_run_started_at_idx")]

    def __str__(self) -> str:
        kind = "dry run" if self.dry_run else "import"
        return f"{kind} #{self.pk} of {len(self.files)} file(s), {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def change_reason(self) -> str:
        """What the history rows written by this run say about where they come from."""
        names = ", ".join(str(name).rsplit("/", 1)[-1] for name in self.files)
        return f"Import run #{self.pk} ({names})"
