"""How articles and authors read and are written in the public API."""

from rest_framework import serializers

from articles.models import Article, Author, Authorship, Section
from core.editorial import ReviewStatus


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


class ArticleSerializer(serializers.HyperlinkedModelSerializer):
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
        fields = [
            "url",
            "slug",
            "title",
            "section",
            "published",
            "authors",
            "lede",
            "body",
            "source_url",
            "pdf_url",
            "publisher_item_id",
            "mentions",
            "review_status",
            "review_note",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleWriteSerializer(serializers.Serializer):
    """An article as an editor writes it; the byline is a list of author slugs, in order."""

    slug = serializers.SlugField(max_length=200)
    title = serializers.CharField(allow_blank=True, required=False, max_length=300)
    section = serializers.ChoiceField(choices=Section.choices)
    published = serializers.DateField(allow_null=True, required=False)
    lede = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    source_url = serializers.URLField(allow_blank=True, required=False, max_length=500)
    pdf_url = serializers.URLField(allow_blank=True, required=False, max_length=500)
    publisher_item_id = serializers.IntegerField(
        allow_null=True, required=False, min_value=0, max_value=2_147_483_647
    )
    authors = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Author.objects.all(),
        many=True,
        required=False,
        help_text="Author slugs, in byline order.",
    )
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    review_note = serializers.CharField(allow_blank=True, required=False)


class AuthorSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="authors-detail", lookup_field="slug")
    articles = ArticleReferenceSerializer(
        source="published_articles",
        many=True,
        help_text="The author's published articles, newest first.",
    )

    class Meta:
        model = Author
        fields = [
            "url",
            "slug",
            "name",
            "bio",
            "affiliation",
            "articles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AuthorWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200)
    bio = serializers.CharField(allow_blank=True, required=False)
    affiliation = serializers.CharField(allow_blank=True, required=False, max_length=300)
