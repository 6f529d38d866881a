"""The articles and authors resources of the public API."""

from django.db.models import Prefetch

from articles.api.filters import ArticleFilter, AuthorFilter
from articles.api.serializers import (
    ArticleSerializer,
    ArticleWriteSerializer,
    AuthorSerializer,
    AuthorWriteSerializer,
)
from articles.models import Article, Author
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
