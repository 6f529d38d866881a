"""The rules about actors and facts: an agreement's parties, a fact's citations, and the
rules each record meets on its own (one country per ISO code, a citation's one fact and
its quote, plausible dates).

Each is declared once (``core/rules.py`` says how a rule is applied); the services, the
admin's forms and inline formsets, the API, the spreadsheets and the fixture importer all
apply these. A rule one record can break is a constraint of its model
(``actors/models.py``), declared in the book here with ``constraint_rule``.
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import models
from django.db.models import Count

from actors.models import Actor, Agreement, Citation, TradeFigure
from articles.models import Article
from articles.quotes import CollapsedText
from core.rules import Rule, constraint_message, constraint_rule, named_once_rule, rule_declare

MIN_AGREEMENT_PARTIES = 2
QUOTE_NOT_IN_ARTICLE = "This passage does not occur in the article's text."
PASSAGE_CITED_TWICE = constraint_message(Citation, "citation_unique_per_agreement")
NO_CITATION = "Cite at least one article and the passage that states this."
# How many quotes are looked for at once: each batch loads the texts it needs in one query.
QUOTE_BATCH = 5_000

# Parties ---------------------------------------------------------------------------------


PARTY_ACTOR_ONCE = named_once_rule(
    name="agreement_party_actor_once",
    model=Agreement,
    field="parties",
    relation="parties",
    named="actor",
    key=lambda party: party.actor.pk,
    constraint="agreement_party_unique_actor",
)


def _too_few_parties(parties: Sequence[Any]) -> list[str]:
    return [AT_LEAST_TWO_PARTIES.message] if len(parties) < MIN_AGREEMENT_PARTIES else []


def _agreements_with_too_few_parties(agreements: models.QuerySet) -> models.QuerySet:
    return agreements.annotate(_parties=Count("parties")).filter(
        _parties__lt=MIN_AGREEMENT_PARTIES
    )


AT_LEAST_TWO_PARTIES = rule_declare(
    Rule(
        name="agreement_at_least_two_parties",
        model=Agreement,
        field="parties",
        message=f"An agreement has at least {MIN_AGREEMENT_PARTIES} parties.",
        row_check=_too_few_parties,
        set_check=_agreements_with_too_few_parties,
    )
)


# Citations -------------------------------------------------------------------------------


def _quotes_not_found(citations: Sequence[Any]) -> list[str]:
    # An empty quote is not looked for: citation_quote_not_empty refuses it.
    return [
        f"Citation {index}: {QUOTE_NOT_IN_ARTICLE} ({citation.quote[:80]!r})"
        for index, citation in enumerate(citations, start=1)
        if citation.quote.split() and citation.article.locate(citation.quote) is None
    ]


def quotes_locate(rows: Iterable[tuple[Any, str]]) -> Iterator[tuple[int, int] | None]:
    """Where each (article id, quote) stands in its article's text, or None.

    The set-based form of the quote rule: rows sorted by article are looked for a batch at
    a time, each article's text read once and collapsed once for all its quotes.
    """
    rows = iter(rows)
    texts: dict[Any, CollapsedText] = {}
    while batch := list(islice(rows, QUOTE_BATCH)):
        wanted = {article_id for article_id, _ in batch} - texts.keys()
        if wanted:
            # Sorted by article: only the last article of a batch can go on in the next.
            texts = {batch[0][0]: texts[batch[0][0]]} if batch[0][0] in texts else {}
            # Values rather than model instances: a bundle's 20,000 articles cost half the
            # time; the text is still the model's own (``Article.text``).
            article = Article()
            for pk, lede, body in Article.objects.filter(pk__in=wanted).values_list(
                "pk", "lede", "body"
            ):
                article.lede, article.body = lede, body
                texts[pk] = CollapsedText(article.text)
        for article_id, quote in batch:
            text = texts.get(article_id)
            yield None if text is None else text.locate(quote)


def _repeated_passages(citations: Sequence[Any]) -> list[str]:
    # Two citations of one fact are the same when they start at the same place in the same
    # article: what the unique constraints on citations say once the offsets are computed.
    first_at: dict[tuple, int] = {}
    messages = []
    for index, citation in enumerate(citations, start=1):
        span = citation.article.locate(citation.quote)
        if span is None:
            continue
        key = (citation.article.pk, span[0])
        if key in first_at:
            messages.append(
                f"Citation {index} (as citation {first_at[key]}): {PASSAGE_CITED_TWICE}"
            )
        else:
            first_at[key] = index
    return messages


def _no_citation(citations: Sequence[Any]) -> list[str]:
    return [NO_CITATION] if not citations else []


def _facts_without_citation(facts: models.QuerySet) -> models.QuerySet:
    return facts.annotate(_citations=Count("citations")).filter(_citations=0)


def _facts_citing_a_passage_twice(facts: models.QuerySet) -> models.QuerySet:
    fact = _fact_field(facts.model)
    twice = (
        Citation.objects.filter(**{f"{fact}__in": facts.values("pk")})
        .values(fact, "article", "char_start")
        .annotate(_count=Count("pk"))
        .filter(_count__gt=1)
        .values(fact)
    )
    return facts.filter(pk__in=twice)


def _fact_field(model: type[models.Model]) -> str:
    return {Agreement: "agreement", TradeFigure: "trade_figure"}[model]


def _citation_rules(fact: type[models.Model]) -> tuple[Rule, Rule, Rule]:
    name = _fact_field(fact)
    return (
        rule_declare(
            Rule(
                name=f"{name}_quote_occurs_in_article",
                model=fact,
                field="citations",
                message=QUOTE_NOT_IN_ARTICLE,
                row_check=_quotes_not_found,
                set_check=quotes_locate,
                set_check_over="rows",
            )
        ),
        rule_declare(
            Rule(
                name=f"{name}_passage_cited_once",
                model=fact,
                field="citations",
                message=PASSAGE_CITED_TWICE,
                row_check=_repeated_passages,
                set_check=_facts_citing_a_passage_twice,
                constraint=f"citation_unique_per_{name}",
            )
        ),
        rule_declare(
            Rule(
                name=f"{name}_cites_a_source",
                model=fact,
                field="citations",
                message=NO_CITATION,
                row_check=_no_citation,
                set_check=_facts_without_citation,
            )
        ),
    )


AGREEMENT_CITATION_RULES = _citation_rules(Agreement)
TRADE_FIGURE_CITATION_RULES = _citation_rules(TradeFigure)


# Rules each record meets on its own: its model's constraints ------------------------------

ONE_COUNTRY_PER_ISO_CODE = constraint_rule(Actor, "actor_one_country_per_iso_code")
CITATION_SUPPORTS_ONE_FACT = constraint_rule(Citation, "citation_supports_exactly_one_fact")
CITATION_QUOTE_NOT_EMPTY = constraint_rule(Citation, "citation_quote_not_empty")
SIGNED_ON_PLAUSIBLE = constraint_rule(Agreement, "agreement_signed_on_plausible")
TRADE_YEAR_PLAUSIBLE = constraint_rule(TradeFigure, "trade_figure_year_plausible")
