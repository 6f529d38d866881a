"""What each documented filter costs: at most two queries (the actor, article or author
it names, then the page), in either mode."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caci.api import router
from caci.tests.dataset import built_for_module

pytestmark = pytest.mark.django_db

# Every documented filter of every list, with a value the shared dataset answers.
FILTERS = {
    "articles": {
        "author": "emil-avdaliani",
        "section": "analytical-articles",
        "status": "published",
        "published_after": "2020-01-01",
        "published_before": "2030-01-01",
        "mentions": "russia",
        "search": "trade",
        "review_status": "published",
        "updated_since": "2000-01-01",
        "ordering": "title",
    },
    "authors": {"q": "av", "updated_since": "2000-01-01", "ordering": "name"},
    "actors": {
        "kind": "country",
        "iso_code": "kz",
        "q": "kaz",
        "mentioned_in": "has-the-west-lost-azerbaijan",
        "updated_since": "2000-01-01",
        "ordering": "name",
    },
    "agreements": {
        "party": ["azerbaijan", "china"],
        "kind": "strategic-partnership",
        "status": "signed",
        "signed_after": "2020-01-01",
        "signed_before": "2030-01-01",
        "article": "has-the-west-lost-azerbaijan",
        "review_status": "published",
        "updated_since": "2000-01-01",
        "ordering": "-signed",
    },
    "trade-figures": {
        "reporter": "mongolia",
        "partner": "KZ",
        "actor": ["mongolia", "Kazakhstan"],
        "flow": "export",
        "commodity": "meat",
        "year": "2017",
        "year_min": "2017",
        "year_max": "2022",
        "value_min": "1",
        "value_max": "1000000000000",
        "qualifier": "exact",
        "article": "has-the-west-lost-azerbaijan",
        "review_status": "published",
        "updated_since": "2000-01-01",
        "ordering": "-value",
    },
}
LISTS = {basename for _, _, basename in router.registry if basename != "tombstones"}
FILTERED = [
    (basename, name, value)
    for basename, filters in FILTERS.items()
    for name, value in filters.items()
]


@pytest.mark.parametrize("basename", sorted(LISTS))
def test_every_documented_filter_is_costed_here(basename):
    viewset = dict((b, v) for _, v, b in router.registry)[basename]

    assert set(FILTERS[basename]) == set(viewset.filterset_class.base_filters)


@pytest.mark.parametrize("mode", ["page", "cursor"])
@pytest.mark.parametrize(("basename", "name", "value"), FILTERED)
def test_a_filtered_list_is_at_most_two_queries(
    api, dataset, django_assert_max_num_queries, basename, name, value, mode
):
    params = {name: value, "pagination": mode}
    if name == "ordering":
        params["pagination"] = "page"

    with django_assert_max_num_queries(2):
        response = api.get(f"/api/v1/{basename}/", params)

    assert response.status_code == 200, response.content
    assert response.json()["results"], f"{name}={value} should match a record of the dataset"


# The plans of the filters on PostgreSQL, over tables large enough for the planner to
# choose between an index and a sequential scan as it would in production.
LARGE_TABLES = (
    "articles_article",
    "articles_authorship",
    "actors_mention",
    "actors_agreement",
    "actors_agreementparty",
    "actors_tradefigure",
    "actors_citation",
)
# Enough rows that a filter no index serves plans a sequential scan, as it would in
# production: the planner weighs each table's size and statistics (ANALYZE below), and the
# GIN indexes' pending entries are merged, as autovacuum does, so that an index scan is not
# costed higher than it would be there. (Fewer rows than this and the planner rightly reads
# a small table whole.)
ROWS = {"articles": 5_000, "agreements": 5_000, "trade_figures": 50_000}
WORDS = "oil gas grain cotton uranium copper gold wheat coal meat electricity steel"
GENERATE_SQL = """
INSERT INTO actors_actor (created_at, updated_at, import_digest, import_fingerprint,
    name, slug, kind, iso_code, description)
SELECT now(), now(), '', '', 'Company ' || n, 'company-' || n, 'company', NULL, ''
FROM generate_series(1, 200) n;

INSERT INTO articles_author (created_at, updated_at, import_digest, import_fingerprint,
    name, slug, bio, affiliation)
SELECT now(), now(), '', '', 'Writer ' || n, 'writer-' || n, '', ''
FROM generate_series(1, 500) n;

INSERT INTO articles_article (created_at, updated_at, import_digest, import_fingerprint,
    review_status, review_note, verified_at, verified_via, slug, title, section,
    published_on, lede, body, source_url, pdf_url)
SELECT now() - n * interval '1 minute', now() - n * interval '1 minute', '', '',
    CASE WHEN n %% 20 = 0 THEN 'needs_review' ELSE 'published' END, '',
    now(), 'generated', 'generated-' || n, 'Generated article ' || n,
    (ARRAY['analytical-articles', 'feature-articles', 'field-reports', 'news-digest',
        'other'])[1 + n %% 5],
    date '2000-01-01' + (n %% 9000), 'A lede about ' || split_part(%(words)s, ' ', 1 + n %% 12),
    'The body mentions ' || split_part(%(words)s, ' ', 1 + (n / 7) %% 12) || '.',
    '', ''
FROM generate_series(1, %(articles)s) n;

CREATE TEMP TABLE generated_articles AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM articles_article
WHERE slug LIKE 'generated-%%';
CREATE TEMP TABLE generated_actors AS
SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM actors_actor;
CREATE TEMP TABLE generated_authors AS
SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM articles_author;

INSERT INTO articles_authorship (created_at, updated_at, import_digest, import_fingerprint,
    position, article_id, author_id)
SELECT now(), now(), '', '', 1, a.id, w.id
FROM generated_articles a
JOIN generated_authors w ON w.n = a.n %% (SELECT count(*) FROM generated_authors);

INSERT INTO actors_mention (created_at, updated_at, import_digest, import_fingerprint,
    article_id, actor_id)
SELECT now(), now(), '', '', a.id, x.id
FROM generated_articles a
JOIN generated_actors x ON x.n = a.n %% (SELECT count(*) FROM generated_actors);

INSERT INTO actors_agreement (created_at, updated_at, import_digest, import_fingerprint,
    review_status, review_note, verified_at, verified_via, id, title, kind, status,
    signed_on, signed_precision, signed_on_latest, summary)
SELECT now() - n * interval '1 minute', now() - n * interval '1 minute', '', '',
    CASE WHEN n %% 20 = 0 THEN 'needs_review' ELSE 'published' END, '', now(),
    'generated', gen_random_uuid(), 'Generated agreement ' || n,
    (ARRAY['treaty', 'memorandum', 'package', 'strategic-partnership', 'declaration',
        'other'])[1 + n %% 6],
    (ARRAY['proposed', 'agreed', 'signed', 'in-force', 'ended', 'unknown'])[1 + n %% 6],
    date '2000-01-01' + (n %% 9000), 'day', date '2000-01-01' + (n %% 9000), ''
FROM generate_series(1, %(agreements)s) n;

CREATE TEMP TABLE generated_agreements AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM actors_agreement
WHERE title LIKE 'Generated agreement %%';

INSERT INTO actors_agreementparty (created_at, updated_at, import_digest,
    import_fingerprint, role, agreement_id, actor_id)
SELECT now(), now(), '', '', 'signatory', g.id, x.id
FROM generated_agreements g
JOIN generated_actors x
    ON x.n IN (g.n %% (SELECT count(*) FROM generated_actors),
        (g.n + 7) %% (SELECT count(*) FROM generated_actors));

INSERT INTO actors_tradefigure (created_at, updated_at, import_digest, import_fingerprint,
    review_status, review_note, verified_at, verified_via, id, flow, commodity, year,
    value, currency, qualifier, note, reporter_id, partner_id)
SELECT now() - i * interval '1 second', now() - i * interval '1 second', '', '',
    CASE WHEN i %% 20 = 0 THEN 'needs_review' ELSE 'published' END, '', now(),
    'generated', gen_random_uuid(), (ARRAY['export', 'import', 'total'])[1 + i %% 3],
    split_part(%(words)s, ' ', 1 + i %% 12),
    CASE WHEN i %% 19 = 0 THEN NULL ELSE 1995 + i %% 31 END,
    (i * 7919) %% 100000000, 'USD',
    (ARRAY['exact', 'exact', 'exact', 'approximately', 'nearly', 'over', 'under'])[1 + i %% 7],
    '', r.id, p.id
FROM generate_series(1, %(trade_figures)s) AS series(i)
JOIN generated_actors r ON r.n = i %% (SELECT count(*) FROM generated_actors)
JOIN generated_actors p ON p.n = (i * 13 + 1) %% (SELECT count(*) FROM generated_actors)
WHERE r.id <> p.id;

INSERT INTO actors_citation (created_at, updated_at, import_digest, import_fingerprint,
    id, quote, char_start, char_end, article_id, trade_figure_id, agreement_id)
SELECT now(), now(), '', '', gen_random_uuid(), 'trade', 0, 5, a.id, f.id, NULL
FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM actors_tradefigure) f
JOIN generated_articles a ON a.n = 1 + f.n %% %(articles)s
UNION ALL
SELECT now(), now(), '', '', gen_random_uuid(), 'trade', 0, 5, a.id, NULL, g.id
FROM generated_agreements g
JOIN generated_articles a ON a.n = 1 + g.n %% %(articles)s;

SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'gin';

ANALYZE articles_author, articles_article, articles_authorship, actors_actor, actors_mention,
    actors_agreement, actors_agreementparty, actors_tradefigure, actors_citation;
"""


def large_tables_build() -> None:
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL, {"words": WORDS, **ROWS})


@pytest.fixture(scope="module")
def large_tables(dataset, django_db_blocker):
    """The shared dataset and, beside it, ROWS generated records: built once for the
    tests of the plans, which come last in this module."""
    if connection.vendor != "postgresql":
        pytest.skip("The plans are PostgreSQL's.")
    yield from built_for_module(django_db_blocker, large_tables_build)


def plans_of(api, url: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


LARGE_LISTS = ("articles", "agreements", "trade-figures")


@pytest.mark.parametrize(
    ("basename", "name", "value"),
    [(b, n, v) for b, n, v in FILTERED if b in LARGE_LISTS and n != "ordering"],
)
def test_no_documented_filter_scans_a_large_table(api, large_tables, basename, name, value):
    # Each filter as the list answers it by default (the cursor; a search: numbered pages
    # with their count).
    plans = plans_of(api, f"/api/v1/{basename}/", {name: value})

    scans = [f"Seq Scan on {table} " for table in LARGE_TABLES]
    for plan in plans:
        assert not any(scan in plan for scan in scans), plan
