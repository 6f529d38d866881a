"""The publication: what the Central Asia-Caucasus Analyst runs, and who wrote it.

This app knows nothing of the facts drawn from the articles (``actors``): it is the
source those facts cite.
"""

from datetime import date

from django.db import models

from articles.quotes import find_quote
from core.editorial import CuratedModel, PublicationQuerySet, ReviewedModel
from core.history import AggregateHistory, RecordHistory
from core.rules import FieldCheckConstraint

# The years a date of the dataset may lie in: a date outside them is a typing mistake.
PLAUSIBLE_YEARS = (1900, 2100)
PLAUSIBLE_DAYS = (date(PLAUSIBLE_YEARS[0], 1, 1), date(PLAUSIBLE_YEARS[1], 12, 31))


class Section(models.TextChoices):
    """The sections under which the Analyst publishes."""

    ANALYTICAL_ARTICLES = "analytical-articles", "Analytical Articles"
    FEATURE_ARTICLES = "feature-articles", "Feature Articles"
    FIELD_REPORTS = "field-reports", "Field Reports"
    NEWS_DIGEST = "news-digest", "News Digest"
    OTHER = "other", "Other"


class AuthorQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Author":
        return self.get(slug=slug)


class Author(CuratedModel):
    """A person who writes for the Analyst."""

    name = models.CharField(max_length=200, help_text="Full name as the byline gives it.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Stable identifier in URLs and fixtures."
    )
    bio = models.TextField(blank=True, help_text="The author's bio as the Analyst prints it.")
    affiliation = models.CharField(
        max_length=300,
        blank=True,
        help_text="The institution the bio names first; blank when the bio names none.",
    )

    objects = AuthorQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["updated_at"], name="author_updated_at_idx")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ArticleQuerySet(PublicationQuerySet):
    def get_by_natural_key(self, slug: str) -> "Article":
        return self.get(slug=slug)

    def with_authors(self) -> "ArticleQuerySet":
        return self.prefetch_related(
            models.Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
        )

    def newest_first(self) -> "ArticleQuerySet":
        """Newest first, those whose date is unknown last (on every database)."""
        return self.order_by(models.F("published_on").desc(nulls_last=True), "slug")


class Article(ReviewedModel):
    """A piece the Analyst ran: its metadata, its text and its ordered authors."""

    slug = models.SlugField(
        max_length=200, unique=True, help_text="Stable identifier in URLs and fixtures."
    )
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The title as the publisher gives it. Left blank when no source gives it: "
        "never invented.",
    )
    section = models.CharField(
        max_length=40, choices=Section.choices, help_text="The section that runs the piece."
    )
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="Publication date from the publisher's date line; blank when unknown.",
    )
    lede = models.TextField(
        blank=True, help_text="The opening summary paragraph (or the abstract)."
    )
    body = models.TextField(
        blank=True,
        help_text="The full text after the lede, page debris removed, with section headings "
        "(BACKGROUND, IMPLICATIONS, CONCLUSIONS) and the author bio as printed.",
    )
    source_url = models.URLField(
        max_length=500, blank=True, help_text="The publisher's page for this article."
    )
    pdf_url = models.URLField(
        max_length=500, blank=True, help_text="The publisher's PDF of the piece, if any."
    )
    publisher_item_id = models.PositiveIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="The publisher's item id (the number in its article address): a stable "
        "external identifier.",
    )
    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="articles", blank=True
    )

    objects = ArticleQuerySet.as_manager()
    history = AggregateHistory(children={"authorships": ("position", "author")})

    class Meta:
        ordering = ["-published_on", "slug"]
        constraints = [
            ReviewedModel.verified_when_published("article_published_is_verified"),
            FieldCheckConstraint(
                condition=models.Q(published_on__isnull=True)
                | models.Q(
                    published_on__gte=PLAUSIBLE_DAYS[0], published_on__lte=PLAUSIBLE_DAYS[1]
                ),
                name="article_published_on_plausible",
                field="published_on",
                violation_error_message=(
                    f"The publication date must lie between {PLAUSIBLE_YEARS[0]} and "
                    f"{PLAUSIBLE_YEARS[1]}."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["published_on"], name="article_published_on_idx"),
            models.Index(fields=["section", "published_on"], name="article_section_date_idx"),
            models.Index(fields=["updated_at"], name="article_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title or f"[untitled: {self.slug}]"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def text(self) -> str:
        """The citable text: lede, a blank line, then the body. Citation offsets count in it."""
        return "\n\n".join(part for part in (self.lede, self.body) if part)

    def locate(self, quote: str) -> tuple[int, int] | None:
        return find_quote(self.text, quote)


class AuthorshipQuerySet(models.QuerySet):
    def get_by_natural_key(self, article_slug: str, author_slug: str) -> "Authorship":
        return self.get(article__slug=article_slug, author__slug=author_slug)


class Authorship(CuratedModel):
    """An author's place in an article's byline."""

    article = models.ForeignKey(
        Article,
        # A byline has no meaning without its article.
        on_delete=models.CASCADE,
        related_name="authorships",
    )
    author = models.ForeignKey(
        Author,
        # An author with published articles is kept: remove the bylines first.
        on_delete=models.PROTECT,
        related_name="authorships",
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Place in the byline, from 1 for the first author."
    )

    objects = AuthorshipQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"],
                name="authorship_unique_author_per_article",
                violation_error_message="An author appears twice in the byline.",
            ),
            models.UniqueConstraint(
                fields=["article", "position"], name="authorship_unique_position_per_article"
            ),
            FieldCheckConstraint(
                condition=models.Q(position__gte=1),
                name="authorship_position_from_1",
                field="position",
                violation_error_message="Byline positions count from 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} ({self.position}) on {self.article}"

    def natural_key(self) -> tuple[str, str]:
        return (self.article.slug, self.author.slug)

    natural_key.dependencies = ["articles.article", "articles.author"]
