"""Spreadsheets of actors, agreements and trade figures (CSV, XLSX, JSON).

Columns refer to other records by what an editor can read and type: an actor by its slug
(or, for a country, its ISO code), an article by its slug. Related records sit in cells:

- actors: ``aliases`` is a ``;``-separated list ("U.S.; Washington");
- agreements: ``parties`` is a ``;``-separated list of ``actor:role``
  ("russia:signatory; iran:signatory"; the role defaults to signatory);
- agreements and trade figures: their citations, each an article slug and a verbatim
  quote in a pair of columns (``citation_1_article``, ``citation_1_quote``,
  ``citation_2_…``). An export has as many pairs as its most cited record; an import reads
  every pair the sheet has, so a fact may have any number of citations.

A blank ``id`` adds a new agreement or trade figure; an ``id`` from an export updates it.
"""

import re
import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Prefetch
from import_export import fields, widgets

from actors.models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    DatePrecision,
    PartyRole,
    TradeFigure,
    format_partial_date,
    parse_partial_date,
    with_partial_dates,
)
from actors.services import (
    ACTOR_FIELDS,
    AGREEMENT_FIELDS,
    TRADE_FIGURE_FIELDS,
    CitationInput,
    PartyInput,
    citations_check,
    parties_check,
)
from articles.models import Article
from core.resources import ServiceResource, stored_related

LIST_SEPARATOR = ";"
CITATION_HEADER = re.compile(r"^citation_(?P<number>[1-9][0-9]*)_(?:article|quote)$")


def citation_column(number: int, part: str) -> str:
    return f"citation_{number}_{part}"


def split_list(cell) -> list[str]:
    return [item.strip() for item in str(cell or "").split(LIST_SEPARATOR) if item.strip()]


def find_actor(reference) -> Actor:
    """The actor a cell names (``Actor.objects.by_reference``); a cell's error is a
    ValueError."""
    try:
        return Actor.objects.by_reference(str(reference))
    except ValidationError as error:
        raise ValueError(error.message) from None


class ActorReferenceWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Actor, field="slug")

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            return None
        return find_actor(value)


class FactIdWidget(widgets.Widget):
    """A fact's UUID; blank for a new one."""

    def clean(self, value, row=None, **kwargs):
        if value is None or not str(value).strip():
            return None
        try:
            return uuid.UUID(str(value).strip())
        except ValueError:
            raise ValidationError(
                {"id": f"“{value}” is not an id: leave it blank to add a new record."}
            ) from None


class FactIdField(fields.Field):
    def export(self, instance, **kwargs):
        # A new record's id is drawn when it is written: a preview, which writes nothing,
        # shows none rather than one the record will not have.
        if instance._state.adding or getattr(instance, "added_by_import", False):
            return ""
        return super().export(instance, **kwargs)


class ComputedColumn(fields.Field):
    """A column the resource reads and writes itself (not a model attribute)."""

    def __init__(self, column_name: str, render):
        super().__init__(attribute=None, column_name=column_name)
        self.render = render

    def export(self, instance, **kwargs):
        return self.render(instance)


def _actor_field(name: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=ActorReferenceWidget())


# Citations in cells -------------------------------------------------------------------------


def _citations_of(instance) -> list[tuple[Article, str]]:
    """The record's citations as (article, quote), in a stable order: by article slug, then
    by where the quote stands in it."""
    imported = getattr(instance, "imported_related", None)
    if imported is not None and "citations" in imported:
        pairs = [(c.article, c.quote) for c in imported["citations"]]
    else:
        pairs = [(c.article, c.quote) for c in stored_related(instance, "citations")]
    return sorted(pairs, key=lambda pair: (pair[0].slug, pair[0].locate(pair[1]) or (0, 0)))


def _citation_cell(number: int, part: str):
    def render(instance) -> str:
        pairs = _citations_of(instance)
        if number > len(pairs):
            return ""
        article, quote = pairs[number - 1]
        return article.slug if part == "article" else quote

    return render


def citation_fields(count: int) -> dict[str, ComputedColumn]:
    """The columns of ``count`` citations: citation_1_article, citation_1_quote, …"""
    return {
        citation_column(number, part): ComputedColumn(
            citation_column(number, part), _citation_cell(number, part)
        )
        for number in range(1, count + 1)
        for part in ("article", "quote")
    }


def citation_numbers(headers) -> list[int]:
    """The citation numbers a sheet has columns for, in order."""
    numbers = {
        int(match["number"]) for match in map(CITATION_HEADER.match, headers or ()) if match
    }
    return sorted(numbers)


def parse_citations(row, *, fact) -> list[CitationInput] | None:
    """The row's citations, checked one by one and together. None when the sheet has no
    citation columns (the stored citations stay as they are)."""
    numbers = citation_numbers(row.keys())
    if not numbers:
        return None
    articles = {
        article.slug: article
        for article in Article.objects.filter(
            slug__in=[str(row.get(citation_column(n, "article")) or "").strip() for n in numbers]
        )
    }
    citations, errors = [], {}
    for number in numbers:
        article_column = citation_column(number, "article")
        quote_column = citation_column(number, "quote")
        slug = str(row.get(article_column) or "").strip()
        quote = str(row.get(quote_column) or "")
        if not slug and not quote.strip():
            continue
        article = articles.get(slug)
        if article is None:
            errors[article_column] = (
                f"No article has the slug “{slug}”."
                if slug
                else "Name the article (its slug) that this passage is from."
            )
            continue
        citation = CitationInput(article=article, quote=quote)
        try:
            citations_check([citation], fact=fact)
        except ValidationError as error:
            errors[quote_column] = error.messages
            continue
        citations.append(citation)
    if not errors:
        try:
            citations_check(citations, fact=fact)
        except ValidationError as error:
            errors[citation_column(numbers[0], "quote")] = error.messages
    if errors:
        raise ValidationError(errors)
    return citations


# Actors -------------------------------------------------------------------------------------


class ActorResource(ServiceResource):
    aliases = ComputedColumn("aliases", lambda actor: ActorResource.aliases_cell(actor))

    class Meta:
        model = Actor
        # The slug first: it identifies the actor.
        fields = ("slug", *ACTOR_FIELDS, "aliases")
        import_id_fields = ("slug",)
        name = "Actors"

    @staticmethod
    def aliases_cell(actor) -> str:
        imported = getattr(actor, "imported_related", None)
        if imported is not None and "aliases" in imported:
            names = imported["aliases"]
        else:
            names = [alias.name for alias in stored_related(actor, "aliases")]
        return f"{LIST_SEPARATOR} ".join(sorted(names))

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("aliases")

    def parse_related(self, instance, row):
        if "aliases" not in row:
            return {}
        return {"aliases": split_list(row["aliases"])}


# Agreements ---------------------------------------------------------------------------------


def partial_date_cell(value) -> tuple[date | None, str]:
    """A partial date as a sheet holds it: text read by ``parse_partial_date``, or what a
    spreadsheet application made of it (a date cell is a day, 2025.0 a year)."""
    if isinstance(value, datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, date):
        return value, DatePrecision.DAY
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    return parse_partial_date(None if value is None else str(value))


class FactResource(ServiceResource):
    """An agreement or a trade figure: a UUID id, citations in cells."""

    # The citations' foreign key to the fact.
    fact_name = ""

    # A blank id keeps the new record's own; an unknown one is refused (after_init_instance).
    id = FactIdField(
        attribute="id", column_name="id", widget=FactIdWidget(), saves_null_values=False
    )

    def export(self, queryset=None, **kwargs):
        # As many citation columns as the most cited record exported has (one at least,
        # so that an empty sheet shows where citations go).
        if queryset is None:
            queryset = self.get_queryset()
        most = (
            Citation.objects.filter(**{f"{self.fact_name}__in": queryset.values("pk")})
            .values(self.fact_name)
            .annotate(count=Count("pk"))
            .aggregate(most=Max("count"))["most"]
        )
        self.fields.update(citation_fields(max(most or 0, 1)))
        return super().export(queryset=queryset, **kwargs)

    def before_import(self, dataset, **kwargs) -> None:
        # A sheet without an id column holds new records only.
        if "id" not in (dataset.headers or []):
            dataset.append_col([""] * len(dataset), header="id")
        numbers = citation_numbers(dataset.headers)
        self.fields.update(citation_fields(max(numbers, default=0)))

    def do_instance_save(self, instance, is_create) -> None:
        super().do_instance_save(instance, is_create)
        instance.added_by_import = is_create

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        if new and row.get("id") not in (None, ""):
            raise ValidationError(
                {
                    "id": f"No {instance._meta.verbose_name} has the id “{row['id']}”: "
                    "leave it blank to add a new one."
                }
            )


PARTIAL_SIGNED = Agreement.partial_dates["signed"]


class AgreementResource(FactResource):
    signed = ComputedColumn(
        "signed",
        lambda agreement: (
            format_partial_date(*(getattr(agreement, name) for name in PARTIAL_SIGNED)) or ""
        ),
    )
    parties = ComputedColumn(
        "parties", lambda agreement: AgreementResource.parties_cell(agreement)
    )

    class Meta:
        model = Agreement
        fields = (
            "id",
            *with_partial_dates(Agreement, AGREEMENT_FIELDS),
            "review_status",
            "parties",
        )
        import_id_fields = ("id",)
        name = "Agreements"

    fact_name = "agreement"

    @staticmethod
    def parties_cell(agreement) -> str:
        imported = getattr(agreement, "imported_related", None)
        if imported is not None and "parties" in imported:
            parties = [(p.actor.slug, p.role) for p in imported["parties"]]
        else:
            parties = [(p.actor.slug, p.role) for p in stored_related(agreement, "parties")]
        return f"{LIST_SEPARATOR} ".join(f"{slug}:{role}" for slug, role in sorted(parties))

    def filter_export(self, queryset, **kwargs):
        # The admin's list prefetches the parties its own way: a second Prefetch of the
        # same relation is an error, so the sheet states its own from scratch.
        return queryset.prefetch_related(None).prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("actor")),
            Prefetch("citations", queryset=Citation.objects.select_related("article")),
        )

    def parse_related(self, instance, row):
        related, errors = {}, {}
        for public, model_fields in Agreement.partial_dates.items():
            if public not in row:
                continue
            try:
                values = partial_date_cell(row[public])
            except ValidationError as error:
                errors.setdefault(public, []).extend(error.messages)
            else:
                for name, value in zip(model_fields, values, strict=True):
                    setattr(instance, name, value)
        if "parties" in row:
            try:
                related["parties"] = self.parse_parties(row["parties"])
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        try:
            citations = parse_citations(row, fact=Agreement)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        else:
            if citations is not None:
                related["citations"] = citations
        if errors:
            raise ValidationError(errors)
        return related

    @staticmethod
    def parse_parties(cell) -> list[PartyInput]:
        parties, problems = [], []
        for item in split_list(cell):
            reference, _, role = (part.strip() for part in item.partition(":"))
            role = role or PartyRole.SIGNATORY
            if role not in PartyRole.values:
                problems.append(
                    f"“{role}” is not a role; use one of {', '.join(PartyRole.values)}."
                )
                continue
            try:
                parties.append(PartyInput(actor=find_actor(reference), role=role))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValidationError({"parties": problems})
        parties_check(parties)
        return parties


# Trade figures ------------------------------------------------------------------------------


class TradeFigureResource(FactResource):
    reporter = _actor_field("reporter")
    partner = _actor_field("partner")

    class Meta:
        model = TradeFigure
        # The status is not the services' to set: the review applies it (ServiceResource).
        fields = ("id", *TRADE_FIGURE_FIELDS, "review_status")
        import_id_fields = ("id",)
        name = "Trade figures"

    fact_name = "trade_figure"

    def filter_export(self, queryset, **kwargs):
        return (
            queryset.select_related("reporter", "partner")
            .prefetch_related(None)
            .prefetch_related(
                Prefetch("citations", queryset=Citation.objects.select_related("article"))
            )
        )

    def parse_related(self, instance, row):
        citations = parse_citations(row, fact=TradeFigure)
        return {} if citations is None else {"citations": citations}
