"""The editors' admin for the publication: authors, articles and their bylines."""

from django.contrib import admin
from django.db import models
from django.db.models import Count

from articles.models import Article, Author, Authorship
from core.admin import (
    RECORD_FIELDS,
    REVIEW_FIELDS,
    ReviewedAdmin,
    RuleCheckedFormSet,
    ServiceAdmin,
)


@admin.register(Author)
class AuthorAdmin(ServiceAdmin):
    list_display = ("name", "affiliation", "article_count", "slug", "updated_at")
    search_fields = ("name", "slug", "affiliation")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "affiliation", "bio")}),
        ("Record", {"classes": ("collapse",), "fields": RECORD_FIELDS}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("authorships"))

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, author) -> int:
        return author.article_total


class AuthorshipInline(admin.TabularInline):
    """The byline, in order: position 1 is the first author."""

    model = Authorship
    formset = RuleCheckedFormSet
    verbose_name = "author in the byline"
    verbose_name_plural = "byline"
    fields = ("position", "author")
    autocomplete_fields = ("author",)
    ordering = ("position",)
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


@admin.register(Article)
class ArticleAdmin(ReviewedAdmin):
    list_display = (
        "display_title",
        "section",
        "published_on",
        "byline",
        "review_status",
        "updated_at",
    )
    list_filter = ("review_status", "section")
    search_fields = ("title", "slug", "lede", "authorships__author__name")
    date_hierarchy = "published_on"
    inlines = [AuthorshipInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "section", "published_on")}),
        ("Text", {"fields": ("lede", "body")}),
        ("Publisher", {"fields": ("source_url", "pdf_url", "publisher_item_id")}),
        ("Review", {"fields": REVIEW_FIELDS}),
        ("Record", {"classes": ("collapse",), "fields": RECORD_FIELDS}),
    )
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).with_authors()

    @admin.display(description="title", ordering="title")
    def display_title(self, article) -> str:
        return str(article)

    @admin.display(description="byline")
    def byline(self, article) -> str:
        return ", ".join(authorship.author.name for authorship in article.authorships.all())


@admin.register(Authorship)
class AuthorshipAdmin(ServiceAdmin):
    """Bylines one by one; they are usually edited on their article."""

    list_display = ("article", "author", "position")
    list_select_related = ("article", "author")
    search_fields = ("article__title", "article__slug", "author__name")
    autocomplete_fields = ("article", "author")
    fields = ("article", "author", "position", *RECORD_FIELDS)
