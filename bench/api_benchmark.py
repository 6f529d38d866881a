"""How fast the API answers, against the floor: the same rows read by a raw query.

On PostgreSQL, in a database of its own (``caci_bench_api``; another name for another
``--scale``), the benchmark builds a synthetic dataset with ``manage.py generate_synthetic``
and ``manage.py import_fixtures`` (1,000,000 trade figures, 100,000 articles and 50,000
agreements at scale 1), or reuses it when it holds exactly that, and ANALYZEs it. Then it
prints one table: for every list of the API (its default mode at 100 rows and at the
largest page size, cursor mode, the last page, each documented filter, full-text search),
the same request answered

- by the **floor**: one raw psycopg 3 query that selects the columns the API returns (its
  lists of related records aggregated as JSON by PostgreSQL), with the same filter,
  order and page size, serialised with orjson;
- by the **API**, in-process through Django's WSGI handler (``django.test.Client``, DEBUG
  off), counting its SQL queries on one more request;

each repetition of the floor next to the API's, medians and 95th percentiles of the
repetitions; then streamed CSV in rows/s (through gunicorn, with the server's peak memory)
and requests/s under gunicorn with 2 workers and ``ab`` on loopback, for the API and for a
WSGI application that serves the floor.

Run it with ``make bench-api`` or ``python bench/api_benchmark.py [--scale 0.1]``.
"""

import argparse
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/caci_bench_api"
# The dataset at scale 1.
FULL_SIZES = {"articles": 100_000, "actors": 300, "agreements": 50_000, "trade_figures": 1_000_000}
API = "/api/v1"
HOST = "testserver"
# What the benchmark asks the server to let through: the load would otherwise meet the
# anonymous throttle (a per-client rate limit, not a speed).
BENCH_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "api-benchmark-only-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "DJANGO_SECURE_COOKIES": "0",
    # Plain HTTP on loopback: no redirect to HTTPS (a proxy would terminate TLS).
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "API_THROTTLE_ANON_RATE": "100000000/second",
    "DJANGO_LOG_LEVEL": "WARNING",
}
ROWS_DEFAULT = 100


# The floor ------------------------------------------------------------------------------
# Each resource as one SQL query: the columns its API record has, under the same names and
# in the same shape (related records as JSON built by PostgreSQL), its default order and
# the condition of its default listing. ``{base}`` is the address of the list.

ACTOR_REF = (
    "json_build_object('slug', {a}.slug, 'name', {a}.name, 'kind', {a}.kind, "
    "'iso_code', {a}.iso_code)"
)
ARTICLE_REF = "json_build_object('slug', a.slug, 'title', a.title, 'published', a.published_on)"
CITATIONS = (
    "(SELECT coalesce(json_agg(json_build_object('article', " + ARTICLE_REF + ", "
    "'quote', c.quote, 'char_start', c.char_start, 'char_end', c.char_end) "
    "ORDER BY a.published_on DESC, a.slug, c.char_start), '[]') "
    "FROM actors_citation c JOIN articles_article a ON a.id = c.article_id "
    "WHERE c.{owner}_id = t.id AND a.review_status = 'published') AS citations"
)
REVIEW = "t.review_status, t.review_note, t.verified_at, t.created_at, t.updated_at"


@dataclass(frozen=True)
class Resource:
    path: str
    select: str
    source: str
    where: str
    order: str
    cursor_order: str = "t.id"
    # The large lists page by cursor unless asked otherwise (their viewsets'
    # ``default_pagination``): then the default order is the cursor's.
    cursor_by_default: bool = False


RESOURCES = {
    "trade-figures": Resource(
        cursor_by_default=True,
        path="trade-figures",
        select=(
            "%s || t.id || '/' AS url, t.id, "
            + ACTOR_REF.format(a="r")
            + " AS reporter, "
            + ACTOR_REF.format(a="p")
            + " AS partner, t.flow, t.commodity, t.year, t.value, t.currency, t.qualifier, "
            "t.note, " + CITATIONS.format(owner="trade_figure") + ", " + REVIEW
        ),
        source="actors_tradefigure t JOIN actors_actor r ON r.id = t.reporter_id "
        "JOIN actors_actor p ON p.id = t.partner_id",
        where="t.review_status = 'published'",
        order="r.name ASC NULLS LAST, p.name ASC NULLS LAST, t.year ASC NULLS LAST, "
        "t.flow ASC NULLS LAST, t.id",
    ),
    "agreements": Resource(
        cursor_by_default=True,
        path="agreements",
        select=(
            "%s || t.id || '/' AS url, t.id, t.title, t.kind, t.status, "
            "CASE t.signed_precision WHEN 'day' THEN to_char(t.signed_on, 'YYYY-MM-DD') "
            "WHEN 'month' THEN to_char(t.signed_on, 'YYYY-MM') "
            "WHEN 'year' THEN to_char(t.signed_on, 'YYYY') END AS signed, "
            "t.signed_precision, t.signed_on AS signed_earliest, "
            "t.signed_on_latest AS signed_latest, t.instrument_count, t.summary, "
            "(SELECT coalesce(json_agg(json_build_object('actor', "
            + ACTOR_REF.format(a="pa")
            + ", 'role', ap.role) ORDER BY ap.role, pa.name), '[]') "
            "FROM actors_agreementparty ap JOIN actors_actor pa ON pa.id = ap.actor_id "
            "WHERE ap.agreement_id = t.id) AS parties, "
            + CITATIONS.format(owner="agreement")
            + ", "
            + REVIEW
        ),
        source="actors_agreement t",
        where="t.review_status = 'published'",
        order="t.signed_on DESC NULLS LAST, t.title ASC NULLS LAST, t.id",
    ),
    "articles": Resource(
        cursor_by_default=True,
        path="articles",
        select=(
            "%s || t.slug || '/' AS url, t.slug, t.title, t.section, "
            "t.published_on AS published, t.lede, t.body, nullif(t.source_url, '') AS "
            "source_url, nullif(t.pdf_url, '') AS pdf_url, t.publisher_item_id, t.review_note, "
            "(SELECT coalesce(json_agg(json_build_object('slug', au.slug, 'name', au.name) "
            "ORDER BY s.position), '[]') FROM articles_authorship s JOIN articles_author au "
            "ON au.id = s.author_id WHERE s.article_id = t.id) AS authors, "
            "(SELECT coalesce(json_agg(" + ACTOR_REF.format(a="ma") + " ORDER BY ma.name, "
            "ma.id), '[]') FROM actors_mention m JOIN actors_actor ma ON ma.id = m.actor_id "
            "WHERE m.article_id = t.id) AS mentions, " + REVIEW.replace("t.review_note, ", "")
        ),
        source="articles_article t",
        where="t.review_status = 'published'",
        order="t.published_on DESC NULLS LAST, t.slug ASC NULLS LAST, t.id",
    ),
    "actors": Resource(
        path="actors",
        select=(
            "%s || t.slug || '/' AS url, t.name, t.slug, t.kind, t.iso_code, "
            "t.description, (SELECT coalesce(json_agg(al.name ORDER BY al.name), '[]') "
            "FROM actors_actoralias al WHERE al.actor_id = t.id) AS aliases, "
            "(SELECT coalesce(json_agg(json_build_object('scheme', i.scheme, 'value', i.value) "
            "ORDER BY i.scheme, i.id), '[]') FROM actors_actoridentifier i "
            "WHERE i.actor_id = t.id) AS identifiers, t.created_at, t.updated_at"
        ),
        source="actors_actor t",
        where="TRUE",
        order="t.name ASC NULLS LAST, t.id",
    ),
    "authors": Resource(
        path="authors",
        select=(
            "%s || t.slug || '/' AS url, t.name, t.slug, t.bio, t.affiliation, "
            "(SELECT coalesce(json_agg(" + ARTICLE_REF + " ORDER BY a.published_on DESC, "
            "a.slug), '[]') FROM articles_authorship s JOIN articles_article a "
            "ON a.id = s.article_id WHERE s.author_id = t.id AND "
            "a.review_status = 'published') AS articles, t.created_at, t.updated_at"
        ),
        source="articles_author t",
        where="TRUE",
        order="t.name ASC NULLS LAST, t.id",
    ),
}

# Each documented filter: the value the benchmark gives it (``{actor}``, ``{actor2}``,
# ``{article}``, ``{author}`` and ``{word}`` are picked from the dataset) and the condition
# the floor adds for it, over the same parameters. An ordering is a filter too: its
# ORDER BY replaces the resource's.
ACTOR_ID = "(SELECT id FROM actors_actor WHERE slug = %s)"
ARTICLE_ID = "(SELECT id FROM articles_article WHERE slug = %s)"
FILTERS = {
    "trade-figures": [
        ("reporter", "{actor}", f"t.reporter_id = {ACTOR_ID}"),
        ("partner", "{actor}", f"t.partner_id = {ACTOR_ID}"),
        ("actor", "{actor}", f"(t.reporter_id = {ACTOR_ID} OR t.partner_id = {ACTOR_ID})"),
        (
            "actor",
            ["{actor}", "{actor2}"],
            f"(t.reporter_id = {ACTOR_ID} OR t.partner_id = {ACTOR_ID}) AND "
            f"(t.reporter_id = {ACTOR_ID} OR t.partner_id = {ACTOR_ID})",
        ),
        ("flow", "export", "t.flow = %s"),
        ("commodity", "oil", "upper(t.commodity::text) LIKE upper(%s)"),
        ("year", "2020", "t.year = %s"),
        ("year_min", "2017", "t.year >= %s"),
        ("year_max", "2005", "t.year <= %s"),
        ("value_min", "1000000000", "t.value >= %s"),
        ("value_max", "10000000", "t.value <= %s"),
        ("qualifier", "approximately", "t.qualifier = %s"),
        (
            "article",
            "{article}",
            f"EXISTS (SELECT 1 FROM actors_citation x WHERE x.trade_figure_id = t.id "
            f"AND x.article_id = {ARTICLE_ID})",
        ),
        ("review_status", "published", "t.review_status = %s"),
        ("updated_since", "2025-01-01", "t.updated_at >= %s::date"),
        ("ordering", "-value", "ORDER BY t.value DESC NULLS LAST, t.id"),
    ],
    "agreements": [
        (
            "party",
            "{actor}",
            f"EXISTS (SELECT 1 FROM actors_agreementparty x WHERE x.agreement_id = t.id "
            f"AND x.actor_id = {ACTOR_ID})",
        ),
        (
            "party",
            ["{actor}", "{actor2}"],
            f"EXISTS (SELECT 1 FROM actors_agreementparty x WHERE x.agreement_id = t.id "
            f"AND x.actor_id = {ACTOR_ID}) AND EXISTS (SELECT 1 FROM actors_agreementparty y "
            f"WHERE y.agreement_id = t.id AND y.actor_id = {ACTOR_ID})",
        ),
        ("kind", "treaty", "t.kind = %s"),
        ("status", "signed", "t.status = %s"),
        ("signed_after", "2020-01-01", "t.signed_on >= %s::date"),
        ("signed_before", "2012-12-31", "t.signed_on_latest <= %s::date"),
        (
            "article",
            "{article}",
            f"EXISTS (SELECT 1 FROM actors_citation x WHERE x.agreement_id = t.id "
            f"AND x.article_id = {ARTICLE_ID})",
        ),
        ("review_status", "published", "t.review_status = %s"),
        ("updated_since", "2025-01-01", "t.updated_at >= %s::date"),
        ("ordering", "title", "ORDER BY t.title ASC NULLS LAST, t.id"),
    ],
    "articles": [
        (
            "author",
            "{author}",
            "EXISTS (SELECT 1 FROM articles_authorship x WHERE x.article_id = t.id AND "
            "x.author_id = (SELECT id FROM articles_author WHERE slug = %s))",
        ),
        ("section", "analytical-articles", "t.section = %s"),
        ("status", "published", "t.review_status = %s"),
        ("published_after", "2024-01-01", "t.published_on >= %s::date"),
        ("published_before", "2015-12-31", "t.published_on <= %s::date"),
        (
            "mentions",
            "{actor}",
            f"EXISTS (SELECT 1 FROM actors_mention x WHERE x.article_id = t.id "
            f"AND x.actor_id = {ACTOR_ID})",
        ),
        ("search", "{word}", "SEARCH"),
        ("search", "{rare}", "SEARCH"),
        ("review_status", "published", "t.review_status = %s"),
        ("updated_since", "2025-01-01", "t.updated_at >= %s::date"),
        ("ordering", "title", "ORDER BY t.title ASC NULLS LAST, t.id"),
    ],
    "actors": [
        ("kind", "country", "t.kind = %s"),
        ("iso_code", "{iso}", "upper(t.iso_code::text) = upper(%s)"),
        (
            "q",
            "{actor_text}",
            "(upper(t.name::text) LIKE upper(%s) OR EXISTS (SELECT 1 FROM actors_actoralias x "
            "WHERE x.actor_id = t.id AND upper(x.name::text) LIKE upper(%s)) "
            "OR upper(t.iso_code::text) = upper(%s))",
        ),
        (
            "mentioned_in",
            "{article}",
            f"EXISTS (SELECT 1 FROM actors_mention x WHERE x.actor_id = t.id "
            f"AND x.article_id = {ARTICLE_ID})",
        ),
        ("updated_since", "2025-01-01", "t.updated_at >= %s::date"),
        ("ordering", "slug", "ORDER BY t.slug ASC NULLS LAST, t.id"),
    ],
    "authors": [
        ("q", "{author_text}", "upper(t.name::text) LIKE upper(%s)"),
        ("updated_since", "2025-01-01", "t.updated_at >= %s::date"),
        ("ordering", "slug", "ORDER BY t.slug ASC NULLS LAST, t.id"),
    ],
}
# Filters whose SQL takes its value wrapped as a LIKE pattern.
LIKE_FILTERS = {("trade-figures", "commodity"), ("actors", "q"), ("authors", "q")}
SEARCH_QUERY = "websearch_to_tsquery('english', %s)"


@dataclass
class FloorQuery:
    """A request's floor: SQL and parameters (the page size is the last parameter)."""

    sql: str
    params: list


def floor_query(
    resource: str, filters: list[tuple[str, object, str]], rows: int, base: str
) -> FloorQuery:
    """The raw query that reads what ``GET /<resource>/?<filters>&page_size=<rows>`` lists:
    ``filters`` are (name, value, SQL) triples from FILTERS, their values filled in."""
    spec = RESOURCES[resource]
    default_order = spec.cursor_order if spec.cursor_by_default else spec.order
    select, where, params, order = spec.select, [spec.where], [], f"ORDER BY {default_order}"
    select_params, order_params, inner_order = [base], [], None
    for name, value, sql in filters:
        values = value if isinstance(value, list) else [value]
        if sql.startswith("ORDER BY"):
            order = sql
        elif sql == "SEARCH":
            where.append(f"t.search_vector @@ {SEARCH_QUERY}")
            params.append(values[0])
            rank = f"ts_rank(t.search_vector, {SEARCH_QUERY})"
            select += f", {rank} AS search_rank"
            select_params.append(values[0])
            order = f"ORDER BY search_rank DESC, {spec.order}"
            inner_order = f"ORDER BY {rank} DESC, {spec.order}"
            order_params.append(values[0])
        else:
            if (resource, name) in LIKE_FILTERS:
                values = [f"%{values[0]}%"] * sql.count("LIKE") + [values[0]] * (
                    sql.count("%s") - sql.count("LIKE")
                )
            elif len(values) < sql.count("%s"):
                values = [v for v in values for _ in range(sql.count("%s") // len(values))]
            where.append(sql)
            params += values
    # The page is chosen first, then its records are built: the related lists of the 100
    # rows shown, not of every row the order looks at.
    statement = (
        f"SELECT {select} FROM {spec.source} WHERE t.id IN (SELECT t.id FROM {spec.source} "
        f"WHERE {' AND '.join(where)} {inner_order or order} LIMIT %s) {order}"
    )
    # The rank is the order's, not a column of the record.
    if "search_rank" in select:
        statement = f"SELECT * FROM ({statement}) q"
    return FloorQuery(statement, [*select_params, *params, *order_params, rows])


def floor_rows(cursor, query: FloorQuery) -> list[dict]:
    cursor.execute(query.sql, query.params)
    names = [d.name for d in cursor.description if d.name != "search_rank"]
    return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]


def floor_json(cursor, query: FloorQuery) -> bytes:
    import orjson

    return orjson.dumps(
        {"results": floor_rows(cursor, query)}, default=str, option=orjson.OPT_UTC_Z
    )


def floor_app(environ, start_response):
    """A WSGI application that answers the benchmark's requests from the floor, for the
    load test: ``FLOOR_DATABASE_URL`` and ``FLOOR_VALUES`` (the picked values) in the
    environment. One connection per worker process, kept."""
    import json
    from urllib.parse import parse_qs

    import psycopg

    global _floor_connection
    if _floor_connection is None:
        _floor_connection = psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True)
    path = environ["PATH_INFO"].strip("/").split("/")
    resource = path[-1] if len(path) == 3 else path[-2]
    base = f"http://{environ['HTTP_HOST']}{API}/{resource}/"
    values = json.loads(os.environ["FLOOR_VALUES"])
    query = parse_qs(environ.get("QUERY_STRING", ""))
    rows = int(query.pop("page_size", [str(ROWS_DEFAULT)])[0])
    with _floor_connection.cursor() as cursor:
        if len(path) == 4:  # a record
            spec = RESOURCES[resource]
            key = "t.slug" if "t.slug ||" in spec.select else "t.id"
            cursor.execute(
                f"SELECT {spec.select} FROM {spec.source} WHERE {key} = %s", [base, path[-1]]
            )
            names = [d.name for d in cursor.description]
            import orjson

            body = orjson.dumps(
                dict(zip(names, cursor.fetchone(), strict=True)),
                default=str,
                option=orjson.OPT_UTC_Z,
            )
        else:
            chosen = [
                (name, fill(value, values), sql)
                for name, value, sql in FILTERS[resource]
                if name in query and fill(value, values) == _one(query[name])
            ]
            body = floor_json(cursor, floor_query(resource, chosen, rows, base))
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


_floor_connection = None


def _one(values: list):
    return values[0] if len(values) == 1 else values


def fill(value, values: dict):
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value.format(**values)


# The dataset ----------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Dataset size relative to 1,000,000 trade figures, 100,000 articles and 50,000 "
        "agreements (0.1 for a quick check).",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_API_DATABASE_URL"),
        help=f"{DEFAULT_URL} at scale 1, suffixed with the scale otherwise.",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=9, help="Repetitions of each request.")
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="Seconds a request's repetitions may take: a slow one is repeated fewer "
        "times (at least 3).",
    )
    parser.add_argument(
        "--load-requests", type=int, default=2000, help="Requests per load test (ab -n)."
    )
    parser.add_argument("--concurrency", type=int, default=8, help="ab -c.")
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=60.0,
        help="At most this long per load test (ab -t): a slow server answers fewer requests.",
    )
    parser.add_argument(
        "--csv-seconds",
        type=float,
        default=60.0,
        help="At most this long reading each CSV stream (rows/s is read from what came).",
    )
    parser.add_argument("--skip-server", action="store_true", help="No gunicorn parts.")
    parser.add_argument(
        "--csv-only",
        action="store_true",
        help="Only the CSV export (through gunicorn) and its floors.",
    )
    parser.add_argument("--only", help="Only the requests whose path contains this text.")
    parser.add_argument("--build-only", action="store_true", help="Build the dataset and stop.")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / ".data")
    args = parser.parse_args(argv)
    if args.database_url is None:
        args.database_url = DEFAULT_URL
        if args.scale != 1:
            args.database_url += "_" + f"{args.scale:g}".replace(".", "_")
    return args


def sizes_for(scale: float) -> dict:
    sizes = {name: max(1, round(n * scale)) for name, n in FULL_SIZES.items()}
    sizes["actors"] = max(30, min(FULL_SIZES["actors"], sizes["actors"] * 3))
    return sizes


def manage(database_url: str, *arguments: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *arguments], env=env, check=True)


def dataset_counts(connection) -> dict:
    tables = {
        "articles": "articles_article",
        "actors": "actors_actor",
        "agreements": "actors_agreement",
        "trade_figures": "actors_tradefigure",
        "mentions": "actors_mention",
    }
    counts = {}
    for name, table in tables.items():
        try:
            counts[name] = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except Exception:  # noqa: BLE001 - a table not created yet: nothing there
            connection.rollback()
            counts[name] = 0
    return counts


def dataset_ensure(args) -> dict:
    """The dataset of this scale in its database: reused when it holds exactly that."""
    import psycopg

    name = args.database_url.rsplit("/", 1)[1]
    admin = args.database_url.rsplit("/", 1)[0] + "/postgres"
    sizes = sizes_for(args.scale)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        counts = dataset_counts(connection)
    wanted = {key: sizes[key] for key in ("articles", "agreements", "trade_figures")}
    # A dataset of an older generator (no mentions) is built again.
    if {key: counts[key] for key in wanted} == wanted and counts["mentions"]:
        print(f"dataset: reusing {name} ({counts})", flush=True)
        manage(args.database_url, "migrate", "--noinput", "-v", "0")
        return counts
    if any(counts.values()):
        print(f"dataset: {name} holds {counts}, not {wanted}: rebuilding it", flush=True)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    manage(args.database_url, "migrate", "--noinput", "-v", "0")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    bundle = args.data_dir / (
        # "m": the generator's bundles with mentions and published agreements.
        "api-m-{articles}-{actors}-{agreements}-{trade_figures}".format(**sizes)
        + f"-{args.seed}.json"
    )
    if not bundle.exists():
        started = time.perf_counter()
        partial = bundle.with_suffix(".partial")
        manage(
            args.database_url,
            "generate_synthetic",
            *(f"--{key.replace('_', '-')}={value}" for key, value in sizes.items()),
            f"--seed={args.seed}",
            f"--output={partial}",
        )
        partial.rename(bundle)
        print(f"dataset: generated in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    manage(args.database_url, "import_fixtures", str(bundle))
    print(f"dataset: imported in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        return dataset_counts(connection)


# The requests ---------------------------------------------------------------------------


@dataclass
class Case:
    """One request of the table, and how its figures are judged."""

    label: str
    url: str
    resource: str
    filters: list = field(default_factory=list)
    rows: int = ROWS_DEFAULT
    target: str = "<= 2.0x"
    limit: float = 2.0
    compare_p95: bool = False  # search is judged on p95
    reference: str | None = None  # a deep page is judged against its first page
    floor: "FloorQuery | None" = None
    floor_s: list = field(default_factory=list)
    api_s: list = field(default_factory=list)
    status: int = 0
    api_rows: int = 0
    queries: int | None = None
    note: str = ""


def pick_values(connection) -> dict:
    """Values for the filters, chosen from the dataset: the actor in most figures, the one
    it trades with most, an article with citations, a prolific author, a common and a rarer
    word of the texts."""
    one = lambda sql: connection.execute(sql).fetchone()  # noqa: E731
    actor, iso, name = one(
        "SELECT a.slug, a.iso_code, a.name FROM actors_actor a JOIN "
        "(SELECT reporter_id, count(*) n FROM actors_tradefigure GROUP BY reporter_id "
        "ORDER BY n DESC LIMIT 1) c ON c.reporter_id = a.id"
    )
    actor2 = one(
        "SELECT a.slug FROM actors_actor a JOIN (SELECT partner_id, count(*) n FROM "
        "actors_tradefigure WHERE reporter_id = (SELECT id FROM actors_actor WHERE slug = "
        f"'{actor}') GROUP BY partner_id ORDER BY n DESC LIMIT 1) c ON c.partner_id = a.id"
    )[0]
    article = one(
        "SELECT a.slug FROM articles_article a JOIN actors_citation c ON c.article_id = a.id "
        "WHERE a.review_status = 'published' GROUP BY a.slug ORDER BY count(*) DESC, a.slug "
        "LIMIT 1"
    )[0]
    author, author_name = one(
        "SELECT au.slug, au.name FROM articles_author au JOIN articles_authorship s "
        "ON s.author_id = au.id GROUP BY au.slug, au.name ORDER BY count(*) DESC LIMIT 1"
    )
    words = connection.execute(
        "SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM articles_article') "
        "WHERE word ~ '^[a-z]{5,}$' ORDER BY ndoc DESC, word"
    ).fetchall()
    total = one("SELECT count(*) FROM articles_article")[0]
    common = words[0][0] if words else "pipeline"
    # The rarer word: the least common one in at least one article in a thousand.
    rare = min(
        ((n, w) for w, n in words if n >= max(2, total // 1000) and w != common),
        default=(0, common),
    )[1]
    return {
        "actor": actor,
        "actor2": actor2,
        "iso": iso or "XA",
        "actor_text": name[: max(3, len(name) // 2)].lower(),
        "article": article,
        "author": author,
        "author_text": author_name.split()[-1][:4].lower(),
        "word": common,
        "rare": rare,
    }


def build_cases(values: dict, connection) -> list[Case]:
    from caci.api import router
    from core.rest import pagination

    largest = pagination.MAX_PAGE_SIZE
    largest_cursor = getattr(pagination, "MAX_CURSOR_PAGE_SIZE", largest)
    viewsets = {prefix: viewset for prefix, viewset, _ in router.registry}
    cases = []
    for resource in RESOURCES:
        list_url = f"{API}/{resource}/"
        cases.append(Case(f"{resource}/ default, 100 rows", f"{list_url}?page_size=100", resource))
        cases.append(
            Case(
                f"{resource}/ default, {largest} rows",
                f"{list_url}?page_size={largest}",
                resource,
                rows=largest,
                target="<= 1.5x",
                limit=1.5,
            )
        )
        cases.append(
            Case(
                f"{resource}/ cursor, 100 rows",
                f"{list_url}?pagination=cursor&page_size=100",
                resource,
                filters=[("cursor", None, "ORDER BY t.id")],
            )
        )
        cases.append(
            Case(
                f"{resource}/ cursor, {largest_cursor} rows",
                f"{list_url}?pagination=cursor&page_size={largest_cursor}",
                resource,
                filters=[("cursor", None, "ORDER BY t.id")],
                rows=largest_cursor,
                target="<= 1.5x",
                limit=1.5,
            )
        )
        spec = RESOURCES[resource]
        total = connection.execute(
            f"SELECT count(*) FROM {spec.source.split(' JOIN')[0]} WHERE {spec.where}"
        ).fetchone()[0]
        # The last full page, so that it holds as many rows as the first.
        last = max(1, total // ROWS_DEFAULT)
        cases.append(
            Case(
                f"{resource}/ last full page (page {last}), 100 rows",
                f"{list_url}?page_size=100&page={last}",
                resource,
                target="<= 1.2x page 1",
                limit=1.2,
                reference=f"{resource}/ default, 100 rows",
            )
        )
        declared = set(viewsets[resource].filterset_class.base_filters)
        measured = set()
        for name, value, sql in FILTERS[resource]:
            filled = fill(value, values)
            measured.add(name)
            given = urlencode(
                [(name, v) for v in (filled if isinstance(filled, list) else [filled])]
            )
            search = name == "search"
            cases.append(
                Case(
                    f"{resource}/?{given}",
                    f"{list_url}?{given}&page_size={ROWS_DEFAULT}",
                    resource,
                    filters=[(name, filled, sql)],
                    target="p95 <= 2.0x" if search else "<= 2.0x",
                    compare_p95=search,
                )
            )
        missing = declared - measured
        if missing:
            print(f"note: {resource}/ filters without a case: {', '.join(sorted(missing))}")
    return cases


# The analytical answers: facets and series on filtered sets, judged by their own time
# (p95 <= 50 ms), not against a floor.
ANALYSIS_P95_MS = 50.0
ANALYSIS_REQUESTS = [
    ("trade-figures/", "group_by=partner&reporter={actor}"),
    ("trade-figures/", "group_by=year&actor={actor}&actor={actor2}"),
    ("trade-figures/", "group_by=flow&partner={actor2}&year_min=2015"),
    ("trade-figures/", "group_by=qualifier&reporter={actor}&year=2020"),
    ("agreements/", "group_by=party&party={actor}"),
    ("agreements/", "group_by=year&party={actor}"),
    ("articles/", "group_by=author&mentions={actor}"),
    ("articles/", "group_by=year&author={author}"),
    ("actors/", "group_by=kind"),
    ("trade-series/", "actor={actor}&partner={actor2}"),
    ("trade-series/", "actor={actor}&partner={actor2}&year_min=2015"),
    ("agreements-timeline/", "party={actor}&signed_after=2020-01-01"),
]


@dataclass
class AnalysisCase:
    label: str
    url: str
    status: int = 0
    queries: int | None = None
    times: list = field(default_factory=list)


def analysis_cases(values: dict) -> list[AnalysisCase]:
    return [
        AnalysisCase(f"{path}?{query.format(**values)}", f"{API}/{path}?{query.format(**values)}")
        for path, query in ANALYSIS_REQUESTS
    ]


def run_analysis(cases: list[AnalysisCase], args) -> None:
    """Each request once untimed (its queries counted), then ``--repeat`` times, round after
    round over every request."""
    from django.db import connection as django_connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for case in cases:
        with CaptureQueriesContext(django_connection) as queries:
            response = client.get(case.url)
        case.status, case.queries = response.status_code, len(queries)
    for _ in range(args.repeat):
        for case in cases:
            if case.status != 200:
                continue
            started = time.perf_counter()
            client.get(case.url).content  # noqa: B018 - the body is read, as a client reads it
            case.times.append(time.perf_counter() - started)


def print_analysis(cases: list[AnalysisCase]) -> None:
    print()
    print(f"analytical answers, in-process; target p95 <= {ANALYSIS_P95_MS:g} ms")
    head = f"| {'request':<78} | {'med ms':>7} | {'p95 ms':>7} | {'SQL':>3} | met |"
    print(head)
    print("|" + "|".join("-" * len(part) for part in head.split("|")[1:-1]) + "|")
    for case in cases:
        if not case.times:
            print(f"| {case.label[:78]:<78} | HTTP {case.status} |")
            continue
        p95 = percentile(case.times, 0.95) * 1000
        met = "yes" if p95 <= ANALYSIS_P95_MS else "NO"
        print(
            f"| {case.label[:78]:<78} | {median(case.times) * 1000:>7.1f} | {p95:>7.1f} | "
            f"{case.queries:>3} | {met:<3} |"
        )


# Timing ---------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def run_cases(cases: list[Case], args, connection) -> None:
    from django.db import connection as django_connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    base = f"http://{HOST}"
    for case in cases:
        case.floor = floor_query(
            case.resource,
            [f for f in case.filters if f[0] != "cursor"]
            + [f for f in case.filters if f[0] == "cursor"],
            case.rows,
            f"{base}{API}/{case.resource}/",
        )
        # A first request of each, not timed: the caches warm, and its queries counted.
        with CaptureQueriesContext(django_connection) as queries:
            response = client.get(case.url)
            body = response.content
        case.status = response.status_code
        case.queries = len(queries)
        if response.status_code == 200:
            import orjson

            data = orjson.loads(body)
            case.api_rows = len(data.get("results", data) if isinstance(data, dict) else data)
        else:
            case.note = body[:120].decode(errors="replace")
        with connection.cursor() as cursor:
            floor_json(cursor, case.floor)
    # The repetitions, interleaved: round after round over every request, the floor next
    # to the API each time, so that a busy moment of the machine falls on both.
    slow: dict[str, int] = {}
    for round_no in range(args.repeat):
        for case in cases:
            if case.status != 200 or round_no >= slow.get(case.label, args.repeat):
                continue
            with connection.cursor() as cursor:
                started = time.perf_counter()
                floor_json(cursor, case.floor)
                case.floor_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = client.get(case.url)
            response.content  # noqa: B018 - the body is read, as a client reads it
            case.api_s.append(time.perf_counter() - started)
            if round_no == 0:
                per_round = case.floor_s[0] + case.api_s[0]
                slow[case.label] = max(3, min(args.repeat, int(args.budget / per_round)))
        print(f"  round {round_no + 1}/{args.repeat} done", flush=True)


# The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 workers on loopback, serving ``app``."""

    def __init__(self, app: str, env: dict):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
                "--chdir",
                str(ROOT),
                app,
            ],
            env={**os.environ, **env},
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {app}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def memory_kb(self, key: str) -> int:
        """The largest ``key`` (VmRSS, VmHWM) of the workers, in kB."""
        found = 0
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
            if match:
                found = max(found, int(match.group(1)))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class LoadResult:
    label: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    failed: int = 0
    non_2xx: int = 0
    floor_rps: float = 0.0
    floor_p95_ms: float = 0.0
    # CSV: COPY of the query the API runs itself (its order and its citations' order).
    own_floor_rps: float = 0.0


def ab(url: str, requests: int, concurrency: int, seconds: float) -> dict:
    """``ab -k``: requests/s, the 50th and 95th percentiles (ms) and the errors, over
    ``requests`` requests or ``seconds``, whichever comes first."""
    # A warm-up: the workers' first requests.
    subprocess.run(["ab", "-q", "-n", "20", "-c", "2", url], capture_output=True, check=False)
    out = subprocess.run(
        # -t before -n: the time limit stays, the number of requests is ours.
        ["ab", "-k", "-q", "-t", str(int(seconds)), "-n", str(requests)]
        + ["-c", str(concurrency), url],
        capture_output=True,
        text=True,
        check=False,
    ).stdout

    def number(pattern: str) -> float:
        match = re.search(pattern, out, re.M)
        return float(match.group(1)) if match else float("nan")

    return {
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p95": number(r"^\s+95%\s+(\d+)"),
        "failed": int(number(r"^Failed requests:\s+(\d+)")),
        "non_2xx": int(number(r"^Non-2xx responses:\s+(\d+)") if "Non-2xx" in out else 0),
    }


def stream_rows(url: str, seconds: float, server: "Server | None") -> tuple[int, float, int]:
    """Read a CSV stream for at most ``seconds``: (rows, seconds, peak server RSS in kB
    while it ran)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    lines, peak, last_poll = 0, 0, 0.0
    while chunk := response.read1(1 << 16):
        lines += chunk.count(b"\n")
        now = time.perf_counter()
        if server and now - last_poll > 0.2:
            peak = max(peak, server.memory_kb("VmRSS"))
            last_poll = now
        if now - started > seconds:
            break
    elapsed = time.perf_counter() - started
    connection.close()
    return max(0, lines - 1), elapsed, peak  # the header is not a row


def copy_rows(
    database_url: str, sql: str, seconds: float, *, jit: bool = True
) -> tuple[int, float]:
    """The CSV floor: ``COPY (…) TO STDOUT (FORMAT csv)``, read for at most ``seconds``
    (``jit``: with PostgreSQL's JIT compilation, its default; the API turns it off)."""
    import psycopg

    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        if not jit:
            cursor.execute("SET jit = off")
        started = time.perf_counter()
        lines = 0
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                lines += bytes(chunk).count(b"\n")
                if time.perf_counter() - started > seconds:
                    break
        return max(0, lines - 1), time.perf_counter() - started


def api_csv_select() -> str:
    """The SELECT that the API's CSV export of the published trade figures runs, its
    parameters bound, as the public asks for it (core.rest.csv_sql)."""
    import psycopg
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import RequestFactory

    from caci.api import router

    viewset = dict((basename, v) for _, v, basename in router.registry)["trade-figures"]
    view = viewset(request=None, format_kwarg=None, action="list")
    request = RequestFactory().get(f"{API}/trade-figures/", {"format": "csv"})
    request.user = AnonymousUser()
    view.request = request
    query = view.csv_query()
    rows = viewset.filterset_class({}, query.rows(), request=request).qs
    sql, params = query.copy_sql(rows, view.reader.url_formats(request, bare=True))
    connection.ensure_connection()
    statement = psycopg.ClientCursor(connection.connection).mogrify(sql, params)
    return statement.removeprefix("COPY (").removesuffix(") TO STDOUT (FORMAT csv)")


def csv_part(args, api: "Server") -> LoadResult:
    """The published trade figures as CSV, streamed through gunicorn, against two
    floors: COPY of the floor's columns, and COPY of the very query the API runs."""
    rss_before = api.memory_kb("VmRSS")
    rows, seconds, peak = stream_rows(
        api.url(f"{API}/trade-figures/?format=csv"), args.csv_seconds, api
    )
    spec = RESOURCES["trade-figures"]
    floor_sql = (
        f"SELECT {spec.select.replace('%s', quote_literal(API), 1)} FROM {spec.source} "
        f"WHERE {spec.where}"
    ).replace("%%", "%")
    floor_rows_n, floor_seconds = copy_rows(args.database_url, floor_sql, args.csv_seconds)
    own_rows, own_seconds = copy_rows(
        args.database_url, api_csv_select(), args.csv_seconds, jit=False
    )
    print(f"  csv: {rows} rows in {seconds:.1f} s, peak {peak} kB", flush=True)
    return LoadResult(
        f"CSV trade-figures/?format=csv ({rows:,} rows in {seconds:.0f} s; server "
        f"RSS {rss_before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB)",
        rps=rows / seconds,
        floor_rps=floor_rows_n / floor_seconds,
        own_floor_rps=own_rows / own_seconds,
    )


def server_parts(args, values: dict, counts: dict) -> tuple[list[LoadResult], list[str]]:
    import json

    if not shutil.which("ab"):
        return [], ["ab not found (apt-get install apache2-utils): no load test"]
    env = {**BENCH_ENV, "DATABASE_URL": args.database_url}
    api = Server("caci.wsgi:application", env)
    floor = Server(
        "bench.api_benchmark:floor_app",
        {
            "FLOOR_DATABASE_URL": args.database_url,
            "FLOOR_VALUES": json.dumps(values),
            "PYTHONPATH": str(ROOT),
        },
    )
    results, notes = [], []
    try:
        import psycopg

        with psycopg.connect(args.database_url) as connection:
            detail = connection.execute(
                "SELECT id FROM actors_tradefigure WHERE review_status = 'published' "
                "ORDER BY id LIMIT 1 OFFSET 1000"
            ).fetchone()[0]
        loads = [
            ("trade-figures/ 100 rows", f"{API}/trade-figures/?page_size=100"),
            (
                "trade-figures/ cursor, 100 rows",
                f"{API}/trade-figures/?pagination=cursor&page_size=100",
            ),
            (
                f"trade-figures/?actor={values['actor']}&year_min=2017",
                f"{API}/trade-figures/?"
                + urlencode({"actor": values["actor"], "year_min": 2017, "page_size": 100}),
            ),
            ("trade-figures/<id>/ (a record)", f"{API}/trade-figures/{detail}/"),
        ]
        for label, path in loads:
            measured = ab(api.url(path), args.load_requests, args.concurrency, args.load_seconds)
            floor_path = path.replace("pagination=cursor&", "")
            if "actor=" in floor_path:
                floor_path = f"{API}/trade-figures/?" + urlencode(
                    {"actor": values["actor"], "year_min": "2017", "page_size": 100}
                )
            floor_measured = ab(
                floor.url(floor_path), args.load_requests, args.concurrency, args.load_seconds
            )
            results.append(
                LoadResult(
                    label,
                    measured["rps"],
                    measured["p50"],
                    measured["p95"],
                    measured["failed"],
                    measured["non_2xx"],
                    floor_measured["rps"],
                    floor_measured["p95"],
                )
            )
            print(f"  load: {label}: {measured}", flush=True)
        results.append(csv_part(args, api))
    finally:
        api.stop()
        floor.stop()
    return results, notes


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The table ------------------------------------------------------------------------------


def verdicts(cases: list[Case]) -> None:
    by_label = {case.label: case for case in cases}
    for case in cases:
        if not case.api_s:
            case.met = False
            continue
        case.floor_med, case.floor_p95 = median(case.floor_s), percentile(case.floor_s, 0.95)
        case.api_med, case.api_p95 = median(case.api_s), percentile(case.api_s, 0.95)
        case.ratio = (
            case.api_p95 / case.floor_p95 if case.compare_p95 else case.api_med / case.floor_med
        )
        queries_ok = case.queries is not None and case.queries <= 2
        reference = by_label.get(case.reference)
        if reference and reference.api_s:
            first = median(reference.api_s)
            case.page1 = case.api_med / first
            case.met = case.page1 <= case.limit and queries_ok
        else:
            case.met = case.ratio <= case.limit and queries_ok


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def print_table(cases, counts, started_load, ended_load, args) -> None:
    verdicts(cases)
    print()
    print(
        f"PostgreSQL; scale {args.scale:g}: {counts['trade_figures']:,} trade figures, "
        f"{counts['articles']:,} articles, {counts['agreements']:,} agreements, "
        f"{counts['actors']:,} actors"
    )
    print(
        f"machine: {os.cpu_count()} cores; load average {started_load} at the start, "
        f"{ended_load} at the end"
    )
    print(
        "times in ms; floor = raw psycopg query of the same columns + orjson; ratio = API "
        "median / floor median (search: p95 / p95; a last page: API / API page 1); "
        "SQL = queries per request; target also asks SQL <= 2"
    )
    print()
    head = (
        f"| {'request':<58} | {'rows':>5} | {'floor med':>9} | {'floor p95':>9} | "
        f"{'API med':>9} | {'API p95':>9} | {'ratio':>7} | {'SQL':>3} | {'target':<14} | met |"
    )
    print(head)
    print("|" + "|".join("-" * (len(part)) for part in head.split("|")[1:-1]) + "|")
    for case in cases:
        if not case.api_s:
            print(
                f"| {case.label[:58]:<58} | {'':>5} | {'':>9} | {'':>9} | {'':>9} | {'':>9} | "
                f"{'':>7} | {case.queries or '':>3} | {case.target:<14} | HTTP {case.status} "
                f"{case.note[:60]} |"
            )
            continue
        ratio = getattr(case, "page1", case.ratio)
        print(
            f"| {case.label[:58]:<58} | {case.api_rows:>5} | {ms(case.floor_med):>9} | "
            f"{ms(case.floor_p95):>9} | {ms(case.api_med):>9} | {ms(case.api_p95):>9} | "
            f"{ratio:>6.1f}x | {case.queries:>3} | {case.target:<14} | "
            f"{'yes' if case.met else 'NO':<3} |"
        )
    met = sum(1 for case in cases if case.met)
    print()
    print(f"{met} of {len(cases)} requests meet their target.", flush=True)


def print_loads(loads, args, started_load, ended_load) -> None:
    if loads:
        print()
        print(f"load average {started_load} at the start, {ended_load} at the end")
        print(
            f"gunicorn, 2 workers, ab -k -c {args.concurrency} -n {args.load_requests} "
            f"(at most {args.load_seconds:g} s) on "
            "loopback; the floor is a WSGI application serving the floor query under the "
            "same gunicorn"
        )
        head = (
            f"| {'request':<58} | {'req/s':>8} | {'p50 ms':>6} | {'p95 ms':>6} | "
            f"{'errors':>6} | {'floor req/s':>11} | {'floor p95':>9} | {'target':<22} | met |"
        )
        print(head)
        print("|" + "|".join("-" * (len(part)) for part in head.split("|")[1:-1]) + "|")
        for load in loads:
            if load.label.startswith("CSV"):
                met = load.rps >= 50_000
                print(f"| {load.label} |")
                print(
                    f"| {'  rows/s (floor: COPY of the same columns)':<58} | {load.rps:>8,.0f} | "
                    f"{'':>6} | {'':>6} | {'':>6} | {load.floor_rps:>11,.0f} | {'':>9} | "
                    f"{'>= 50,000 rows/s':<22} | {'yes' if met else 'NO':<3} |"
                )
                print(
                    f"| {'  (floor: COPY of the API own query, JIT off)':<58} | {'':>8} | "
                    f"{'':>6} | {'':>6} | {'':>6} | {load.own_floor_rps:>11,.0f} | {'':>9} | "
                    f"{'':<22} |     |"
                )
                continue
            errors = load.failed + load.non_2xx
            met = load.rps >= 300 and load.p95_ms <= 40 and errors == 0
            print(
                f"| {load.label[:58]:<58} | {load.rps:>8,.0f} | {load.p50_ms:>6.0f} | "
                f"{load.p95_ms:>6.0f} | {errors:>6} | {load.floor_rps:>11,.0f} | "
                f"{load.floor_p95_ms:>9.0f} | {'>= 300/s, p95 <= 40 ms':<22} | "
                f"{'yes' if met else 'NO':<3} |"
            )


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    args = parse_args(argv)
    counts = dataset_ensure(args)
    if args.build_only:
        return 0
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caci.settings")
    import django

    django.setup()
    import psycopg

    if args.csv_only:
        started_load = loadavg()
        api = Server("caci.wsgi:application", {**BENCH_ENV, "DATABASE_URL": args.database_url})
        try:
            loads = [csv_part(args, api)]
        finally:
            api.stop()
        print_loads(loads, args, started_load, loadavg())
        return 0
    started_load = loadavg()
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        values = pick_values(connection)
        print(f"values: {values}", flush=True)
        cases = build_cases(values, connection)
        analyses = analysis_cases(values)
        if args.only:
            cases = [c for c in cases if args.only in c.url]
            analyses = [c for c in analyses if args.only in c.url]
        run_cases(cases, args, connection)
    run_analysis(analyses, args)
    print_table(cases, counts, started_load, loadavg(), args)
    print_analysis(analyses)
    if args.skip_server:
        return 0
    started_load = loadavg()
    loads, notes = server_parts(args, values, counts)
    for note in notes:
        print(f"note: {note}")
    print_loads(loads, args, started_load, loadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
