"""Write the dataset (or some of its models) as a fixture bundle that import_fixtures reads."""

import os
from pathlib import Path
from secrets import token_hex

from django.core.management.base import BaseCommand, CommandError

from bundles.exporting import exportable_labels, fixtures_export
from bundles.leftovers import removed_on_exit


class Command(BaseCommand):
    help = (
        "Write a bundle in Django's fixture format with natural keys, in dependency order. "
        "It re-imports into an empty database to the same data, and into this one as no change."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="The bundle file to write.")
        parser.add_argument(
            "--models",
            nargs="+",
            metavar="APP.MODEL",
            help=f"Only these models (default: all of {', '.join(exportable_labels())}).",
        )

    def handle(self, *args, **options):
        labels = [label.lower() for label in options["models"] or []]
        out = Path(options["out"])
        # Written beside the target and renamed: a failed or killed export leaves no half
        # a bundle, and no partial file.
        partial = out.with_name(f".{out.name}.{os.getpid()}-{token_hex(4)}.partial")
        try:
            with removed_on_exit(partial), open(partial, "x", encoding="utf-8") as stream:
                counts = fixtures_export(out=stream, labels=labels or None)
                stream.close()
                os.replace(partial, out)
        except ValueError as error:
            raise CommandError(str(error)) from error
        total = sum(counts.values())
        detail = ", ".join(f"{label} {count}" for label, count in counts.items())
        self.stdout.write(f"Wrote {total} records to {out}" + (f": {detail}." if detail else "."))
