"""How fast a large bundle goes in: import_fixtures against loaddata and a raw COPY floor.

On PostgreSQL, in a database recreated for the run (``caci_bench`` by default), for each
of ``--rounds`` rounds:

1. ``import_fixtures`` of a synthetic bundle into the empty dataset (every record checked);
2. the same bundle again, unchanged: its time, and proof that it wrote no row;
3. raw ``COPY`` of the very rows step 1 wrote, into the same (emptied) tables: the floor;

then once, 4. ``loaddata`` of the bundle (or of a proportional subset, extrapolated and
said so). Each timed step starts after a CHECKPOINT, so that none pays for the writes of
the step before. The ratios are taken within each round, and their median is reported.

Run it with ``make bench`` or ``python bench/import_benchmark.py``.
"""

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caci_bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--actors", type=int, default=300)
    parser.add_argument("--agreements", type=int, default=5_000)
    parser.add_argument("--trade-figures", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--loaddata-fraction",
        type=float,
        default=0.1,
        help="Time loaddata on this proportional subset and extrapolate (1 for the full run).",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / ".data")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def bundle_for(sizes, seed: int, directory: Path) -> tuple[Path, int]:
    from bundles.synthetic import write_bundle

    directory.mkdir(parents=True, exist_ok=True)
    # Named after the generator's namespace too: a bundle cached before synthetic records
    # took their own slugs is not reused.
    name = (
        f"synthetic-{sizes.articles}-{sizes.actors}-{sizes.agreements}-"
        f"{sizes.trade_figures}-{seed}"
    )
    path = directory / f"{name}.json"
    count_file = directory / f"{name}.count"
    if not (path.exists() and count_file.exists()):
        started = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            count = write_bundle(sizes, seed, out)
        count_file.write_text(str(count))
        print(f"generated {path.name}: {count} records in {time.perf_counter() - started:.0f} s")
    return path, int(count_file.read_text())


def dataset_tables() -> list[str]:
    from bundles.specs import SPECS

    return [spec.table for spec in SPECS]


def history_tables() -> list[str]:
    from bundles.specs import SPECS

    return [spec.model.history.model._meta.db_table for spec in SPECS]


def table_state() -> dict:
    """Row counts of every dataset and history table, and each table's last updated_at."""
    from django.db import connection

    state = {}
    with connection.cursor() as cursor:
        for table in dataset_tables():
            cursor.execute(
                f'SELECT count(*), max(updated_at), max(xmin::text::bigint) FROM "{table}"'
            )
            state[table] = cursor.fetchone()
        for table in history_tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            state[table] = cursor.fetchone()
    return state


def truncate_dataset() -> None:
    from django.db import connection

    tables = ", ".join(f'"{t}"' for t in dataset_tables() + history_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")


def checkpoint() -> None:
    """Write out what the previous step left in memory, outside the next step's time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def timed(label: str, function):
    checkpoint()
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f} s", flush=True)
    return elapsed, result


def main() -> int:
    args = parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caci.settings")
    recreate_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    from bundles.synthetic import Sizes

    call_command("migrate", verbosity=0)
    sizes = Sizes(args.articles, args.actors, args.agreements, args.trade_figures)
    bundle, records = bundle_for(sizes, args.seed, args.data_dir)
    print(f"bundle: {records} records ({sizes.trade_figures} trade figures), {bundle}")

    rounds = [one_round(bundle, records) for _ in range(args.rounds)]

    # 4. loaddata.
    fraction = args.loaddata_fraction
    if fraction >= 1:
        subset, subset_records = bundle, records
    else:
        small = Sizes(
            *(
                max(2, round(n * fraction))
                for n in (sizes.articles, sizes.actors, sizes.agreements, sizes.trade_figures)
            )
        )
        small = replace(small, actors=sizes.actors)  # the same actors: only the facts shrink
        subset, subset_records = bundle_for(small, args.seed, args.data_dir)
    load_s, _ = timed(
        f"loaddata ({subset_records} records)",
        lambda: call_command("loaddata", str(subset), verbosity=0),
    )

    print()
    print(
        f"PostgreSQL, {os.cpu_count()} cores; {records} records, "
        f"{sizes.trade_figures} trade figures; {len(rounds)} round(s)"
    )
    print(f"{'round':<6} {'import':>8} {'again':>8} {'COPY':>8} {'vs COPY':>8} {'speed-up':>9}")
    for number, each in enumerate(rounds, 1):
        print(
            f"{number:<6} {each['import']:>8.1f} {each['again']:>8.1f} {each['copy']:>8.1f} "
            f"{each['copy'] / each['import']:>8.2f} {each['import'] / each['again']:>8.1f}x"
        )
    seconds = {name: median(each[name] for each in rounds) for name in ("import", "again", "copy")}
    seconds["loaddata"] = records / (subset_records / load_s)
    names = {
        "import": "import_fixtures",
        "again": "import_fixtures again (unchanged)",
        "copy": "COPY (floor)",
        "loaddata": "loaddata",
    }
    print()
    print(f"{'method (median of the rounds)':<36} {'seconds':>9} {'records/s':>11} {'vs COPY':>8}")
    for key, name in names.items():
        rate, versus = records / seconds[key], seconds["copy"] / seconds[key]
        print(f"{name:<36} {seconds[key]:>9.1f} {rate:>11,.0f} {versus:>8.2f}")
    if fraction < 1:
        print(
            f"loaddata was timed on a proportional subset ({subset_records} records, fraction "
            f"{fraction}) in {load_s:.1f} s; its line above is EXTRAPOLATED to {records} records."
        )
    import_vs_copy = median(each["copy"] / each["import"] for each in rounds)
    import_vs_load = seconds["loaddata"] / seconds["import"]
    speedup = median(each["import"] / each["again"] for each in rounds)
    wrote_nothing = all(each["wrote_nothing"] for each in rounds)
    print()
    print(
        f"import_fixtures / COPY speed: {import_vs_copy:.2f}, median of the rounds "
        f"(target >= 0.5: {'met' if import_vs_copy >= 0.5 else 'NOT met'})"
    )
    print(
        f"import_fixtures / loaddata speed: {import_vs_load:.1f}x (target >= 20x: "
        f"{'met' if import_vs_load >= 20 else 'NOT met'})"
    )
    print(
        f"unchanged re-import faster than the first: {speedup:.1f}x, median of the rounds "
        f"(target >= 3x: {'met' if speedup >= 3 else 'NOT met'}); wrote no row: {wrote_nothing}"
    )
    return 0 if wrote_nothing else 1


def one_round(bundle: Path, records: int) -> dict:
    """One first import, one unchanged re-import and one COPY of the same rows, timed."""
    from django.db import connection, transaction

    from bundles.importing import fixtures_import

    truncate_dataset()
    # 1. The first import.
    import_s, report = timed("import_fixtures", lambda: fixtures_import(paths=[bundle]))
    assert report.total("created") == records, report.counts()

    # 2. The same bundle again.
    before = table_state()
    again_s, again = timed("import_fixtures again", lambda: fixtures_import(paths=[bundle]))
    after = table_state()
    wrote_nothing = again.wrote_nothing and before == after
    print(f"  second import wrote no row: {wrote_nothing} (row counts, history, updated_at, xmin)")

    # 3. The floor: the same rows, raw COPY into the same tables.
    dumps = {}
    with connection.cursor() as cursor:
        for table in dataset_tables():
            buffer = bytearray()
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                for chunk in copy:
                    buffer += chunk
            dumps[table] = bytes(buffer)
    truncate_dataset()

    def copy_all():
        with transaction.atomic(), connection.cursor() as cursor:
            for table in dataset_tables():
                with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(dumps[table])
        # The commit is inside the timing: it runs the deferred foreign-key checks.

    copy_s, _ = timed("COPY (floor)", copy_all)
    truncate_dataset()
    return {"import": import_s, "again": again_s, "copy": copy_s, "wrote_nothing": wrote_nothing}


if __name__ == "__main__":
    sys.exit(main())
