"""How actors, agreements and trade figures read and are written in the public API.

A record carries what it refers to as compact references (an actor's slug, name, kind and
ISO code; an article's slug, title and date) and its citations in full, so one request
reads a fact and its sources.
"""

import re
from datetime import date

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import (
    Actor,
    ActorKind,
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Citation,
    DatePrecision,
    PartyRole,
    Qualifier,
    TradeFigure,
    TradeFlow,
)
from articles.api.serializers import ArticleReferenceSerializer
from articles.models import Article
from core.editorial import ReviewStatus

ISO_CODE = re.compile(r"^[A-Za-z]{2}$")
SLUG_OR_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


def actor_by_reference(reference: str) -> Actor | None:
    """The actor a client names by slug or, for a country, by ISO 3166-1 alpha-2 code."""
    reference = reference.strip()
    if not SLUG_OR_CODE.match(reference):
        return None
    condition = Q(slug=reference)
    if ISO_CODE.match(reference):
        condition |= Q(iso_code=reference.upper())
    # A slug and another actor's code may coincide ("ge"): the slug wins.
    found = sorted(Actor.objects.filter(condition)[:2], key=lambda actor: actor.slug != reference)
    return found[0] if found else None


# Reading ------------------------------------------------------------------------------


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
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "iso_code",
            "description",
            "aliases",
            "identifiers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    actor = ActorReferenceSerializer()

    class Meta:
        model = AgreementParty
        fields = ["actor", "role"]


class AgreementSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="agreements-detail")
    signed = serializers.CharField(
        source="signed_display",
        allow_null=True,
        help_text="When it was signed, to the precision the source gives: 2025-04-17 (a "
        "day), 2025-04 (a month) or 2025 (a year); null when the source gives no date.",
    )
    signed_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        allow_blank=True,
        help_text="How much of the signing date is known: day, month or year; empty when unknown.",
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
        fields = [
            "url",
            "id",
            "title",
            "kind",
            "status",
            "signed",
            "signed_precision",
            "signed_earliest",
            "signed_latest",
            "instrument_count",
            "summary",
            "parties",
            "citations",
            "review_status",
            "review_note",
            "verified_at",
            "created_at",
            "updated_at",
        ]
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
        fields = [
            "url",
            "id",
            "reporter",
            "partner",
            "flow",
            "commodity",
            "year",
            "value",
            "currency",
            "qualifier",
            "note",
            "citations",
            "review_status",
            "review_note",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Writing ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class ActorReferenceField(serializers.Field):
    """An actor given by slug, or by ISO 3166-1 alpha-2 code for a country ("KZ")."""

    default_error_messages = {"unknown": "No actor has the slug or ISO code “{value}”."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Give the actor's slug or ISO code as a string.")
        actor = actor_by_reference(data)
        if actor is None:
            self.fail("unknown", value=data)
        return actor

    def to_representation(self, value):
        return value.slug


class PartyWriteSerializer(serializers.Serializer):
    actor = ActorReferenceField(help_text="The actor's slug, or a country's ISO code.")
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.SIGNATORY)


class CitationWriteSerializer(serializers.Serializer):
    article = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Article.objects.all(),
        help_text="The cited article's slug.",
    )
    quote = serializers.CharField(
        help_text="The passage, verbatim, as it occurs in the article's text (runs of "
        "whitespace count as one space)."
    )


PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
        "example": "2025-04",
    }
)
class PartialDateField(serializers.Field):
    """A date known to the day, the month or the year: 2025-04-17, 2025-04 or 2025."""

    default_error_messages = {
        "invalid": "Give the date as YYYY-MM-DD, YYYY-MM or YYYY, as far as it is known."
    }

    def to_internal_value(self, data) -> tuple[date | None, str]:
        if data is None or data == "":
            return None, ""
        match = PARTIAL_DATE.match(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        year, month, day = (int(part) if part else None for part in match.groups())
        precision = (
            DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
        )
        try:
            return date(year, month or 1, day or 1), precision
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return value


class AgreementWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=AgreementKind.choices)
    status = serializers.ChoiceField(choices=AgreementStatus.choices, required=False)
    signed = PartialDateField(
        required=False,
        allow_null=True,
        help_text="When it was signed, as far as the source says: 2025-04-17, 2025-04 or "
        "2025; null when it gives no date.",
    )
    instrument_count = serializers.IntegerField(
        allow_null=True, required=False, min_value=0, max_value=2_147_483_647
    )
    summary = serializers.CharField(allow_blank=True, required=False)
    parties = PartyWriteSerializer(
        many=True, help_text="At least two actors, each once, with their role."
    )
    citations = CitationWriteSerializer(
        many=True, help_text="At least one article and the passage in it that states this."
    )
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    review_note = serializers.CharField(allow_blank=True, required=False)


class TradeFigureWriteSerializer(serializers.Serializer):
    reporter = ActorReferenceField(help_text="The reporter's slug, or a country's ISO code.")
    partner = ActorReferenceField(help_text="The partner's slug, or a country's ISO code.")
    flow = serializers.ChoiceField(choices=TradeFlow.choices)
    commodity = serializers.CharField(allow_blank=True, required=False, max_length=200)
    year = serializers.IntegerField(allow_null=True, required=False, min_value=0, max_value=32767)
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text="The amount in currency units (3.74 billion is 3740000000).",
    )
    currency = serializers.CharField(required=False, max_length=3)
    qualifier = serializers.ChoiceField(choices=Qualifier.choices, required=False)
    note = serializers.CharField(allow_blank=True, required=False)
    citations = CitationWriteSerializer(
        many=True, help_text="At least one article and the passage in it that states this."
    )
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    review_note = serializers.CharField(allow_blank=True, required=False)


class ActorWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200)
    kind = serializers.ChoiceField(choices=ActorKind.choices)
    iso_code = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        required=False,
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code: required for a country, empty for any other kind.",
    )
    description = serializers.CharField(allow_blank=True, required=False)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Other names the texts use; replaces the current list when given.",
    )
