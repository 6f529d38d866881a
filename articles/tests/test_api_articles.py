"""The articles and authors resources (mentions are tested with the actors app)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from articles.models import Article, Author, Section
from articles.services import article_create, author_create
from caci.tests.dataset import built_for_module
from caci.tests.helpers import csv_rows, field_values
from core.services import records_publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/articles/"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="English stemming needs PostgreSQL search"
)


@pytest.fixture(scope="module")
def library(django_db_setup, django_db_blocker):
    """Four articles by two authors, one still under review; built once for the module."""
    yield from built_for_module(django_db_blocker, library_build)


def library_build():
    avdaliani = author_create(name="Emil Avdaliani", slug="emil-avdaliani")
    cutler = author_create(name="Robert M. Cutler", slug="robert-m-cutler")
    library = {
        "avdaliani": avdaliani,
        "cutler": cutler,
        "deal": article_create(
            slug="potential-deal",
            title="With a Potential Deal in Ukraine, Russia Could Also Secure the South Caucasus",
            published_on=date(2025, 3, 19),
            lede="Washington has initiated high-level negotiations with Moscow.",
            body="The pipelines of the Middle Corridor bypass Russia.",
            authors=[avdaliani],
        ),
        "west": article_create(
            slug="has-the-west-lost-azerbaijan",
            title='Has the West "Lost" Azerbaijan?',
            published_on=date(2025, 6, 5),
            lede="Aliyev’s April 2025 state visit to China.",
            body="A Comprehensive Strategic Partnership with Beijing.",
            authors=[cutler],
        ),
        "convergence": article_create(
            slug="convergence",
            section=Section.FEATURE_ARTICLES,
            title="The Convergence of the South Caucasus and Central Asia",
            published_on=date(2025, 1, 22),
            lede="An abstract about connectivity.",
            body="Azerbaijan and Kazakhstan build the Middle Corridor.",
            authors=[avdaliani, cutler],
        ),
        "draft": article_create(
            slug="draft-on-georgia",
            title="Georgia between Brussels and Moscow",
            published_on=date(2025, 7, 1),
            authors=[avdaliani],
        ),
    }
    reviewer = get_user_model().objects.create_user(username="library-reviewer", password=None)
    records_publish(
        records=[library["deal"], library["west"], library["convergence"]], user=reviewer
    )
    return library


def test_an_article_reads_with_its_byline_in_order(api, library):
    body = api.get(f"{URL}convergence/").json()

    assert body["authors"] == [
        {"slug": "emil-avdaliani", "name": "Emil Avdaliani"},
        {"slug": "robert-m-cutler", "name": "Robert M. Cutler"},
    ]
    assert body["published"] == "2025-01-22"
    assert body["section"] == "feature-articles"
    assert body["review_status"] == "published"
    assert body["mentions"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["has-the-west-lost-azerbaijan", "potential-deal", "convergence"]),
        ("author=robert-m-cutler", ["has-the-west-lost-azerbaijan", "convergence"]),
        ("section=feature-articles", ["convergence"]),
        ("section=news-digest", []),
        ("published_after=2025-03-19", ["has-the-west-lost-azerbaijan", "potential-deal"]),
        ("published_before=2025-03-18", ["convergence"]),
        ("search=CHINA", ["has-the-west-lost-azerbaijan"]),
        ("search=moscow negotiations", ["potential-deal"]),
        ("search=moscow beijing", []),
        ("search=convergence", ["convergence"]),
        ("ordering=title", ["has-the-west-lost-azerbaijan", "convergence", "potential-deal"]),
        ("ordering=-slug", ["potential-deal", "has-the-west-lost-azerbaijan", "convergence"]),
        (
            "ordering=-slug, title",
            ["potential-deal", "has-the-west-lost-azerbaijan", "convergence"],
        ),
    ],
)
def test_article_filters(api, library, query, expected):
    # Numbered pages, in the list's order (the cursor, the default, goes by identifier).
    assert field_values(api.get(f"{URL}?pagination=page&{query}")) == expected


@on_postgresql
def test_search_on_postgresql_stems_words_and_reads_phrases(api, library):
    assert field_values(api.get(f"{URL}?search=pipeline")) == ["potential-deal"]
    assert field_values(api.get(f'{URL}?search="strategic partnership"')) == [
        "has-the-west-lost-azerbaijan"
    ]
    assert field_values(api.get(f"{URL}?search=corridor -russia")) == ["convergence"]


@on_postgresql
def test_search_on_postgresql_puts_the_most_relevant_first(api, library):
    # Azerbaijan is in the title of one article (weighed most), in the body of the other.
    assert field_values(api.get(f"{URL}?search=azerbaijan")) == [
        "has-the-west-lost-azerbaijan",
        "convergence",
    ]
    assert field_values(api.get(f"{URL}?search=azerbaijan&ordering=published")) == [
        "convergence",
        "has-the-west-lost-azerbaijan",
    ]


@on_postgresql
def test_search_reads_the_stored_indexed_column(library):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT is_generated FROM information_schema.columns "
            "WHERE table_name = 'articles_article' AND column_name = 'search_vector'"
        )
        assert cursor.fetchone() == ("ALWAYS",)
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector_idx'"
        )
        assert "gin" in cursor.fetchone()[0].lower()


def test_search_sees_an_edit_at_once(api, library, editor):
    api.force_authenticate(editor)
    api.patch(f"{URL}convergence/", {"lede": "Tbilisi and Astana converge."}, format="json")

    assert field_values(api.get(f"{URL}?search=astana")) == ["convergence"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("author=nobody", "author"),
        ("section=opinion", "section"),
        ("status=draft", "status"),
        ("published_after=19-03-2025", "published_after"),
        ("published_before=2025-02-30", "published_before"),
        ("ordering=-popularity", "ordering"),
        ("q=russia", "q"),
        ("search=russia%00", "search"),
    ],
)
def test_bad_article_parameters_are_400s(api, library, query, parameter):
    response = api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_an_unknown_ordering_is_refused_with_the_choices(api, library):
    response = api.get(f"{URL}?ordering=title,-popularity")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "ordering": [
            "Cannot order by -popularity. Choose from: published, title, slug, created_at, "
            "updated_at (prefix - for descending)."
        ]
    }


def test_the_schema_lists_the_orderings_a_list_takes(api):
    schema = api.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/articles/"]["get"]["parameters"]
    ordering = next(p for p in parameters if p["name"] == "ordering")

    assert sorted(ordering["schema"]["items"]["enum"]) == sorted(
        [
            "published",
            "-published",
            "title",
            "-title",
            "slug",
            "-slug",
            "created_at",
            "-created_at",
            "updated_at",
            "-updated_at",
        ]
    )
    assert ordering["explode"] is False
    assert "default `-published,slug`" in ordering["description"]


def test_status_is_the_editorial_status_and_only_editors_may_ask_for_drafts(api, library, editor):
    anonymous = api.get(f"{URL}?status=needs_review")
    api.force_authenticate(editor)

    assert anonymous.status_code == 403
    assert field_values(api.get(f"{URL}?status=needs_review")) == ["draft-on-georgia"]
    assert len(field_values(api.get(f"{URL}?review_status=all"))) == 4
    assert api.get(f"{URL}draft-on-georgia/").status_code == 200


def test_the_public_cannot_read_a_draft(api, library):
    assert api.get(f"{URL}draft-on-georgia/").status_code == 404


def test_updated_since_returns_only_what_changed(api, library, editor):
    Article.objects.update(updated_at=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.force_authenticate(editor)
    api.patch(f"{URL}convergence/", {"title": "Convergence, revised"}, format="json")

    assert field_values(api.get(f"{URL}?updated_since={since}")) == ["convergence"]
    assert field_values(api.get(f"{URL}?updated_since=2000-01-01")) != ["convergence"]


def test_an_editor_writes_an_article_with_its_byline(api, library, editor):
    api.force_authenticate(editor)
    payload = {
        "slug": "caspian-notes",
        "section": "field-reports",
        "title": "Caspian notes",
        "published": "2025-08-01",
        "authors": ["robert-m-cutler", "emil-avdaliani"],
    }

    created = api.post(URL, payload, format="json")
    bad_date = api.post(URL, {**payload, "slug": "x", "published": "2025-08-32"}, format="json")
    unknown_author = api.post(URL, {**payload, "slug": "y", "authors": ["ghost"]}, format="json")
    duplicate = api.post(URL, payload, format="json")

    assert created.status_code == 201
    assert [a["slug"] for a in created.json()["authors"]] == ["robert-m-cutler", "emil-avdaliani"]
    assert bad_date.status_code == 400
    assert "published" in bad_date.json()["errors"]
    assert unknown_author.status_code == 400
    assert "authors" in unknown_author.json()["errors"]
    assert duplicate.status_code == 400
    assert "slug" in duplicate.json()["errors"]
    assert Article.objects.filter(slug__in=["x", "y"]).count() == 0


def test_articles_csv_flattens_the_byline(api, library):
    rows = csv_rows(api.get(f"{URL}?author=emil-avdaliani&format=csv"))

    assert [(row["slug"], row["author_slugs"]) for row in rows] == [
        ("potential-deal", "emil-avdaliani"),
        ("convergence", "emil-avdaliani | robert-m-cutler"),
    ]
    assert rows[0]["url"] == "http://testserver/api/v1/articles/potential-deal/"


def test_an_author_lists_only_published_articles(api, library):
    body = api.get("/api/v1/authors/emil-avdaliani/").json()

    assert [a["slug"] for a in body["articles"]] == ["potential-deal", "convergence"]
    assert body["articles"][0] == {
        "slug": "potential-deal",
        "title": "With a Potential Deal in Ukraine, Russia Could Also Secure the South Caucasus",
        "published": "2025-03-19",
    }


def test_authors_filter_by_name(api, library):
    assert field_values(api.get("/api/v1/authors/?q=CUTLER")) == ["robert-m-cutler"]
    assert field_values(api.get("/api/v1/authors/?q=smith")) == []


def test_deleting_an_author_with_a_byline_is_a_409(api, library, editor):
    api.force_authenticate(editor)

    response = api.delete("/api/v1/authors/emil-avdaliani/")

    assert response.status_code == 409
    assert Author.objects.filter(slug="emil-avdaliani").exists()
