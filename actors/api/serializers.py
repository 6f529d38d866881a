"""How actors, agreements and trade figures read and are written in the public API.

A record carries what it refers to as compact references (an actor's slug, name, kind and
ISO code; an article's slug, title and date) and its citations in full, so one request
reads a fact and its sources.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, F, Q, TextField, Value, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import (
    PARTIAL_DATE_PATTERN,
    QUOTE_EMPTY,
    Actor,
    ActorAlias,
    Agreement,
    AgreementParty,
    Citation,
    DatePrecision,
    TradeFigure,
    format_partial_date,
    parse_partial_date,
)
from actors.services import ACTOR_FIELDS, AGREEMENT_FIELDS, TRADE_FIGURE_FIELDS
from articles.api.serializers import ArticleReferenceSerializer
from articles.models import Article
from core.rest.csv_sql import ToChar
from core.rest.serializers import ModelWriteSerializer

# What every record reads with, after its own fields (the review status and note come
# with the services' fields, unless those leave them to the review workflow).
RECORD_FIELDS = ["created_at", "updated_at"]
REVIEWED_RECORD_FIELDS = ["review_status", "review_note", "verified_at", *RECORD_FIELDS]


def unique(names) -> list[str]:
    return list(dict.fromkeys(names))


def own(names) -> list[str]:
    """A service's fields but those every reviewed record reads with."""
    return [name for name in names if name not in REVIEWED_RECORD_FIELDS]


def read_fields(model, names) -> list[str]:
    """``names`` (a service's fields) as a record reads: each partial date under its
    public name ("signed"), then its precision and the first and last day it stands for
    ("signed_earliest", "signed_latest"), instead of its two columns."""
    dates = {
        date: (public, precision) for public, (date, precision) in model.partial_dates.items()
    }
    precisions = {precision for _, precision in dates.values()}
    fields = []
    for name in names:
        if name in dates:
            public, precision = dates[name]
            fields += [public, precision, f"{public}_earliest", f"{public}_latest"]
        elif name not in precisions:
            fields.append(name)
    return fields


# Reading ------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": PARTIAL_DATE_PATTERN, "example": "2025-04"}
)
class PartialDateField(serializers.Field):
    """A date known to the day, the month or the year: 2025-04-17, 2025-04 or 2025 (read
    by ``parse_partial_date``), written to the model's date and precision columns."""

    def __init__(self, *, model_fields: tuple[str, str], **kwargs):
        self.model_fields = model_fields
        super().__init__(source="*", **kwargs)

    def validate_empty_values(self, data):
        if data is None or data == "":
            return True, dict(zip(self.model_fields, (None, ""), strict=True))
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> dict:
        if not isinstance(data, str):
            raise serializers.ValidationError(
                "Give the date as a string: 2025-04-17, 2025-04 or 2025."
            )
        try:
            value, precision = parse_partial_date(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return dict(zip(self.model_fields, (value, precision), strict=True))

    def to_representation(self, instance):
        return format_partial_date(*(getattr(instance, name) for name in self.model_fields))


# How PostgreSQL's to_char writes a date at each precision, as format_partial_date does.
PARTIAL_DATE_SQL_FORMS = {
    DatePrecision.DAY: "YYYY-MM-DD",
    DatePrecision.MONTH: "YYYY-MM",
    DatePrecision.YEAR: "YYYY",
}


@extend_schema_field(OpenApiTypes.STR)
class PartialDateReadField(PartialDateField):
    """A partial date as a record reads it (2025-04-17, 2025-04 or 2025; null when
    unknown), from the model's date and precision columns."""

    def sql_text(self, prefix: str):
        """The same text, written by PostgreSQL (the CSV export: core.rest.csv_sql)."""
        date, precision = (F(prefix + name) for name in self.model_fields)
        return Case(
            *(
                When(Q(**{prefix + self.model_fields[1]: value}), then=ToChar(date, Value(form)))
                for value, form in PARTIAL_DATE_SQL_FORMS.items()
            ),
            default=None,
            output_field=TextField(),
        )


class ActorReferenceSerializer(serializers.ModelSerializer):
    """An actor named inside another record."""

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "iso_code"]


class CitationSerializer(serializers.ModelSerializer):
    """The article and the verbatim passage in it that state the fact."""

    article = ArticleReferenceSerializer()
    char_start = serializers.IntegerField(
        help_text="Offset of the quote's first character in the article's text: its lede, "
        "a blank line, then its body."
    )
    char_end = serializers.IntegerField(help_text="Offset just past the quote's last character.")

    class Meta:
        model = Citation
        fields = ["article", "quote", "char_start", "char_end"]


class IdentifierSerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text="wikidata, iso3166-1-alpha3, website…")
    value = serializers.CharField()


class ActorSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="actors-detail", lookup_field="slug")
    aliases = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        read_only=True,
        help_text="Other names the texts use for the actor.",
    )
    identifiers = IdentifierSerializer(
        many=True, help_text="The actor's identifiers in external schemes."
    )

    class Meta:
        model = Actor
        fields = ["url", *ACTOR_FIELDS, "aliases", "identifiers", *RECORD_FIELDS]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    actor = ActorReferenceSerializer()

    class Meta:
        model = AgreementParty
        fields = ["actor", "role"]


class AgreementSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agreements-detail")
    signed = PartialDateReadField(
        model_fields=Agreement.partial_dates["signed"],
        allow_null=True,
        help_text="When it was signed, to the precision the source gives: 2025-04-17 (a "
        "day), 2025-04 (a month) or 2025 (a year); null when the source gives no date.",
    )
    signed_earliest = serializers.DateField(
        source="signed_on",
        allow_null=True,
        help_text="The first day the signing date can stand for (2025-04-01 for 2025-04).",
    )
    signed_latest = serializers.DateField(
        source="signed_on_latest",
        allow_null=True,
        help_text="The last day the signing date can stand for (2025-04-30 for 2025-04).",
    )
    parties = PartySerializer(many=True)
    citations = CitationSerializer(many=True)

    class Meta:
        model = Agreement
        fields = unique(
            [
                "url",
                "id",
                *read_fields(Agreement, own(AGREEMENT_FIELDS)),
                "parties",
                "citations",
                *REVIEWED_RECORD_FIELDS,
            ]
        )
        read_only_fields = fields


class TradeFigureSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="trade-figures-detail")
    reporter = ActorReferenceSerializer(
        help_text="The side whose flow this is: the exporter of an export, the importer of "
        "an import, either side of a total."
    )
    partner = ActorReferenceSerializer(help_text="The other side of the flow.")
    citations = CitationSerializer(many=True)

    class Meta:
        model = TradeFigure
        fields = unique(
            ["url", "id", *own(TRADE_FIGURE_FIELDS), "citations", *REVIEWED_RECORD_FIELDS]
        )
        read_only_fields = fields


# Writing ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class ActorReferenceField(serializers.Field):
    """An actor by slug, ISO 3166-1 alpha-2 code ("KZ"), name or alias
    (``Actor.objects.by_reference``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Give the actor's slug or ISO code as a string.")
        try:
            return Actor.objects.by_reference(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value):
        return value.slug


class PartyWriteSerializer(serializers.ModelSerializer):
    actor = ActorReferenceField(help_text="The actor's slug, ISO code, name or alias.")

    class Meta:
        model = AgreementParty
        fields = ["actor", "role"]


class CitationWriteSerializer(serializers.ModelSerializer):
    article = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Article.objects.all(),
        help_text="The cited article's slug.",
    )

    class Meta:
        model = Citation
        fields = ["article", "quote"]
        # Whether the quote occurs in the article is the services' rule (citations_check).
        validators = []
        # The rule book's words for an empty quote (citation_quote_not_empty).
        extra_kwargs = {"quote": {"error_messages": {"blank": QUOTE_EMPTY}}}


class AgreementWriteSerializer(ModelWriteSerializer):
    signed = PartialDateField(
        model_fields=Agreement.partial_dates["signed"],
        required=False,
        help_text="When it was signed, as far as the source says: 2025-04-17, 2025-04 or "
        "2025; null when it gives no date.",
    )
    parties = PartyWriteSerializer(
        many=True, help_text="At least two actors, each once, with their role."
    )
    citations = CitationWriteSerializer(
        many=True, help_text="At least one article and the passage in it that states this."
    )

    class Meta:
        model = Agreement
        fields = [*AGREEMENT_FIELDS, "parties", "citations", "review_status"]


class TradeFigureWriteSerializer(ModelWriteSerializer):
    reporter = ActorReferenceField(help_text="The reporter's slug, ISO code, name or alias.")
    partner = ActorReferenceField(help_text="The partner's slug, ISO code, name or alias.")
    citations = CitationWriteSerializer(
        many=True, help_text="At least one article and the passage in it that states this."
    )

    class Meta:
        model = TradeFigure
        fields = [*TRADE_FIGURE_FIELDS, "citations", "review_status"]


class ActorWriteSerializer(ModelWriteSerializer):
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=ActorAlias._meta.get_field("name").max_length),
        required=False,
        help_text="Other names the texts use; replaces the current list when given.",
    )

    class Meta:
        model = Actor
        fields = [*ACTOR_FIELDS, "aliases"]
