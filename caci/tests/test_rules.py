"""Each rule of the rule book judges alike in its two forms: the row check the services and
the admin apply to one record's rows, and the set-based check the importer applies to many
records at once (or the database constraint that enforces it once rows are written)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import Actor, Agreement, AgreementParty, Citation, TradeFigure
from actors.services import CitationInput, PartyInput
from actors.tests.factories import make_country
from articles.models import Article, Authorship
from articles.services import author_create
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE, make_article
from core.rules import RULES, Rule, rules_check

pytestmark = pytest.mark.django_db

MISSING = "A passage the article never printed."


@pytest.fixture
def world():
    article = make_article(1)
    actors = {
        name: make_country(n, name=name)
        for n, name in enumerate(["Mongolia", "Kazakhstan", "Georgia"])
    }
    authors = [author_create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(2)]
    return article, actors, authors


def party_cases(world):
    _, actors, _ = world
    m, k, g = actors.values()
    return [[], [m], [m, k], [m, m], [m, k, g], [m, m, k], [m, k, m, g]]


def citation_cases(world):
    article, _, _ = world
    return [
        [],
        [AGREEMENT_QUOTE],
        [TRADE_QUOTE],
        [AGREEMENT_QUOTE, TRADE_QUOTE],
        [AGREEMENT_QUOTE, AGREEMENT_QUOTE],
        # The same passage, the second time with its whitespace changed.
        [TRADE_QUOTE, TRADE_QUOTE.replace(" ", "\n ")],
        # Two passages starting at the same place: the same citation to the database.
        [TRADE_QUOTE, "Trade with Kazakhstan"],
        [MISSING],
        [AGREEMENT_QUOTE, MISSING],
        ["   "],
    ]


def byline_cases(world):
    _, _, (first, second) = world
    return [[], [first], [first, second], [first, first], [second, first, second]]


def _fact(model, world):
    if model is Agreement:
        return Agreement.objects.create(title="An agreement", kind="package")
    reporter, partner, _ = world[1].values()
    return TradeFigure.objects.create(reporter=reporter, partner=partner, flow="total", value=1)


def row_inputs(rule: Rule, case, world):
    article = world[0]
    if rule.field == "parties":
        return [PartyInput(actor=actor) for actor in case]
    if rule.field == "citations":
        return [CitationInput(article=article, quote=quote) for quote in case]
    return list(case)


def set_verdict(rule: Rule, case, world) -> bool | None:
    """Whether the set-based form finds the rule broken once the rows are written: the
    constraint refuses them, or the set check names the record. None when the rows cannot
    be written at all for another rule's sake (their verdict is another rule's)."""
    article = world[0]
    if rule.set_check_over == "rows":
        # An empty quote is not looked for, by the importer either: another rule's.
        spans = rule.set_check((article.pk, quote) for quote in case)
        return any(span is None and quote.split() for span, quote in zip(spans, case, strict=True))
    try:
        with transaction.atomic():
            if rule.model is Article:
                record = Article.objects.create(slug="written", section="field-reports")
                for position, author in enumerate(case, start=1):
                    Authorship.objects.create(article=record, author=author, position=position)
            elif rule.field == "parties":
                record = _fact(Agreement, world)
                for actor in case:
                    AgreementParty.objects.create(agreement=record, actor=actor)
            else:
                record = _fact(rule.model, world)
                fact = "agreement" if rule.model is Agreement else "trade_figure"
                for quote in case:
                    span = article.locate(quote)
                    if span is None:
                        return None  # Refused before any row is written: the quote rule.
                    Citation.objects.create(
                        article=article,
                        quote=quote,
                        char_start=span[0],
                        char_end=span[1],
                        **{fact: record},
                    )
            broken = rule.set_check(rule.model.objects.filter(pk=record.pk)).exists()
            transaction.set_rollback(True)
            return broken
    except IntegrityError:
        # Only a rule that a unique constraint enforces makes these rows unwritable here.
        return True if rule.constraint else None


CASES = {"parties": party_cases, "citations": citation_cases, "authors": byline_cases}


@pytest.mark.parametrize(
    "rule_name", sorted(name for name, rule in RULES.items() if rule.over == "rows")
)
def test_the_row_check_and_the_set_check_agree(rule_name, world):
    rule = RULES[rule_name]
    cases = CASES.get(rule.field)
    assert cases is not None, f"No cases for the rules about {rule.field}: add some here."
    compared = 0
    for case in cases(world):
        messages = rule.row_check(row_inputs(rule, case, world))
        assert all(rule.message in message for message in messages), messages
        by_set = set_verdict(rule, case, world)
        if by_set is None:
            continue
        assert bool(messages) == by_set, (rule_name, case, messages)
        compared += 1
    assert compared >= 3, f"{rule_name}: too few cases could be written to compare"


def test_rules_check_names_the_field_with_every_fault(world):
    article, actors, _ = world
    mongolia = actors["Mongolia"]

    with pytest.raises(ValidationError) as raised:
        rules_check(
            Agreement,
            "citations",
            [CitationInput(article=article, quote=MISSING)] * 2,
        )
    assert raised.value.message_dict == {
        "citations": [
            f"Citation 1: {RULES['agreement_quote_occurs_in_article'].message} ({MISSING!r})",
            f"Citation 2: {RULES['agreement_quote_occurs_in_article'].message} ({MISSING!r})",
        ]
    }
    with pytest.raises(ValidationError) as raised:
        rules_check(Agreement, "parties", [PartyInput(actor=mongolia)])
    assert raised.value.message_dict == {"parties": ["An agreement has at least 2 parties."]}


# Rules each record meets on its own: a constraint of its model --------------------------------


def _citation(world, **fields):
    article = world[0]
    quote = fields.pop("quote", "pivotal evolution")
    span = article.locate(quote) or (0, 1)
    return Citation(article=article, quote=quote, char_start=span[0], char_end=span[1], **fields)


def record_cases(rule_name, world):
    """Records, unsaved, that do and do not keep the rule."""
    article, actors, _ = world
    reporter, partner, _ = actors.values()
    if rule_name == "actor_one_country_per_iso_code":
        return [
            Actor(name="New", slug="new", kind=kind, iso_code=code)
            for kind, code in [("country", reporter.iso_code), ("country", "ZZ"), ("person", None)]
        ]
    if rule_name in {"citation_supports_exactly_one_fact", "citation_quote_not_empty"}:
        agreement = _fact(Agreement, world)
        figure = _fact(TradeFigure, world)
        if rule_name == "citation_quote_not_empty":
            return [_citation(world, quote=q, agreement=agreement) for q in ["   ", "\n", "Trade"]]
        return [
            _citation(world, agreement=a, trade_figure=t)
            for a, t in [(agreement, None), (None, figure), (agreement, figure), (None, None)]
        ]
    if rule_name == "agreement_signed_on_plausible":
        return [
            Agreement(title="Dated", kind="package", signed_on=day, signed_precision=precision)
            for day, precision in [
                (date(1899, 12, 31), "day"),
                (date(1900, 1, 1), "day"),
                (date(2100, 12, 31), "day"),
                (date(2101, 1, 1), "year"),
                (None, ""),
            ]
        ]
    if rule_name == "trade_figure_year_plausible":
        return [
            TradeFigure(reporter=reporter, partner=partner, flow="total", value=1, year=year)
            for year in [1899, 1900, 2100, 2101, None]
        ]
    if rule_name == "article_published_on_plausible":
        return [
            Article(slug=f"dated-{n}", section="field-reports", published_on=day)
            for n, day in enumerate([date(1899, 12, 31), date(1900, 1, 1), date(2101, 1, 1), None])
        ]
    return []


def refused_by_the_database(record) -> bool:
    try:
        with transaction.atomic():
            record.save()
            transaction.set_rollback(True)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "rule_name", sorted(name for name, rule in RULES.items() if rule.over == "record")
)
def test_a_record_rule_judges_as_its_constraint(rule_name, world):
    """The row check (the constraint asked of one record, as full_clean asks it) and the
    database, which enforces it for every record written, agree on each case; the set
    check finds no record breaking it among those written."""
    rule = RULES[rule_name]
    cases = record_cases(rule_name, world)
    assert len(cases) >= 3, f"No cases for {rule_name}: add some here."
    verdicts = set()
    for record in cases:
        messages = rule.row_check([record])
        assert messages in ([], [rule.message]), messages
        assert bool(messages) == refused_by_the_database(record), (rule_name, record.__dict__)
        verdicts.add(bool(messages))
    assert verdicts == {True, False}, f"{rule_name}: cases on both sides of the rule, please"
    assert not rule.set_check(rule.model._default_manager.all()).exists()
