"""Articles filtered by the actors they mention (the mentions are recorded by this app)."""

import pytest

from caci.tests.helpers import field_values

pytestmark = pytest.mark.django_db


def test_articles_that_mention_an_actor(api, dataset):
    found = field_values(api.get("/api/v1/articles/?mentions=iran"))

    assert found == [dataset.articles.sukhankin.slug]


def test_an_article_lists_the_actors_it_mentions(api, dataset):
    body = api.get(f"/api/v1/articles/{dataset.articles.sukhankin.slug}/").json()

    assert {actor["slug"] for actor in body["mentions"]} == {"russia", "iran", "azerbaijan"}
    assert {"slug": "iran", "name": "Iran", "kind": "country", "iso_code": "IR"} in body[
        "mentions"
    ]


def test_mentions_of_an_unknown_actor_is_a_400(api, dataset):
    response = api.get("/api/v1/articles/?mentions=atlantis")

    assert response.status_code == 400
    assert "mentions" in response.json()["errors"]
