"""Each rule of the rule book judges alike in its two forms: the row check the services and
the admin apply to one record's rows, and the set-based check the importer applies to many
records at once (or the database constraint that enforces it once rows are written)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import Agreement, AgreementParty, Citation, TradeFigure
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
        return any(span is None for span in rule.set_check((article.pk, quote) for quote in case))
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


@pytest.mark.parametrize("rule_name", sorted(RULES))
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
