"""Bring articles in from text files in the shape of the Analyst's pages."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.parser import IntakeError


class Command(BaseCommand):
    help = (
        "Read each FILE (an Analyst page as text), save its articles as needing review "
        "(authors matched by name, new ones created) and say what candidates each has. "
        "--dry-run previews without saving."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be saved; save nothing."
        )

    def handle(self, *args, files, dry_run, **options):
        index = services.actor_index_build()
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{path}: cannot be read as UTF-8 text ({error}).") from error
            try:
                previews = services.intake_preview(text=text)
                saved = [] if dry_run else services.intake_save(text=text)
            except IntakeError as error:
                raise CommandError(f"{path}: {error}") from error
            for number, preview in enumerate(previews):
                parsed = preview.parsed
                if preview.existing is not None:
                    state = f"already in the dataset as {preview.existing.slug}"
                elif dry_run:
                    state = f"would be saved as {preview.slug}"
                else:
                    state = f"saved as {saved[number][0].slug}, needs review"
                self.stdout.write(f"{path}: “{parsed.title or '(no title)'}” — {state}")
                self.stdout.write(
                    "  authors: "
                    + ", ".join(
                        [f"{a.name} (known)" for a in preview.authors_found]
                        + [f"{name} (new)" for name in preview.authors_new]
                    )
                )
                if parsed.missing:
                    self.stdout.write("  not in the text: " + ", ".join(parsed.missing))
                if not dry_run:
                    found = services.article_candidates(article=saved[number][0], index=index)
                    counts = ", ".join(
                        f"{len(items)} {kind.replace('_', ' ')}"
                        for kind, items in found.by_kind.items()
                    )
                    self.stdout.write(
                        f"  candidates: {counts} ({len(found.curated)} already curated)"
                    )
