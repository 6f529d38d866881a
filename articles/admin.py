"""The editors' admin for the publication: authors, articles and their bylines."""

from django.contrib import admin
from django.db import models
from django.db.models import Count

from articles.models import Article, Author, Authorship
from articles.services import (
    ARTICLE_FIELDS,
    AUTHOR_FIELDS,
    AUTHORSHIP_FIELDS,
    article_children_from_history,
    article_create,
    article_update,
    author_create,
    author_update,
    authorship_create,
    authorship_rows_check,
    authorship_update,
)
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
    service_fields = AUTHOR_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("authorships"))

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, author) -> int:
        return author.article_total

    def record_create(self, request, *, data, related):
        return author_create(**data)

    def record_update(self, request, *, instance, data, related):
        return author_update(author=instance, data=data)


class BylineFormSet(RuleCheckedFormSet):
    rules_field = "authors"
    to_input = staticmethod(lambda cleaned_data: cleaned_data["author"])


class AuthorshipInline(admin.TabularInline):
    """The byline, in order: position 1 is the first author."""

    model = Authorship
    formset = BylineFormSet
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
    service_fields = ARTICLE_FIELDS
    service_inlines = {Authorship: "authors"}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).with_authors()

    @admin.display(description="title", ordering="title")
    def display_title(self, article) -> str:
        return str(article)

    @admin.display(description="byline")
    def byline(self, article) -> str:
        return ", ".join(authorship.author.name for authorship in article.authorships.all())

    def inline_input(self, name, cleaned_data):
        return (cleaned_data["position"], cleaned_data["author"])

    @staticmethod
    def _byline(related) -> list[Author] | None:
        if "authors" not in related:
            return None
        # Sorted by the position the editor gave; the service numbers them 1, 2, 3…
        return [author for _, author in sorted(related["authors"], key=lambda pair: pair[0])]

    def related_from_history(self, children):
        authors = article_children_from_history(children)["authors"]
        return {"authors": list(enumerate(authors, start=1))}

    def record_create(self, request, *, data, related):
        return article_create(**data, authors=self._byline(related) or ())

    def record_update(self, request, *, instance, data, related):
        return article_update(article=instance, data=data, authors=self._byline(related))


@admin.register(Authorship)
class AuthorshipAdmin(ServiceAdmin):
    """Bylines one by one; they are usually edited on their article."""

    list_display = ("article", "author", "position")
    list_select_related = ("article", "author")
    search_fields = ("article__title", "article__slug", "author__name")
    autocomplete_fields = ("article", "author")
    fields = ("article", "author", "position", *RECORD_FIELDS)
    service_fields = ("article", *AUTHORSHIP_FIELDS)

    def rows_check(self, cleaned_data, instance):
        article = cleaned_data.get("article") or instance.article
        authorship_rows_check(article=article, author=cleaned_data["author"], replacing=instance)

    def record_create(self, request, *, data, related):
        return authorship_create(**data)

    def record_update(self, request, *, instance, data, related):
        return authorship_update(authorship=instance, data=data)
