"""The knowledge drawn from the articles: actors, agreements, trade figures, citations.

Every agreement and trade figure cites the article, and the verbatim passage, it comes
from: a fact without a source is not in the dataset.
"""

import calendar
import functools
import operator
import re
import uuid
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from articles.models import PLAUSIBLE_DAYS, PLAUSIBLE_YEARS, Article
from core.editorial import CuratedModel, PublicationQuerySet, ReviewedModel, ReviewStatus
from core.history import AggregateHistory, RecordHistory
from core.rules import FieldCheckConstraint, FieldUniqueConstraint

QUOTE_EMPTY = "A quote is a passage of the article: it cannot be empty."
ISO_CODE_TEXT = re.compile(r"^[A-Za-z]{2}$")
# How many actors sharing a name a refusal lists.
MAX_NAMESAKES = 10


class ActorKind(models.TextChoices):
    COUNTRY = "country", "Country"
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    COMPANY = "company", "Company"
    INITIATIVE = "initiative", "Initiative or corridor"
    OTHER = "other", "Other"


def _reference_condition(text: str) -> models.Q:
    condition = (
        models.Q(slug=text)
        | models.Q(name__iexact=text)
        | models.Q(pk__in=ActorAlias.objects.filter(name__iexact=text).values("actor_id"))
    )
    if ISO_CODE_TEXT.match(text):
        condition |= models.Q(iso_code=text.upper())
    return condition


def _named(text: str, found: list["Actor"]) -> "Actor":
    """The actor that ``text`` names among the ``found`` ones it may name."""
    for rank in (
        lambda actor: actor.slug == text,
        lambda actor: actor.iso_code is not None and actor.iso_code == text.upper(),
    ):
        matches = [actor for actor in found if rank(actor)]
        if matches:
            return matches[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(f"No actor has the slug, ISO code, name or alias “{text}”.")
    slugs = ", ".join(sorted(actor.slug for actor in found))
    raise ValidationError(f"“{text}” names several actors ({slugs}): give the slug.")


class ActorQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Actor":
        return self.get(slug=slug)

    def with_relations(self) -> "ActorQuerySet":
        return self.prefetch_related("aliases", "identifiers")

    def by_reference(self, reference: str) -> "Actor":
        """The actor a person names: by its slug, by its ISO 3166-1 alpha-2 code (a
        country, any case), or by its name or one of its aliases (any case).

        A slug wins over another actor's code ("ge"), and a code over a name. A name or
        alias that several actors share is refused rather than guessed. Raises
        ``ValidationError`` with a message that names the reference.
        """
        return self.by_references([reference])[0]

    def by_references(self, references: Sequence[str]) -> list["Actor"]:
        """The actor each of ``references`` names (see ``by_reference``), found in one
        query. Raises the ``ValidationError`` of the first reference that names none, or
        several."""
        texts = [
            reference.strip() if isinstance(reference, str) else "" for reference in references
        ]
        if not all(texts):
            raise ValidationError("Name the actor: its slug, ISO code, name or alias.")
        conditions = {
            f"_names_{index}": _reference_condition(text) for index, text in enumerate(texts)
        }
        candidates = list(
            self.filter(functools.reduce(operator.or_, conditions.values())).annotate(
                **{
                    name: models.ExpressionWrapper(condition, output_field=models.BooleanField())
                    for name, condition in conditions.items()
                }
            )[: MAX_NAMESAKES * len(texts)]
        )
        return [
            _named(text, [actor for actor in candidates if getattr(actor, name)][:MAX_NAMESAKES])
            for text, name in zip(texts, conditions, strict=True)
        ]

    def most_written_about(self) -> "ActorQuerySet":
        """Actors by how many published articles discuss them, most first, each with that
        count as ``article_count``; actors no published article discusses are left out."""
        return (
            self.annotate(
                article_count=models.Count(
                    "mentions",
                    filter=models.Q(mentions__article__review_status=ReviewStatus.PUBLISHED),
                )
            )
            .filter(article_count__gt=0)
            .order_by("-article_count", "name")
        )

    def matching_name(self, text: str) -> "ActorQuerySet":
        """Actors whose name or one of whose aliases contains ``text``, ignoring case."""
        alias_matches = ActorAlias.objects.filter(name__icontains=text).values("actor_id")
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(pk__in=alias_matches)
            | models.Q(iso_code__iexact=text)
        )


class Actor(CuratedModel):
    """Anyone or anything the articles discuss as acting: a country, person, organization,
    company, or an initiative such as a transport corridor."""

    name = models.CharField(max_length=200, help_text="The usual English name.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Stable identifier in URLs and fixtures."
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices, db_index=True)
    # NULL, not "", for no code: the API and the sheets have always said null.
    iso_code = models.CharField(  # noqa: DJ001
        "ISO code",
        max_length=2,
        null=True,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code, two upper-case letters: required for a country, "
        "empty for every other kind, and no two countries share one.",
    )
    description = models.TextField(
        blank=True, help_text="Who or what this is, in a sentence or two."
    )
    articles = models.ManyToManyField(
        Article, through="Mention", related_name="mentioned_actors", blank=True
    )

    objects = ActorQuerySet.as_manager()
    history = AggregateHistory(children={"aliases": ("name",), "identifiers": ("scheme", "value")})
    upper_case_fields = ("iso_code",)

    class Meta:
        ordering = ["name"]
        constraints = [
            FieldCheckConstraint(
                condition=~models.Q(kind=ActorKind.COUNTRY) | models.Q(iso_code__isnull=False),
                name="actor_country_has_iso_code",
                field="iso_code",
                violation_error_message="A country needs its ISO 3166-1 alpha-2 code.",
            ),
            FieldCheckConstraint(
                condition=models.Q(kind=ActorKind.COUNTRY) | models.Q(iso_code__isnull=True),
                name="actor_iso_code_only_for_countries",
                field="iso_code",
                violation_error_message="Only a country has an ISO 3166-1 code.",
            ),
            FieldCheckConstraint(
                condition=models.Q(iso_code__isnull=True)
                | models.Q(iso_code__regex=r"^[A-Z][A-Z]$"),
                name="actor_iso_code_two_upper_letters",
                field="iso_code",
                violation_error_message="An ISO 3166-1 alpha-2 code is two upper-case letters.",
            ),
            FieldUniqueConstraint(
                fields=["iso_code"],
                condition=models.Q(kind=ActorKind.COUNTRY),
                name="actor_one_country_per_iso_code",
                field="iso_code",
                violation_error_message="Another country has this ISO 3166-1 code.",
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="actor_updated_at_idx")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ActorAliasQuerySet(models.QuerySet):
    def get_by_natural_key(self, actor_slug: str, name: str) -> "ActorAlias":
        return self.get(actor__slug=actor_slug, name=name)


class ActorAlias(CuratedModel):
    """Another name the texts use for an actor: "U.S.", "Washington" for the United States."""

    actor = models.ForeignKey(
        Actor,
        # An alias is part of its actor.
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    name = models.CharField(max_length=200, help_text="The other name, as the texts write it.")

    objects = ActorAliasQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["actor", "name"]
        verbose_name_plural = "actor aliases"
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="alias_unique_per_actor")
        ]
        indexes = [models.Index(fields=["name"], name="alias_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} → {self.actor}"

    def natural_key(self) -> tuple[str, str]:
        return (self.actor.slug, self.name)

    natural_key.dependencies = ["actors.actor"]


class IdentifierScheme(models.TextChoices):
    WIKIDATA = "wikidata", "Wikidata QID"
    ISO_3166_1_ALPHA_3 = "iso3166-1-alpha3", "ISO 3166-1 alpha-3"
    ISO_3166_1_NUMERIC = "iso3166-1-numeric", "ISO 3166-1 numeric"
    WEBSITE = "website", "Official website"
    OTHER = "other", "Other"


class ActorIdentifierQuerySet(models.QuerySet):
    def get_by_natural_key(self, scheme: str, value: str) -> "ActorIdentifier":
        return self.get(scheme=scheme, value=value)


class ActorIdentifier(CuratedModel):
    """An actor's identifier in an external scheme (Wikidata, ISO 3166)."""

    actor = models.ForeignKey(
        Actor,
        # An identifier describes its actor and goes with it.
        on_delete=models.CASCADE,
        related_name="identifiers",
    )
    scheme = models.CharField(max_length=30, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=200, help_text="The identifier, e.g. Q711.")

    objects = ActorIdentifierQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["actor", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="identifier_unique_value"),
            models.UniqueConstraint(
                fields=["actor", "scheme"],
                condition=~models.Q(scheme="other"),
                name="identifier_one_per_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"

    def natural_key(self) -> tuple[str, str]:
        return (self.scheme, self.value)


class MentionQuerySet(models.QuerySet):
    def get_by_natural_key(self, article_slug: str, actor_slug: str) -> "Mention":
        return self.get(article__slug=article_slug, actor__slug=actor_slug)


class Mention(CuratedModel):
    """That an article discusses an actor."""

    article = models.ForeignKey(
        Article,
        # A mention is a fact about its article.
        on_delete=models.CASCADE,
        related_name="mentions",
    )
    actor = models.ForeignKey(
        Actor,
        # A mention is also a fact about its actor.
        on_delete=models.CASCADE,
        related_name="mentions",
    )

    objects = MentionQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["article", "actor"]
        constraints = [models.UniqueConstraint(fields=["article", "actor"], name="mention_unique")]

    def __str__(self) -> str:
        return f"{self.article} mentions {self.actor}"

    def natural_key(self) -> tuple[str, str]:
        return (self.article.slug, self.actor.slug)

    natural_key.dependencies = ["articles.article", "actors.actor"]


# Agreements ------------------------------------------------------------------------


class AgreementKind(models.TextChoices):
    TREATY = "treaty", "Treaty"
    STRATEGIC_PARTNERSHIP = "strategic-partnership", "Strategic partnership"
    DECLARATION = "declaration", "Declaration"
    JOINT_STATEMENT = "joint-statement", "Joint statement"
    MEMORANDUM = "memorandum", "Memorandum"
    PACKAGE = "package", "Package of agreements"
    JOINT_VENTURE = "joint-venture", "Joint venture"
    CHARTER = "charter", "Charter"
    OTHER = "other", "Other"


class AgreementStatus(models.TextChoices):
    """Where the agreement itself stands (not its editorial review)."""

    PROPOSED = "proposed", "Proposed or under negotiation"
    AGREED = "agreed", "Agreed in principle"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in-force", "In force"
    ENDED = "ended", "Ended or terminated"
    UNKNOWN = "unknown", "Unknown"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def date_bounds(value: date, precision: str) -> tuple[date, date]:
    """The first and last day that a date known to ``precision`` stands for."""
    if precision == DatePrecision.DAY:
        return value, value
    if precision == DatePrecision.MONTH:
        last = calendar.monthrange(value.year, value.month)[1]
        return value.replace(day=1), value.replace(day=last)
    return date(value.year, 1, 1), date(value.year, 12, 31)


# Months and days take two digits, as in ISO 8601 and as the dataset writes them: "2025-4"
# is refused with the forms that are accepted, rather than read one way here and refused
# there.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
PARTIAL_DATE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?$")


def parse_partial_date(text: str | None) -> tuple[date | None, str]:
    """A date as far as it is known, "2025-04-17" (a day), "2025-04" (a month) or "2025"
    (a year), as the first day it stands for and its precision; ``(None, "")`` for none.

    Every door (the API, the admin, spreadsheets) reads dates with this one function.
    Raises ``ValidationError`` saying which forms are accepted.
    """
    text = text.strip() if isinstance(text, str) else text
    if text is None or text == "":
        return None, ""
    match = PARTIAL_DATE.match(text) if isinstance(text, str) else None
    try:
        if match is None:
            raise ValueError
        year, month, day = (int(part) if part else None for part in match.groups())
        if day is not None:
            return date(year, month, day), DatePrecision.DAY
        if month is not None:
            return date(year, month, 1), DatePrecision.MONTH
        return date(year, 1, 1), DatePrecision.YEAR
    except ValueError:
        raise ValidationError(
            f"“{text}” is not a date as far as it is known: write 2025-04-17 (a day), "
            "2025-04 (a month) or 2025 (a year)."
        ) from None


def with_partial_dates(model, names) -> list[str]:
    """``names`` (a service's fields) with each of the model's partial dates under its
    public name ("signed") instead of its two columns."""
    public = {}
    for public_name, model_fields in getattr(model, "partial_dates", {}).items():
        public.update(dict.fromkeys(model_fields, public_name))
    return list(dict.fromkeys(public.get(name, name) for name in names))


def format_partial_date(value: date | None, precision: str) -> str | None:
    """ISO 8601 at the precision known: 2025-04-17, 2025-04 or 2025."""
    if value is None or not precision:
        return None
    if precision == DatePrecision.DAY:
        return value.isoformat()
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}"


class AgreementQuerySet(PublicationQuerySet):
    def with_public_relations(self) -> "AgreementQuerySet":
        """With their parties and the citations the public may read (those in published
        articles)."""
        return self.prefetch_related(
            models.Prefetch("parties", queryset=AgreementParty.objects.select_related("actor")),
            models.Prefetch("citations", queryset=Citation.objects.public().with_article()),
        )

    def with_party(self, actor: "Actor") -> "AgreementQuerySet":
        return self.filter(
            models.Exists(
                AgreementParty.objects.filter(agreement=models.OuterRef("pk"), actor=actor)
            )
        )

    def signed_in_year(self, year: int) -> "AgreementQuerySet":
        """Agreements known to have been signed in ``year``: the whole period their date
        stands for lies within it."""
        return self.filter(
            signed_on__gte=date(year, 1, 1), signed_on_latest__lte=date(year, 12, 31)
        )

    def with_relations(self) -> "AgreementQuerySet":
        return self.prefetch_related(
            models.Prefetch("parties", queryset=AgreementParty.objects.select_related("actor")),
            models.Prefetch("citations", queryset=Citation.objects.select_related("article")),
        )


class Agreement(ReviewedModel):
    """A treaty, partnership, declaration or package of agreements between actors.

    Its UUID primary key is its natural key: fixtures carry it as ``pk``.
    """

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="Stable identifier in URLs and fixtures.",
    )
    title = models.CharField(
        max_length=300, help_text="The agreement's name as the source gives or describes it."
    )
    kind = models.CharField(max_length=30, choices=AgreementKind.choices, db_index=True)
    status = models.CharField(
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.SIGNED,
        db_index=True,
        help_text="Where the agreement itself stands, as the source tells it.",
    )
    signed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When it was signed: the first day of the period that signed_precision "
        "says is known (April 2025 is stored as 2025-04-01 with precision month). Blank "
        "when the source gives no date.",
    )
    signed_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text="How much of the signing date the source gives: day, month or year.",
    )
    signed_on_latest = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last day the signing date can stand for (2025-04-30 for April "
        "2025). Computed from signed_on and signed_precision.",
    )
    instrument_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text='How many instruments a package holds ("14 bilateral agreements"); '
        "blank when the source does not count them.",
    )
    summary = models.TextField(blank=True, help_text="What the agreement covers.")
    actors = models.ManyToManyField(
        Actor, through="AgreementParty", related_name="agreements", blank=True
    )

    objects = AgreementQuerySet.as_manager()
    history = AggregateHistory(
        children={"parties": ("actor", "role"), "citations": ("article", "quote")}
    )
    # Dates known to a day, a month or a year: the public name of each, as the API and
    # the sheets write it ("2025-04"), and the two columns it is stored in.
    partial_dates = {"signed": ("signed_on", "signed_precision")}

    class Meta:
        ordering = ["-signed_on", "title"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(signed_on__isnull=True) | ~models.Q(signed_precision=""),
                name="agreement_signed_date_has_precision",
                field="signed_precision",
                violation_error_message="Say how much of the date is known: day, month or year.",
            ),
            FieldCheckConstraint(
                condition=models.Q(signed_on__isnull=False) | models.Q(signed_precision=""),
                name="agreement_signed_precision_has_date",
                field="signed_on",
                violation_error_message="A precision needs a date.",
            ),
            FieldCheckConstraint(
                condition=models.Q(signed_on__isnull=True)
                | models.Q(signed_on__gte=PLAUSIBLE_DAYS[0], signed_on__lte=PLAUSIBLE_DAYS[1]),
                name="agreement_signed_on_plausible",
                field="signed_on",
                violation_error_message=(
                    f"The signing date must lie between {PLAUSIBLE_YEARS[0]} and "
                    f"{PLAUSIBLE_YEARS[1]}."
                ),
            ),
            # Computed by the model from the two above: not a rule an editor can break.
            models.CheckConstraint(
                condition=models.Q(signed_on__isnull=True, signed_on_latest__isnull=True)
                | models.Q(signed_on_latest__gte=models.F("signed_on")),
                name="agreement_signed_bounds_ordered",
                violation_error_message="The last day of the signing date comes after its first.",
            ),
            ReviewedModel.verified_when_published("agreement_published_is_verified"),
        ]
        indexes = [
            models.Index(fields=["signed_on", "signed_on_latest"], name="agreement_signed_idx"),
            models.Index(fields=["signed_on_latest"], name="agreement_signed_latest_idx"),
            models.Index(fields=["updated_at"], name="agreement_updated_at_idx"),
        ]

    def __str__(self) -> str:
        signed = self.signed_display
        return f"{self.title} ({signed})" if signed else self.title

    @property
    def signed_display(self) -> str | None:
        return format_partial_date(self.signed_on, self.signed_precision)

    def clean(self) -> None:
        super().clean()
        self.fill_signed_bounds()

    def fill_signed_bounds(self) -> None:
        if self.signed_on and self.signed_precision:
            self.signed_on, self.signed_on_latest = date_bounds(
                self.signed_on, self.signed_precision
            )
        else:
            self.signed_on_latest = None

    def save(self, *args, **kwargs) -> None:
        self.fill_signed_bounds()
        super().save(*args, **kwargs)


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    BROKER = "broker", "Broker or mediator"
    GUARANTOR = "guarantor", "Guarantor"
    HOST = "host", "Host"


class AgreementPartyQuerySet(models.QuerySet):
    def get_by_natural_key(self, agreement_id: str, actor_slug: str) -> "AgreementParty":
        return self.get(agreement_id=agreement_id, actor__slug=actor_slug)


class AgreementParty(CuratedModel):
    """An actor's part in an agreement."""

    agreement = models.ForeignKey(
        Agreement,
        # A party belongs to its agreement.
        on_delete=models.CASCADE,
        related_name="parties",
    )
    actor = models.ForeignKey(
        Actor,
        # An actor that is party to an agreement is kept: the agreement would be wrong.
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    role = models.CharField(max_length=20, choices=PartyRole.choices, default=PartyRole.SIGNATORY)

    objects = AgreementPartyQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["agreement", "role", "actor__name"]
        verbose_name_plural = "agreement parties"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "actor"],
                name="agreement_party_unique_actor",
                violation_error_message="An actor appears twice among the parties.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()})"

    def natural_key(self) -> tuple[str, str]:
        return (str(self.agreement_id), self.actor.slug)

    natural_key.dependencies = ["actors.agreement", "actors.actor"]


# Trade figures -----------------------------------------------------------------------


class TradeFlow(models.TextChoices):
    EXPORT = "export", "Export (reporter to partner)"
    IMPORT = "import", "Import (reporter from partner)"
    TOTAL = "total", "Total trade (both directions)"


class Qualifier(models.TextChoices):
    """How exact the source says the value is."""

    EXACT = "exact", "Exact (no qualifier in the source)"
    APPROXIMATELY = "approximately", "Approximately (about, around)"
    NEARLY = "nearly", "Nearly (almost)"
    OVER = "over", "Over (more than)"
    UNDER = "under", "Under (less than)"
    AT_MOST = "at-most", "At most (did not exceed)"
    AT_LEAST = "at-least", "At least"


class TradeFigureQuerySet(PublicationQuerySet):
    def with_public_relations(self) -> "TradeFigureQuerySet":
        """With both sides and the citations the public may read (those in published
        articles)."""
        return self.select_related("reporter", "partner").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.public().with_article())
        )

    def with_actor(self, actor: "Actor") -> "TradeFigureQuerySet":
        """Figures with ``actor`` on either side."""
        return self.filter(models.Q(reporter=actor) | models.Q(partner=actor))

    def with_relations(self) -> "TradeFigureQuerySet":
        return self.select_related("reporter", "partner").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.select_related("article"))
        )


class TradeFigure(ReviewedModel):
    """A value of trade between two actors that an article states.

    Its UUID primary key is its natural key: fixtures carry it as ``pk``.
    """

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="Stable identifier in URLs and fixtures.",
    )
    reporter = models.ForeignKey(
        Actor,
        # A figure is kept as long as it is cited; remove it before its actor.
        on_delete=models.PROTECT,
        related_name="reported_trade_figures",
        help_text="The side whose flow this is: the exporter of an export, the importer of "
        "an import, either side of a total.",
    )
    partner = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="partner_trade_figures",
        help_text="The other side of the flow.",
    )
    flow = models.CharField(max_length=10, choices=TradeFlow.choices, db_index=True)
    commodity = models.CharField(
        max_length=200,
        blank=True,
        help_text="The goods, as the source names them; blank for all goods.",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The year the value is for; blank when the source gives none "
        '("approximately $150 million annually").',
    )
    value = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text="The amount, in currency units (3.74 billion is 3740000000).",
    )
    currency = models.CharField(
        max_length=3,
        default="USD",
        help_text="ISO 4217 code, three upper-case letters.",
    )
    qualifier = models.CharField(
        max_length=20,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text='How exact the source says the value is: "nearly", "over", "did not exceed"…',
    )
    note = models.TextField(
        blank=True, help_text="What else the source says about the figure (its period, basis)."
    )

    objects = TradeFigureQuerySet.as_manager()
    history = AggregateHistory(children={"citations": ("article", "quote")})
    upper_case_fields = ("currency",)

    class Meta:
        ordering = ["reporter__name", "partner__name", "year", "flow"]
        constraints = [
            FieldCheckConstraint(
                condition=models.Q(value__gte=0),
                name="trade_figure_value_not_negative",
                field="value",
                violation_error_message="A trade value cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=~models.Q(reporter=models.F("partner")),
                name="trade_figure_reporter_is_not_partner",
                field="partner",
                violation_error_message="The reporter and the partner must differ.",
            ),
            FieldCheckConstraint(
                condition=models.Q(year__isnull=True)
                | models.Q(year__gte=PLAUSIBLE_YEARS[0], year__lte=PLAUSIBLE_YEARS[1]),
                name="trade_figure_year_plausible",
                field="year",
                violation_error_message=(
                    f"The year must lie between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[1]}."
                ),
            ),
            FieldCheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z][A-Z][A-Z]$"),
                name="trade_figure_currency_iso_4217",
                field="currency",
                violation_error_message="The currency is an ISO 4217 code: three upper-case "
                "letters.",
            ),
            ReviewedModel.verified_when_published("trade_figure_published_is_verified"),
        ]
        indexes = [
            models.Index(fields=["reporter", "partner", "year"], name="trade_pair_year_idx"),
            models.Index(fields=["partner", "year"], name="trade_partner_year_idx"),
            models.Index(fields=["year"], name="trade_year_idx"),
            models.Index(fields=["value"], name="trade_value_idx"),
            models.Index(fields=["qualifier"], name="trade_qualifier_idx"),
            models.Index(fields=["updated_at"], name="trade_updated_at_idx"),
            # The public's facets and series over one side's figures, read from the index
            # alone: the key columns and the amounts of the published figures.
            models.Index(
                fields=["reporter", "partner", "year"],
                include=["flow", "qualifier", "currency", "value"],
                condition=models.Q(review_status=ReviewStatus.PUBLISHED),
                name="trade_published_reporter_idx",
            ),
            models.Index(
                fields=["partner", "reporter", "year"],
                include=["flow", "qualifier", "currency", "value"],
                condition=models.Q(review_status=ReviewStatus.PUBLISHED),
                name="trade_published_partner_idx",
            ),
        ]

    def __str__(self) -> str:
        year = self.year or "no year"
        goods = f" of {self.commodity}" if self.commodity else ""
        return (
            f"{self.reporter} {self.get_flow_display().split(' (')[0].lower()}{goods} "
            f"with {self.partner}, {year}: {self.get_qualifier_display().split(' (')[0]} "
            f"{self.value} {self.currency}"
        )


# Provenance ---------------------------------------------------------------------------


class CitationQuerySet(PublicationQuerySet):
    # A citation names and quotes its article: public once the article is.
    reviewed_through = "article"

    def with_article(self) -> "CitationQuerySet":
        return self.select_related("article")

    def of_published_facts(self) -> "CitationQuerySet":
        """Citations the public may read, with the fact each supports: a published
        agreement or trade figure, cited in a published article."""
        return (
            self.public()
            .filter(
                models.Q(agreement__review_status=ReviewStatus.PUBLISHED)
                | models.Q(trade_figure__review_status=ReviewStatus.PUBLISHED)
            )
            .select_related("agreement", "trade_figure__reporter", "trade_figure__partner")
        )


class Citation(CuratedModel):
    """The article, and the verbatim passage in it, that states an agreement or a figure.

    Its UUID primary key is its natural key: fixtures carry it as ``pk``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(
        Article,
        # A cited article cannot disappear from under the facts that rest on it.
        on_delete=models.PROTECT,
        related_name="citations",
    )
    agreement = models.ForeignKey(
        Agreement,
        # A citation is part of the fact it supports.
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    trade_figure = models.ForeignKey(
        TradeFigure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    quote = models.TextField(
        help_text="The passage, verbatim, that states the fact. It must occur in the "
        "article's text (runs of whitespace count as one space).",
        error_messages={"blank": QUOTE_EMPTY},
    )
    char_start = models.PositiveIntegerField(
        blank=True,
        editable=False,
        help_text="Offset of the quote's first character in the article's text (lede, a "
        "blank line, body). Computed.",
    )
    char_end = models.PositiveIntegerField(
        blank=True,
        editable=False,
        help_text="Offset just past the quote's last character. Computed.",
    )

    objects = CitationQuerySet.as_manager()
    history = RecordHistory()

    class Meta:
        ordering = ["article", "char_start"]
        constraints = [
            FieldCheckConstraint(
                condition=(
                    models.Q(agreement__isnull=False, trade_figure__isnull=True)
                    | models.Q(agreement__isnull=True, trade_figure__isnull=False)
                ),
                name="citation_supports_exactly_one_fact",
                field="agreement",
                violation_error_message="A citation supports one agreement or one trade figure.",
            ),
            # What an editor types: a quote with a word in it.
            FieldCheckConstraint(
                condition=models.Q(quote__regex=r"\S"),
                name="citation_quote_not_empty",
                field="quote",
                violation_error_message=QUOTE_EMPTY,
            ),
            # Where it stands, computed from the quote: a passage found is never empty.
            models.CheckConstraint(
                condition=models.Q(char_end__gt=models.F("char_start")),
                name="citation_span_not_empty",
                violation_error_message=QUOTE_EMPTY,
            ),
            models.UniqueConstraint(
                fields=["agreement", "article", "char_start"],
                condition=models.Q(agreement__isnull=False),
                name="citation_unique_per_agreement",
                violation_error_message="This passage is cited twice.",
            ),
            models.UniqueConstraint(
                fields=["trade_figure", "article", "char_start"],
                condition=models.Q(trade_figure__isnull=False),
                name="citation_unique_per_trade_figure",
                violation_error_message="This passage is cited twice.",
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else f"{self.quote[:57]}…"
        return f"“{quote}” ({self.article.slug})"

    def clean(self) -> None:
        if self.article_id is None or not self.quote.split():
            return  # An empty quote is the constraint's to refuse (citation_quote_not_empty).
        span = self.article.locate(self.quote)
        if span is None:
            # The rule book's message (imported here: the rule book imports the models).
            from actors.rules import QUOTE_NOT_IN_ARTICLE

            raise ValidationError({"quote": QUOTE_NOT_IN_ARTICLE})
        self.char_start, self.char_end = span

    @property
    def fact(self) -> Agreement | TradeFigure | None:
        return self.agreement or self.trade_figure
