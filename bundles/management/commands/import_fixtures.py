"""Import fixture bundles (Django's JSON fixture format, natural keys) into the dataset."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bundles.importing import fixtures_import
from bundles.report import BundleInvalid


class Command(BaseCommand):
    help = (
        "Validate every record of the bundle files and upsert them by natural key, in one "
        "transaction: one bad record and nothing is written. Records an editor changed since "
        "their last import are kept and reported as conflicts, unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Bundle files (JSON), read in this order.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and report what would change, writing nothing.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace records edited since their import with the bundle's version.",
        )
        parser.add_argument(
            "--check-all",
            action="store_true",
            help="Check every record field by field, also those the database already holds "
            "exactly as this bundle writes them (by default those are known unchanged).",
        )
        parser.add_argument("--user", help="Username the import and its history are credited to.")
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes reading each file on PostgreSQL, whatever its size (by default "
            "one per core, for files of 32 MB and more).",
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user {options['user']!r}.") from error
        import_and_report(
            self,
            paths=options["files"],
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
            user=user,
            check_all=options["check_all"],
            workers=options["workers"],
        )


def import_and_report(command: BaseCommand, **arguments) -> None:
    """Run ``fixtures_import`` for a command: the report on its output, or every error on
    its error output and a CommandError. A progress bar when the output is a terminal."""
    try:
        report = fixtures_import(progress=command.stdout.isatty(), **arguments)
    except BundleInvalid as invalid:
        for line in invalid.report.lines():
            command.stderr.write(line)
        raise CommandError(str(invalid)) from invalid
    for line in report.lines():
        command.stdout.write(line)
