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
from articles.services import article_create, article_update, author_create, author_update
from core.rest.viewsets import SLUG_PATTERN, DatasetViewSet


class ArticleViewSet(DatasetViewSet):
    """Articles of the Analyst: metadata, byline, full text and the actors they discuss.

    Only published articles are listed unless an editor asks for more (`review_status`).
    """

    queryset = Article.objects.with_authors().prefetch_related("mentioned_actors")
    serializer_class = ArticleSerializer
    write_serializer_class = ArticleWriteSerializer
    filterset_class = ArticleFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    model_error_fields = {"published_on": "published"}
    csv_filename = "articles"
    csv_columns = (
        ("slug", lambda a: a.slug),
        ("title", lambda a: a.title),
        ("section", lambda a: a.section),
        ("published", lambda a: a.published_on),
        ("author_slugs", lambda a: [s.author.slug for s in a.authorships.all()]),
        ("author_names", lambda a: [s.author.name for s in a.authorships.all()]),
        ("mention_slugs", lambda a: [actor.slug for actor in a.mentioned_actors.all()]),
        ("lede", lambda a: a.lede),
        ("body", lambda a: a.body),
        ("source_url", lambda a: a.source_url),
        ("pdf_url", lambda a: a.pdf_url),
        ("publisher_item_id", lambda a: a.publisher_item_id),
        ("review_status", lambda a: a.review_status),
        ("created_at", lambda a: a.created_at.isoformat()),
        ("updated_at", lambda a: a.updated_at.isoformat()),
    )

    def record_create(self, data):
        return article_create(
            published_on=data.pop("published", None), authors=data.pop("authors", ()), **data
        )

    def record_update(self, record, data):
        authors = data.pop("authors", None)
        if "published" in data:
            data["published_on"] = data.pop("published")
        return article_update(article=record, data=data, authors=authors)


class AuthorViewSet(DatasetViewSet):
    """People who write for the Analyst, with their published articles."""

    queryset = Author.objects.prefetch_related(
        Prefetch(
            "articles",
            queryset=Article.objects.published().order_by("-published_on", "slug"),
            to_attr="published_articles",
        )
    )
    serializer_class = AuthorSerializer
    write_serializer_class = AuthorWriteSerializer
    filterset_class = AuthorFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    csv_filename = "authors"
    csv_columns = (
        ("slug", lambda a: a.slug),
        ("name", lambda a: a.name),
        ("affiliation", lambda a: a.affiliation),
        ("bio", lambda a: a.bio),
        ("article_slugs", lambda a: [article.slug for article in a.published_articles]),
        ("created_at", lambda a: a.created_at.isoformat()),
        ("updated_at", lambda a: a.updated_at.isoformat()),
    )

    def record_create(self, data):
        return author_create(**data)

    def record_update(self, record, data):
        return author_update(author=record, data=data)
