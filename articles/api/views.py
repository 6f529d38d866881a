"""The articles and authors resources of the public API."""

from django.db.models import Prefetch

from articles.api.filters import ArticleFilter, AuthorFilter
from articles.api.serializers import (
    ArticleSerializer,
    ArticleWriteSerializer,
    AuthorSerializer,
    AuthorWriteSerializer,
)
from articles.models import Article, Author, Section
from core.rest.facets import Facet, year_range
from core.rest.viewsets import SLUG_PATTERN, DatasetViewSet


class ArticleViewSet(DatasetViewSet):
    """Articles of the Analyst: metadata, byline, full text and the actors they discuss.

    Only published articles are listed unless an editor asks for more (`review_status`).
    """

    queryset = Article.objects.with_authors().prefetch_related("mentioned_actors")
    default_pagination = "cursor"
    # A search puts the most relevant first: an order, which only numbered pages apply.
    numbered_page_params = ("ordering", "search")
    serializer_class = ArticleSerializer
    write_serializer_class = ArticleWriteSerializer
    filterset_class = ArticleFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    csv_filename = "articles"
    csv_lists = {
        "authors": {"author_slugs": "slug", "author_names": "name"},
        "mentions": {"mention_slugs": "slug"},
    }
    facets = {
        "author": Facet(
            path="authorships__author",
            lookup="slug",
            label="name",
            view="authors-detail",
            many=True,
            records="author",
            description="each author in the byline (an article counts once for each).",
        ),
        "section": Facet(
            path="section", choices=Section, records="section", description="the section."
        ),
        "year": Facet(
            path="published_on",
            year=True,
            records=year_range("published_after", "published_before"),
            description="the year of publication (null: date unknown).",
        ),
        "mentions": Facet(
            path="mentions__actor",
            lookup="slug",
            label="name",
            view="actors-detail",
            many=True,
            records="mentions",
            description="each actor the article discusses (an article counts once for each).",
        ),
    }


class AuthorViewSet(DatasetViewSet):
    """People who write for the Analyst, with their published articles."""

    queryset = Author.objects.prefetch_related(
        Prefetch(
            "articles",
            queryset=Article.objects.public().order_by("-published_on", "slug"),
            to_attr="published_articles",
        )
    )
    serializer_class = AuthorSerializer
    write_serializer_class = AuthorWriteSerializer
    filterset_class = AuthorFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    csv_filename = "authors"
    csv_lists = {"articles": {"article_slugs": "slug"}}
    facets = {
        "affiliation": Facet(
            path="affiliation",
            description="the institution the bio names first (empty: none named).",
        ),
    }
