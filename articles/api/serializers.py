"""How articles and authors read and are written in the public API."""

from django.db.models import F
from rest_framework import serializers

from articles.models import Article, Author, Authorship
from articles.services import ARTICLE_FIELDS, AUTHOR_FIELDS
from core.rest.serializers import ModelWriteSerializer, PublicNamesMixin


class ArticleReferenceSerializer(serializers.ModelSerializer):
    """An article named inside another record: enough to cite it without a second request."""

    published = serializers.DateField(
        source="published_on",
        allow_null=True,
        help_text="Publication date; null when the publisher's date line is lost.",
    )

    class Meta:
        model = Article
        fields = ["slug", "title", "published"]


class AuthorReferenceSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(source="author.slug")
    name = serializers.CharField(source="author.name")

    class Meta:
        model = Authorship
        fields = ["slug", "name"]


class MentionedActorSerializer(serializers.Serializer):
    """An actor the article discusses (the actors themselves are the /actors/ resource)."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField()
    iso_code = serializers.CharField(allow_null=True)


class OptionalURLField(serializers.URLField):
    """A link the source may not give: null rather than an empty string, which no client
    could take for an address."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None

    def sql_text(self, prefix: str):
        """The same text, written by PostgreSQL (the CSV export: core.rest.csv_sql): an
        empty link is an empty cell, as null is."""
        return F(prefix + self.source)


class ArticleSerializer(PublicNamesMixin, serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="articles-detail", lookup_field="slug")
    published = serializers.DateField(
        source="published_on",
        allow_null=True,
        help_text="Publication date from the publisher's date line; null when unknown.",
    )
    authors = AuthorReferenceSerializer(
        source="authorships", many=True, help_text="The byline, in order."
    )
    mentions = MentionedActorSerializer(
        source="mentioned_actors", many=True, help_text="The actors the article discusses."
    )
    source_url = OptionalURLField(help_text="The publisher's page for this article, if known.")
    pdf_url = OptionalURLField(help_text="The publisher's PDF of the piece, if any.")

    class Meta:
        model = Article
        # The review status and note come with the services' fields, unless those leave
        # them to the review workflow.
        fields = list(
            dict.fromkeys(
                [
                    "url",
                    *ARTICLE_FIELDS,
                    "authors",
                    "mentions",
                    "review_status",
                    "review_note",
                    "verified_at",
                    "created_at",
                    "updated_at",
                ]
            )
        )
        read_only_fields = fields


class ArticleWriteSerializer(ModelWriteSerializer):
    """An article as an editor writes it; the byline is a list of author slugs, in order."""

    published = serializers.DateField(
        source="published_on",
        allow_null=True,
        required=False,
        help_text="Publication date from the publisher's date line; null when unknown.",
    )
    authors = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Author.objects.all(),
        many=True,
        required=False,
        help_text="Author slugs, in byline order.",
    )

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "authors", "review_status"]
        # The text is stored as the source gives it, white space included.
        extra_kwargs = {"lede": {"trim_whitespace": False}, "body": {"trim_whitespace": False}}


class AuthorSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="authors-detail", lookup_field="slug")
    articles = ArticleReferenceSerializer(
        source="published_articles",
        many=True,
        help_text="The author's published articles, newest first.",
    )

    class Meta:
        model = Author
        fields = ["url", *AUTHOR_FIELDS, "articles", "created_at", "updated_at"]
        read_only_fields = fields


class AuthorWriteSerializer(ModelWriteSerializer):
    class Meta:
        model = Author
        fields = list(AUTHOR_FIELDS)
