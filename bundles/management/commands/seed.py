"""Load the corpus fixtures (fixtures/*.json, sorted) through the importer, in one go."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from bundles.management.commands.import_fixtures import import_and_report


def fixture_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


class Command(BaseCommand):
    help = (
        "Import every file in fixtures/ (in name order) through the importer, in one "
        "transaction. Running it again changes nothing; it reports what it created, updated "
        "and left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, help="Where the fixture files are (default: fixtures/)."
        )

    def handle(self, *args, **options):
        files = fixture_files(options["directory"])
        if not files:
            self.stdout.write("No fixture files to load.")
            return
        import_and_report(self, paths=files)
