"""The filters of the articles and authors lists."""

import django_filters

from articles.models import Article, Author, Section
from articles.search import RANK, articles_matching
from core.rest.filters import (
    REVIEW_STATUS_HELP,
    DatasetFilterSet,
    DatasetOrderingFilter,
    ReviewedFilterSet,
    ReviewVisibility,
    SlugFilter,
)

# The actors an article mentions are recorded by the ``actors`` app, which points back
# here; reaching them through the reverse relation keeps this app free of imports from it.
MentionedActor = Article._meta.get_field("mentioned_actors").related_model


class ArticleFilter(ReviewedFilterSet):
    author = SlugFilter(
        field_name="authors",
        queryset=Author.objects.all(),
        help_text="Articles with this author in the byline (author slug). An unknown slug "
        "is a 400.",
    )
    section = django_filters.ChoiceFilter(
        choices=Section.choices, help_text="Articles run in this section."
    )
    status = django_filters.ChoiceFilter(
        choices=ReviewVisibility.choices,
        method="filter_review_status",
        help_text=f"Same as `review_status` (the only status an article has). "
        f"{REVIEW_STATUS_HELP}",
    )
    published_after = django_filters.DateFilter(
        field_name="published_on",
        lookup_expr="gte",
        help_text="Articles published on or after this date (YYYY-MM-DD). Articles whose "
        "date is unknown are left out.",
    )
    published_before = django_filters.DateFilter(
        field_name="published_on",
        lookup_expr="lte",
        help_text="Articles published on or before this date (YYYY-MM-DD). Articles whose "
        "date is unknown are left out.",
    )
    mentions = SlugFilter(
        field_name="mentioned_actors",
        queryset=MentionedActor.objects.all(),
        help_text="Articles that discuss this actor (actor slug). An unknown slug is a 400.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Full-text search in the title, lede and body. On PostgreSQL: English "
        'stemming, "quoted phrases", `or`, and `-word` to exclude; every other word must '
        "occur; without `ordering`, the most relevant (title before lede before body) come "
        "first. A search answers in numbered pages (the most relevant first, on PostgreSQL), "
        "which reach its first 10,000 matches. On SQLite (development): every word must "
        "occur, ignoring case.",
    )
    ordering = DatasetOrderingFilter(
        fields=(("published_on", "published"), "title", "slug", "created_at", "updated_at"),
        default=("-published", "slug"),
        relevance=RANK,
    )
    review_params = ("review_status", "status")

    class Meta:
        model = Article
        fields = [
            "author",
            "section",
            "status",
            "published_after",
            "published_before",
            "mentions",
            "search",
            "review_status",
            "updated_since",
        ]

    def filter_search(self, queryset, name, value):
        return articles_matching(queryset, value)


class AuthorFilter(DatasetFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        help_text="Authors whose name contains this text, ignoring case.",
    )

    ordering = DatasetOrderingFilter(
        fields=("name", "slug", "created_at", "updated_at"), default=("name",)
    )

    class Meta:
        model = Author
        fields = ["q", "updated_since"]
