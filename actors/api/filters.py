"""The filters of the actors, agreements and trade-figures lists.

Actors are named as everywhere (``Actor.objects.by_reference``): by slug, by ISO 3166-1
alpha-2 code for a country, or by name or alias (``kazakhstan``, ``KZ``, ``Kazakhstan``); a
reference that matches no actor, or several, is a 400, never an empty list.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from actors.models import (
    Actor,
    ActorKind,
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Citation,
    Mention,
    Qualifier,
    TradeFigure,
    TradeFlow,
)
from articles.models import Article
from core.rest.filters import (
    BoundedIntegerFilter,
    DatasetFilterSet,
    DatasetOrderingFilter,
    ReviewedFilterSet,
    SlugFilter,
)

MAX_TRADE_SIDES = 2


def actor_by_reference(reference: str) -> Actor:
    return actors_by_reference([reference])[0]


def actors_by_reference(references: list[str]) -> list[Actor]:
    """The actors ``references`` name, found in one query."""
    try:
        return Actor.objects.by_references(references)
    except forms.ValidationError as error:
        # django-filter formats the message with its params: a "%" the client typed is
        # passed as a parameter, never formatted in.
        raise forms.ValidationError("%(message)s", params={"message": error.message}) from None


class ActorReferenceFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        return actor_by_reference(value)


class RepeatableInput(forms.TextInput):
    """A query parameter that may be given several times: ``?party=a&party=b``."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class ActorReferencesFormField(forms.Field):
    widget = RepeatableInput

    def __init__(self, *args, max_count: int | None = None, **kwargs):
        self.max_count = max_count
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list) else [value] if value else []
        if self.max_count is not None and len(values) > self.max_count:
            raise forms.ValidationError(f"Give at most {self.max_count}.")
        if not values:
            return []
        return list(dict.fromkeys(actors_by_reference(values)))


@extend_schema_field(OpenApiTypes.STR)
class ActorFilter(django_filters.Filter):
    """An actor by slug, ISO code, name or alias."""

    field_class = ActorReferenceFormField


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ActorsFilter(django_filters.Filter):
    """Actors by slug, ISO code, name or alias, the parameter repeated for each."""

    field_class = ActorReferencesFormField


ARTICLE_HELP = (
    "cite this article (article slug). An unknown slug is a 400, and so is an article "
    "under review for anyone who may not see it."
)


class ActorListFilter(DatasetFilterSet):
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices, help_text="Actors of this kind.")
    iso_code = django_filters.CharFilter(
        field_name="iso_code",
        lookup_expr="iexact",
        max_length=2,
        help_text="The country with this ISO 3166-1 alpha-2 code (any case).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Actors whose name or one of whose aliases contains this text, ignoring "
        'case, or whose ISO code it is: "kaz" finds Kazakhstan, "U.S." the United States.',
    )
    mentioned_in = SlugFilter(
        queryset=Article.objects.all(),
        method="filter_mentioned_in",
        help_text="Actors that this article discusses (article slug). An unknown slug is a 400, "
        "and so is an article under review for anyone who may not see it.",
    )

    ordering = DatasetOrderingFilter(
        fields=("name", "slug", "kind", "iso_code", "created_at", "updated_at"),
        default=("name",),
    )

    class Meta:
        model = Actor
        fields = ["kind", "iso_code", "q", "mentioned_in", "updated_since"]

    def filter_q(self, queryset, name, value):
        return queryset.matching_name(value.strip()) if value.strip() else queryset

    def filter_mentioned_in(self, queryset, name, article):
        return queryset.filter(
            Exists(Mention.objects.filter(actor=OuterRef("pk"), article=article))
        )


class AgreementFilter(ReviewedFilterSet):
    party = ActorsFilter(
        method="filter_party",
        help_text="Agreements to which this actor is a party (slug, ISO code, name or "
        "alias). Repeat the parameter to require several: "
        "`party=azerbaijan&party=turkey` gives the agreements to which both are parties.",
    )
    kind = django_filters.ChoiceFilter(
        choices=AgreementKind.choices, help_text="Agreements of this kind."
    )
    status = django_filters.ChoiceFilter(
        choices=AgreementStatus.choices,
        help_text="Where the agreement itself stands (not its editorial review).",
    )
    signed_after = django_filters.DateFilter(
        field_name="signed_on",
        lookup_expr="gte",
        help_text="Agreements known to have been signed on or after this date (YYYY-MM-DD): "
        "the whole period the source's date can stand for lies on or after it. An "
        "agreement signed in 2024 (a year) matches signed_after=2024-01-01 but not "
        "signed_after=2024-06-01, since it may have been signed before June; widen the "
        "bound to the start of the period to include it. Agreements without a date are "
        "left out.",
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_on_latest",
        lookup_expr="lte",
        help_text="Agreements known to have been signed on or before this date "
        "(YYYY-MM-DD): the whole period the source's date can stand for lies on or before "
        "it. An agreement signed in 2025-04 (a month) matches signed_before=2025-04-30 but "
        "not signed_before=2025-04-15. Agreements without a date are left out.",
    )
    article = SlugFilter(
        queryset=Article.objects.all(),
        method="filter_article",
        help_text=f"Agreements whose citations {ARTICLE_HELP}",
    )

    ordering = DatasetOrderingFilter(
        fields=(("signed_on", "signed"), "title", "created_at", "updated_at"),
        default=("-signed", "title"),
    )

    class Meta:
        model = Agreement
        fields = [
            "party",
            "kind",
            "status",
            "signed_after",
            "signed_before",
            "article",
            "review_status",
            "updated_since",
        ]

    def filter_party(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.filter(
                Exists(AgreementParty.objects.filter(agreement=OuterRef("pk"), actor=actor))
            )
        return queryset

    def filter_article(self, queryset, name, article):
        return queryset.filter(
            Exists(Citation.objects.filter(agreement=OuterRef("pk"), article=article))
        )


class TradeFigureFilter(ReviewedFilterSet):
    reporter = ActorFilter(
        field_name="reporter",
        help_text="Figures this actor reports (slug, ISO code, name or alias): the exporter "
        "of an export, the importer of an import, the first side of a total.",
    )
    partner = ActorFilter(
        field_name="partner",
        help_text="Figures with this actor as the partner (slug, ISO code, name or alias).",
    )
    actor = ActorsFilter(
        method="filter_actor",
        max_count=MAX_TRADE_SIDES,
        help_text="Figures with this actor on either side (slug, ISO code, name or alias). "
        "Give it twice for the trade between two actors in both directions, whoever "
        "reports it: `actor=mongolia&actor=kazakhstan`. At most two.",
    )
    flow = django_filters.ChoiceFilter(choices=TradeFlow.choices, help_text="The direction.")
    commodity = django_filters.CharFilter(
        field_name="commodity",
        lookup_expr="icontains",
        help_text="Figures whose goods contain this text, ignoring case (`oil`).",
    )
    year = BoundedIntegerFilter(
        field_name="year",
        min_value=1,
        max_value=9999,
        help_text="Figures for this year. Figures without a year are left out.",
    )
    year_min = BoundedIntegerFilter(
        field_name="year",
        lookup_expr="gte",
        min_value=1,
        max_value=9999,
        help_text="Figures for this year or later. Figures without a year are left out.",
    )
    year_max = BoundedIntegerFilter(
        field_name="year",
        lookup_expr="lte",
        min_value=1,
        max_value=9999,
        help_text="Figures for this year or earlier. Figures without a year are left out.",
    )
    value_min = django_filters.NumberFilter(
        field_name="value",
        lookup_expr="gte",
        max_digits=20,
        decimal_places=2,
        help_text="Figures of at least this value, in currency units.",
    )
    value_max = django_filters.NumberFilter(
        field_name="value",
        lookup_expr="lte",
        max_digits=20,
        decimal_places=2,
        help_text="Figures of at most this value, in currency units.",
    )
    qualifier = django_filters.ChoiceFilter(
        choices=Qualifier.choices, help_text="How exact the source says the value is."
    )
    article = SlugFilter(
        queryset=Article.objects.all(),
        method="filter_article",
        help_text=f"Figures whose citations {ARTICLE_HELP}",
    )

    ordering = DatasetOrderingFilter(
        fields=(
            "year",
            "value",
            ("reporter__name", "reporter"),
            ("partner__name", "partner"),
            "flow",
            "created_at",
            "updated_at",
        ),
        default=("reporter", "partner", "year", "flow"),
    )

    class Meta:
        model = TradeFigure
        fields = [
            "reporter",
            "partner",
            "actor",
            "flow",
            "commodity",
            "year",
            "year_min",
            "year_max",
            "value_min",
            "value_max",
            "qualifier",
            "article",
            "review_status",
            "updated_since",
        ]

    def filter_actor(self, queryset, name, actors):
        for actor in actors:
            queryset = queryset.filter(Q(reporter=actor) | Q(partner=actor))
        return queryset

    def filter_article(self, queryset, name, article):
        return queryset.filter(
            Exists(Citation.objects.filter(trade_figure=OuterRef("pk"), article=article))
        )
