"""The intake's reads and writes: a pasted page previewed, then saved as articles; the
candidates of an article, less what is curated or rejected; a candidate accepted (through
the apps' own services, as a record that needs review, with its citation) or rejected.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.text import slugify

from actors.models import (
    Actor,
    ActorAlias,
    Agreement,
    AgreementParty,
    Citation,
    Mention,
    TradeFigure,
)
from actors.services import (
    CitationInput,
    PartyInput,
    agreement_create,
    agreement_update,
    mention_create,
    trade_figure_create,
)
from articles.models import Article, Author
from articles.services import article_create, author_create
from intake.candidates import ActorIndex, Candidate, KnownActor, all_candidates
from intake.models import CandidateKind, RejectedCandidate
from intake.parser import ParsedArticle, parse_page

INTAKE_NOTE = "Brought in by the intake"


# Articles ---------------------------------------------------------------------------------


@dataclass
class ArticlePreview:
    """What saving a parsed article would write: nothing is written to make it."""

    parsed: ParsedArticle
    slug: str
    authors_found: list[Author] = field(default_factory=list)
    authors_new: list[str] = field(default_factory=list)
    existing: Article | None = None

    @property
    def review_note(self) -> str:
        parts = [f"{INTAKE_NOTE}: check every field against the publisher's page."]
        if self.parsed.missing:
            parts.append(
                "The text does not give: " + ", ".join(self.parsed.missing) + " (left empty)."
            )
        parts += self.parsed.notes
        return " ".join(parts)


def _slug_for(parsed: ParsedArticle, taken: set[str]) -> str:
    """The article's slug: from its title, else from the lede's first words."""
    return _unique_slug(parsed.title or " ".join(parsed.lede.split()[:8]), taken)


def _unique_slug(words: str, taken: set[str]) -> str:
    base = slugify(words)[:180] or "article"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def intake_preview(*, text: str) -> list[ArticlePreview]:
    """The articles of a pasted page as they would be saved. Raises ``IntakeError`` for a
    text that holds none."""
    parsed_articles = parse_page(text)
    names = {name.lower() for parsed in parsed_articles for name in parsed.authors}
    authors = {
        author.name.lower(): author
        for author in Author.objects.filter(name__iregex=_any_of(names))
        if author.name.lower() in names
    }
    ledes = [parsed.lede for parsed in parsed_articles]
    existing = {article.lede: article for article in Article.objects.filter(lede__in=ledes)}
    taken = set(Article.objects.values_list("slug", flat=True))
    previews = []
    for parsed in parsed_articles:
        previews.append(
            ArticlePreview(
                parsed=parsed,
                slug=_slug_for(parsed, taken),
                authors_found=[authors[n.lower()] for n in parsed.authors if n.lower() in authors],
                authors_new=[n for n in parsed.authors if n.lower() not in authors],
                existing=existing.get(parsed.lede),
            )
        )
    return previews


def _any_of(names: set[str]) -> str:
    return "^(" + "|".join(re.escape(name) for name in sorted(names)) + ")$" if names else "^$"


@transaction.atomic
def intake_save(*, text: str) -> list[tuple[Article, bool]]:
    """Save the articles of a pasted page, each with its byline (new authors created with
    their bio), as records that need review. An article already in the dataset (the same
    lede) is left as it is. Returns each article and whether it was created."""
    saved = []
    for preview in intake_preview(text=text):
        if preview.existing is not None:
            saved.append((preview.existing, False))
            continue
        parsed = preview.parsed
        by_name = {author.name.lower(): author for author in preview.authors_found}
        taken_slugs = set(Author.objects.values_list("slug", flat=True))
        for name in preview.authors_new:
            by_name[name.lower()] = author_create(
                name=name,
                slug=_unique_slug(name, taken_slugs),
                bio=parsed.bio_of(name),
            )
        article = article_create(
            authors=[by_name[name.lower()] for name in parsed.authors],
            slug=preview.slug,
            title=parsed.title[:300],
            section=parsed.section or "other",
            published_on=parsed.published_on,
            lede=parsed.lede,
            body=parsed.body,
            review_note=preview.review_note,
        )
        saved.append((article, True))
    return saved


# Candidates -------------------------------------------------------------------------------


def actor_index_build() -> ActorIndex:
    """Every known actor's name and aliases, for finding them in a text (two queries)."""
    actors = [
        KnownActor(id=pk, slug=slug, name=name, kind=kind)
        for pk, slug, name, kind in Actor.objects.values_list("pk", "slug", "name", "kind")
    ]
    aliases = list(ActorAlias.objects.values_list("actor_id", "name"))
    return ActorIndex(actors, aliases)


@dataclass
class ArticleCandidates:
    """An article's candidates by kind, and what was set aside: already curated or
    rejected."""

    article: Article
    by_kind: dict[str, list[Candidate]]
    curated: list[Candidate]
    rejected: int

    def find(self, kind: str, key: str) -> Candidate:
        for candidate in self.by_kind.get(kind, []):
            if candidate.key == key:
                return candidate
        raise ValidationError(
            "This candidate is no longer proposed: it was accepted, rejected or the text "
            "changed. Reload the list."
        )


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def article_candidates(*, article: Article, index: ActorIndex | None = None) -> ArticleCandidates:
    """The candidates of an article's text that are neither curated already nor rejected.

    A mention is curated when the article has it; a trade figure when a figure of the
    same value and currency cites a passage that overlaps its sentence; an agreement when
    an agreement cites a passage that overlaps its sentence.
    """
    index = index or actor_index_build()
    found = all_candidates(article.text, index, published_on=article.published_on)
    mentioned = set(Mention.objects.filter(article=article).values_list("actor_id", flat=True))
    citations = list(Citation.objects.filter(article=article).select_related("trade_figure"))
    figure_spans = [
        (c.char_start, c.char_end, c.trade_figure.value, c.trade_figure.currency)
        for c in citations
        if c.trade_figure_id
    ]
    agreement_spans = [(c.char_start, c.char_end) for c in citations if c.agreement_id]
    rejected = set(RejectedCandidate.objects.filter(article=article).values_list("kind", "key"))
    by_kind: dict[str, list[Candidate]] = {}
    curated: list[Candidate] = []
    rejected_count = 0
    for kind, candidates in found.items():
        kept = []
        for candidate in candidates:
            if (kind, candidate.key) in rejected:
                rejected_count += 1
            elif _is_curated(candidate, mentioned, figure_spans, agreement_spans):
                curated.append(candidate)
            else:
                kept.append(candidate)
        by_kind[kind] = kept
    return ArticleCandidates(
        article=article, by_kind=by_kind, curated=curated, rejected=rejected_count
    )


def _is_curated(candidate, mentioned, figure_spans, agreement_spans) -> bool:
    if candidate.kind == CandidateKind.MENTION:
        return candidate.values["actor_id"] in mentioned
    if candidate.kind == CandidateKind.TRADE_FIGURE:
        return any(
            candidate.start < end
            and start < candidate.end
            and value == candidate.values["value"]
            and currency == candidate.values["currency"]
            for start, end, value, currency in figure_spans
        )
    if candidate.kind == CandidateKind.AGREEMENT:
        return _overlaps(candidate.start, candidate.end, agreement_spans)
    return False


def candidate_summary(candidate: Candidate) -> str:
    values = candidate.values
    if candidate.kind == CandidateKind.MENTION:
        return f"Mention of {values['actor']}"
    if candidate.kind == CandidateKind.AMBIGUOUS:
        return f"“{values['surface']}”: one of {', '.join(values['actors'])}"
    if candidate.kind == CandidateKind.TRADE_FIGURE:
        return (
            f"{values['amount_text']} ({values['qualifier']}, {values['year'] or 'no year'}, "
            f"{values['flow']})"
        )
    return f"{values['title']} ({values['kind']})"


@transaction.atomic
def candidate_reject(*, article: Article, kind: str, key: str, user) -> RejectedCandidate:
    """Remember that an editor rejected a candidate: it is not proposed again."""
    candidate = article_candidates(article=article).find(kind, key)
    rejection = RejectedCandidate(
        article=article,
        kind=kind,
        key=key,
        quote=candidate.quote,
        summary=candidate_summary(candidate)[:300],
        rejected_by=user if getattr(user, "pk", None) else None,
    )
    rejection.full_clean()
    try:
        with transaction.atomic():
            rejection.save()
    except IntegrityError as error:
        raise ValidationError("This candidate is already rejected.") from error
    return rejection


def _note(candidate: Candidate | None, extra: str = "") -> str:
    parts = [f"{INTAKE_NOTE}: proposed from the article's text, then checked by an editor."]
    if candidate is not None and candidate.guesses:
        parts.append("Guessed, to check: " + "; ".join(candidate.guesses) + ".")
    if extra:
        parts.append(extra)
    return " ".join(parts)


@transaction.atomic
def mention_accept(*, article: Article, actor: Actor) -> Mention:
    return mention_create(article=article, actor=actor)


@transaction.atomic
def mentions_accept(*, article: Article, actor_ids: Sequence[int]) -> list[Mention]:
    """The article's mentions of these actors, each through the mention service."""
    actors = Actor.objects.in_bulk(actor_ids)
    return [mention_create(article=article, actor=actors[pk]) for pk in actor_ids]


@transaction.atomic
def trade_figure_accept(
    *,
    article: Article,
    quote: str,
    reporter: Actor,
    partner: Actor,
    flow: str,
    value: Decimal,
    currency: str = "USD",
    year: int | None = None,
    qualifier: str = "exact",
    commodity: str = "",
    note: str = "",
    candidate: Candidate | None = None,
) -> TradeFigure:
    """A trade figure from an accepted candidate, citing its passage of the article; it
    needs review, its note saying what was guessed."""
    return trade_figure_create(
        citations=[CitationInput(article=article, quote=quote)],
        reporter=reporter,
        partner=partner,
        flow=flow,
        value=value,
        currency=currency,
        year=year,
        qualifier=qualifier,
        commodity=commodity,
        note=note,
        review_note=_note(candidate),
    )


@transaction.atomic
def agreement_accept(
    *,
    article: Article,
    quote: str,
    title: str,
    kind: str,
    status: str,
    parties: Sequence[Actor],
    signed_on: date | None = None,
    signed_precision: str = "",
    instrument_count: int | None = None,
    summary: str = "",
    candidate: Candidate | None = None,
) -> Any:
    """An agreement from an accepted candidate, its parties signatories, citing its
    passage of the article; it needs review, its note saying what was guessed."""
    return agreement_create(
        parties=[PartyInput(actor=actor) for actor in parties],
        citations=[CitationInput(article=article, quote=quote)],
        title=title,
        kind=kind,
        status=status,
        signed_on=signed_on,
        signed_precision=signed_precision,
        instrument_count=instrument_count,
        summary=summary,
        review_note=_note(candidate),
    )


def agreements_for(
    article: Article, candidates: Sequence[Candidate]
) -> dict[str, list[Agreement]]:
    """For each agreement candidate, the agreements in the dataset it may be another
    passage about: those that already cite the article, and those whose parties (two or
    more) the candidate's sentence all names. Two queries."""
    parties = {slug for candidate in candidates for slug in candidate.values["parties"]}
    agreements = (
        Agreement.objects.filter(
            models.Q(citations__article=article) | models.Q(parties__actor__slug__in=parties)
        )
        .distinct()
        .order_by("title")
        .prefetch_related(
            models.Prefetch("parties", queryset=AgreementParty.objects.select_related("actor"))
        )
    )
    cited = set(
        Citation.objects.filter(article=article, agreement__isnull=False).values_list(
            "agreement_id", flat=True
        )
    )
    options = {}
    for candidate in candidates:
        named = set(candidate.values["parties"])
        options[candidate.key] = [
            agreement
            for agreement in agreements
            if agreement.pk in cited
            or (
                len(agreement.parties.all()) >= 2
                and {party.actor.slug for party in agreement.parties.all()} <= named
            )
        ]
    return options


@transaction.atomic
def candidate_cite(*, article: Article, key: str, agreement: Agreement) -> Agreement:
    """Add an agreement candidate's passage to the citations of an agreement already in
    the dataset (another passage about the same agreement), through the agreement
    service."""
    candidate = article_candidates(article=article).find(CandidateKind.AGREEMENT, key)
    citations = [
        CitationInput(article=citation.article, quote=citation.quote)
        for citation in agreement.citations.select_related("article")
    ]
    return agreement_update(
        agreement=agreement,
        data={},
        citations=[*citations, CitationInput(article=article, quote=candidate.quote)],
    )
