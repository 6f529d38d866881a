"""Write a synthetic bundle shaped like the dataset, deterministic for a given seed."""

from django.core.management.base import BaseCommand, CommandError

from bundles.synthetic import Sizes, write_bundle


class Command(BaseCommand):
    help = (
        "Write a synthetic fixture bundle: skewed trading pairs, plausible years, values and "
        "qualifiers, quotes that occur in their articles, the actors each article mentions, "
        "and published records mixed with records that need review (a published fact cites "
        "published articles). The same seed gives the same file. It carries timestamps, so "
        "loaddata reads it as well as import_fixtures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100)
        parser.add_argument("--actors", type=int, default=30)
        parser.add_argument("--agreements", type=int, default=50)
        parser.add_argument("--trade-figures", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--output", required=True, help="The bundle file to write.")

    def handle(self, *args, **options):
        sizes = Sizes(
            articles=options["articles"],
            actors=options["actors"],
            agreements=options["agreements"],
            trade_figures=options["trade_figures"],
        )
        if min(sizes.articles, sizes.agreements, sizes.trade_figures) < 0:
            raise CommandError("Sizes cannot be negative.")
        if sizes.actors < 2:
            raise CommandError("--actors must be at least 2: a trade figure has two sides.")
        if sizes.articles < 1 and (sizes.agreements or sizes.trade_figures):
            raise CommandError("Facts need articles to cite: --articles must be at least 1.")
        with open(options["output"], "w", encoding="utf-8") as out:
            count = write_bundle(sizes, options["seed"], out)
        self.stdout.write(f"Wrote {count} records to {options['output']}.")
