"""The articles' admin: bylines written through the services, in the editor's order."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.services import author_create
from caci.tests.helpers import form_data

pytestmark = pytest.mark.django_db


def byline(article) -> list[str]:
    return [a.author.slug for a in article.authorships.order_by("position")]


def test_an_editor_adds_an_article_with_its_byline_in_order(editor_client, editor):
    first = author_create(name="Chimguundari Navaan-Yunden", slug="navaan-yunden")
    second = author_create(name="Tuvshinzaya Gantulga", slug="gantulga")
    add = reverse("admin:articles_article_add")

    response = editor_client.post(
        add,
        form_data(
            editor_client.get(add),
            slug="mongolia-pivot",
            section="analytical-articles",
            lede="Mongolia's diplomatic engagement marks a pivotal evolution.",
            **{
                "authorships-TOTAL_FORMS": "2",
                "authorships-0-author": second.pk,
                "authorships-0-position": "2",
                "authorships-1-author": first.pk,
                "authorships-1-position": "1",
            },
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get(slug="mongolia-pivot")
    assert byline(article) == ["navaan-yunden", "gantulga"]
    assert article.history.get().history_user == editor


def test_swapping_two_authors_in_the_byline_is_accepted(editor_client, article):
    other = author_create(name="Second Author", slug="second-author")
    from articles.services import article_update

    article_update(article=article, data={}, authors=[*article.authors.all(), other])
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = editor_client.get(change)

    response = editor_client.post(
        change,
        form_data(page, **{"authorships-0-position": "2", "authorships-1-position": "1"}),
    )

    assert response.status_code == 302, response.context["errors"]
    assert byline(article) == ["second-author", "author-1"]


def test_an_article_cited_by_facts_is_still_edited_as_usual(editor_client, article, agreement):
    change = reverse("admin:articles_article_change", args=[article.pk])

    response = editor_client.post(change, form_data(editor_client.get(change), title="Renamed"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Renamed"
    assert article.citations.count() == 1
    assert byline(article) == ["author-1"]


def test_an_author_list_counts_their_articles(editor_client, article):
    response = editor_client.get(reverse("admin:articles_author_changelist"))

    rows = {author.slug: author.article_total for author in response.context["cl"].result_list}
    assert rows == {"author-1": 1}
