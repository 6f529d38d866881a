"""The editors' admin for what the articles report: actors, agreements, trade figures, and
the citations that tie each fact to its article."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Prefetch
from django.utils.html import format_html, format_html_join

from actors.models import (
    QUOTE_EMPTY,
    Actor,
    ActorAlias,
    ActorIdentifier,
    Agreement,
    AgreementParty,
    Citation,
    Mention,
    TradeFigure,
    format_partial_date,
    parse_partial_date,
)
from actors.resources import ActorResource, AgreementResource, TradeFigureResource
from articles.models import Article, find_quote
from core.admin import (
    RECORD_FIELDS,
    REVIEW_FIELDS,
    ReviewedAdmin,
    ReviewForm,
    RuleCheckedFormSet,
    ServiceAdmin,
    SpreadsheetMixin,
)

QUOTE_CONTEXT_CHARS = 160

# Actors ---------------------------------------------------------------------------------


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    fields = ("name",)
    extra = 1


class ActorIdentifierInline(admin.TabularInline):
    model = ActorIdentifier
    fields = ("scheme", "value")
    extra = 0


@admin.register(Actor)
class ActorAdmin(SpreadsheetMixin, ServiceAdmin):
    list_display = ("name", "kind", "iso_code", "alias_names", "slug", "updated_at")
    list_filter = ("kind",)
    # The search also matches aliases ("Washington" finds the United States): see
    # get_search_results. The autocomplete of every actor field uses it too.
    search_fields = ("name", "slug", "iso_code", "aliases__name")
    search_help_text = "Name, alias, slug or ISO code."
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ActorAliasInline, ActorIdentifierInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "iso_code", "description")}),
        ("Record", {"classes": ("collapse",), "fields": RECORD_FIELDS}),
    )
    resource_classes = [ActorResource]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        slugs = queryset.filter(slug__icontains=term).values("pk")
        return queryset.filter(pk__in=queryset.matching_name(term).values("pk")) | queryset.filter(
            pk__in=slugs
        ), False

    @admin.display(description="aliases")
    def alias_names(self, actor) -> str:
        return ", ".join(alias.name for alias in actor.aliases.all())


@admin.register(ActorAlias)
class ActorAliasAdmin(ServiceAdmin):
    """Aliases one by one; they are usually edited on their actor."""

    list_display = ("name", "actor", "updated_at")
    list_select_related = ("actor",)
    search_fields = ("name", "actor__name")
    autocomplete_fields = ("actor",)
    fields = ("actor", "name", *RECORD_FIELDS)


@admin.register(ActorIdentifier)
class ActorIdentifierAdmin(ServiceAdmin):
    list_display = ("actor", "scheme", "value", "updated_at")
    list_filter = ("scheme",)
    list_select_related = ("actor",)
    search_fields = ("value", "actor__name")
    autocomplete_fields = ("actor",)
    fields = ("actor", "scheme", "value", *RECORD_FIELDS)


@admin.register(Mention)
class MentionAdmin(ServiceAdmin):
    list_display = ("article", "actor", "updated_at")
    list_filter = ("actor__kind",)
    list_select_related = ("article", "actor")
    search_fields = ("article__title", "article__slug", "actor__name")
    autocomplete_fields = ("article", "actor")
    fields = ("article", "actor", *RECORD_FIELDS)


# Facts and their citations ----------------------------------------------------------------


class PartialDateFormField(forms.CharField):
    """A date as far as it is known, typed as the API and the sheets take it: 2025-04-17,
    2025-04 or 2025 (``parse_partial_date``)."""

    def to_python(self, value):
        return parse_partial_date(super().to_python(value))

    def prepare_value(self, value):
        return format_partial_date(*value) or "" if isinstance(value, tuple) else value

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class AgreementForm(ReviewForm):
    """The signing date is typed as one partial date and stored in its two columns."""

    signed = PartialDateFormField(
        required=False,
        help_text="When it was signed, as far as the source says: 2025-04-17 (a day), "
        "2025-04 (a month) or 2025 (a year). Blank when the source gives no date.",
    )

    class Meta:
        model = Agreement
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for public, model_fields in Agreement.partial_dates.items():
            stored = tuple(getattr(self.instance, name) for name in model_fields)
            self.initial.setdefault(public, format_partial_date(*stored) or "")

    def clean(self):
        cleaned_data = super().clean()
        for public, model_fields in Agreement.partial_dates.items():
            if public not in cleaned_data:
                continue
            for name, value in zip(model_fields, cleaned_data[public], strict=True):
                cleaned_data[name] = value
                setattr(self.instance, name, value)
            # The date's own columns are not fields of this form, so Django leaves their
            # rules out of its checks: the form asks them, and shows them on the date.
            for constraint in Agreement._meta.constraints:
                if getattr(constraint, "field", None) not in model_fields:
                    continue
                try:
                    constraint.validate(Agreement, self.instance, using=DEFAULT_DB_ALIAS)
                except ValidationError as error:
                    self.add_error(public, error.messages)
        return cleaned_data


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    formset = RuleCheckedFormSet
    fields = ("actor", "role")
    autocomplete_fields = ("actor",)

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 0


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ("article", "quote")
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "cols": 80})}
        # The rule book's words for an empty quote (citation_quote_not_empty).
        error_messages = {"quote": {"required": QUOTE_EMPTY}}


class CitationInline(admin.StackedInline):
    """The article and the verbatim passage that state the fact."""

    model = Citation
    form = CitationForm
    formset = RuleCheckedFormSet
    fields = ("article", "quote", "char_start", "char_end")
    readonly_fields = ("char_start", "char_end")
    autocomplete_fields = ("article",)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0


class AgreementCitationInline(CitationInline):
    fk_name = "agreement"


class TradeFigureCitationInline(CitationInline):
    fk_name = "trade_figure"


@admin.register(Agreement)
class AgreementAdmin(SpreadsheetMixin, ReviewedAdmin):
    list_display = (
        "title",
        "kind",
        "status",
        "signed",
        "party_names",
        "citation_count",
        "review_status",
        "updated_at",
    )
    list_filter = ("review_status", "kind", "status", "signed_precision")
    search_fields = ("title", "summary", "parties__actor__name")
    date_hierarchy = "signed_on"
    inlines = [AgreementPartyInline, AgreementCitationInline]
    fieldsets = (
        (None, {"fields": ("title", "kind", "status", "summary", "instrument_count")}),
        ("Signing date", {"fields": ("signed", "signed_on", "signed_on_latest")}),
        ("Review", {"fields": REVIEW_FIELDS}),
        ("Record", {"classes": ("collapse",), "fields": ("id", *RECORD_FIELDS)}),
    )
    form = AgreementForm
    readonly_fields = ("id", "signed_on", "signed_on_latest")
    resource_classes = [AgreementResource]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("parties", queryset=AgreementParty.objects.select_related("actor"))
            )
            .annotate(citation_total=Count("citations", distinct=True))
        )

    @admin.display(description="signed", ordering="signed_on")
    def signed(self, agreement) -> str:
        return agreement.signed_display or "—"

    @admin.display(description="parties")
    def party_names(self, agreement) -> str:
        return ", ".join(party.actor.name for party in agreement.parties.all())

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, agreement) -> int:
        return agreement.citation_total


@admin.register(TradeFigure)
class TradeFigureAdmin(SpreadsheetMixin, ReviewedAdmin):
    list_display = (
        "reporter",
        "flow",
        "partner",
        "commodity",
        "year",
        "amount",
        "review_status",
        "updated_at",
    )
    list_display_links = ("reporter", "flow")
    list_filter = ("review_status", "flow", "year", "qualifier", "currency")
    list_select_related = ("reporter", "partner")
    search_fields = ("reporter__name", "partner__name", "commodity", "note")
    autocomplete_fields = ("reporter", "partner")
    inlines = [TradeFigureCitationInline]
    fieldsets = (
        (None, {"fields": ("reporter", "partner", "flow", "commodity", "year")}),
        ("Value", {"fields": ("qualifier", "value", "currency", "note")}),
        ("Review", {"fields": REVIEW_FIELDS}),
        ("Record", {"classes": ("collapse",), "fields": ("id", *RECORD_FIELDS)}),
    )
    readonly_fields = ("id",)
    resource_classes = [TradeFigureResource]

    @admin.display(description="value", ordering="value")
    def amount(self, figure) -> str:
        qualifier = figure.get_qualifier_display().split(" (")[0]
        prefix = "" if figure.qualifier == "exact" else f"{qualifier.lower()} "
        return f"{prefix}{figure.value:,.0f} {figure.currency}"


class FactKindFilter(admin.SimpleListFilter):
    title = "fact"
    parameter_name = "fact"

    def lookups(self, request, model_admin):
        return (("agreement", "Agreements"), ("trade_figure", "Trade figures"))

    def queryset(self, request, queryset):
        if self.value() in {"agreement", "trade_figure"}:
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(AgreementParty)
class AgreementPartyAdmin(ServiceAdmin):
    """Parties one by one. They are removed on their agreement's page, where the rule of at
    least two parties is checked."""

    list_display = ("actor", "role", "agreement")
    list_filter = ("role",)
    list_select_related = ("actor", "agreement")
    search_fields = ("actor__name", "agreement__title")
    autocomplete_fields = ("agreement", "actor")
    fields = ("agreement", "actor", "role", *RECORD_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "agreement"] if obj is not None else fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _fact_link(citation):
    fact = citation.fact
    if fact is None:
        return "—"
    opts = fact._meta
    from django.urls import reverse

    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[fact.pk])
    return format_html('{}: <a href="{}">{}</a>', opts.verbose_name.capitalize(), url, fact)


def quote_in_context(citation, text: str):
    """The quote highlighted where it stands in the article's text, or a warning when the
    text no longer holds it there."""
    span = find_quote(text, citation.quote)
    if span is None:
        return format_html(
            '<strong class="errornote">This passage no longer occurs in the article’s text:'
            "</strong> {}",
            citation.quote,
        )
    start, end = span
    before = text[max(0, start - QUOTE_CONTEXT_CHARS) : start]
    after = text[end : end + QUOTE_CONTEXT_CHARS]
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if start > QUOTE_CONTEXT_CHARS else "",
        before,
        text[start:end],
        after,
        "…" if end + QUOTE_CONTEXT_CHARS < len(text) else "",
    )


@admin.register(Citation)
class CitationAdmin(ServiceAdmin):
    """Citations one by one. They are removed on their fact's page, where the rule of at
    least one citation per fact is checked."""

    list_display = ("short_quote", "article", "cited_fact", "char_start", "char_end")
    list_filter = (FactKindFilter,)
    list_select_related = (
        "article",
        "agreement",
        "trade_figure__reporter",
        "trade_figure__partner",
    )
    search_fields = ("quote", "article__title", "article__slug")
    autocomplete_fields = ("article", "agreement", "trade_figure")
    fields = (
        "article",
        "agreement",
        "trade_figure",
        "quote",
        "in_context",
        "char_start",
        "char_end",
        *RECORD_FIELDS,
    )
    readonly_fields = ("char_start", "char_end", "in_context")
    form = CitationForm

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "agreement", "trade_figure"] if obj is not None else fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, citation) -> str:
        return citation.quote if len(citation.quote) <= 90 else f"{citation.quote[:87]}…"

    @admin.display(description="fact")
    def cited_fact(self, citation):
        return _fact_link(citation)

    @admin.display(description="in the article")
    def in_context(self, citation):
        if citation.pk is None or citation.article_id is None:
            return "—"
        return quote_in_context(citation, citation.article.text)


# The article's page, with the facts that cite it ------------------------------------------


class CitingFactsInline(admin.TabularInline):
    """The agreements and trade figures that cite this article, each quote shown where it
    stands in the text, for an editor to check. Edited on the fact's own page."""

    model = Citation
    fk_name = "article"
    verbose_name = "fact citing this article"
    verbose_name_plural = "facts citing this article"
    fields = ("cited_fact", "in_context")
    readonly_fields = ("cited_fact", "in_context")
    can_delete = False
    extra = 0
    max_num = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "article", "agreement", "trade_figure__reporter", "trade_figure__partner"
            )
        )

    @admin.display(description="fact")
    def cited_fact(self, citation):
        return _fact_link(citation)

    @admin.display(description="quote, in the article's text")
    def in_context(self, citation):
        return quote_in_context(citation, citation.article.text)


@admin.display(description="text, cited passages marked")
def cited_text(article):
    if article.pk is None:
        return "—"
    text = article.text
    spans = sorted(
        span
        for span in (
            find_quote(text, quote) for quote in article.citations.values_list("quote", flat=True)
        )
        if span is not None
    )
    pieces, position = [], 0
    for start, end in spans:
        start = max(start, position)
        if end <= start:
            continue
        pieces.append((text[position:start], text[start:end]))
        position = end
    return format_html(
        '<div style="white-space: pre-wrap; max-width: 60em">{}{}</div>',
        format_html_join("", "{}<mark>{}</mark>", pieces),
        text[position:],
    )


# The articles app knows nothing of the facts that cite its articles: their section is
# added to its admin here.
admin.site.get_model_admin(Article).contribute(
    inline=CitingFactsInline,
    fieldset=("Cited passages", {"classes": ("collapse",), "fields": (cited_text,)}),
    position=2,
)
