"""Actors, agreements and trade figures for tests, written through the services as an
editor would."""

from decimal import Decimal

from actors.models import Actor, ActorKind, Agreement, AgreementKind, TradeFigure, TradeFlow
from actors.services import (
    CitationInput,
    PartyInput,
    actor_create,
    agreement_create,
    trade_figure_create,
)
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE


def make_country(
    number: int, name: str | None = None, iso_code: str | None = None, **kwargs
) -> Actor:
    """Country ``number``: its name and code are drawn from the number unless given."""
    code = iso_code or f"{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}"
    return actor_create(
        name=name or f"Country {number}",
        slug=(name or f"country-{number}").lower().replace(" ", "-"),
        kind=ActorKind.COUNTRY,
        iso_code=code,
        **kwargs,
    )


def make_agreement(article, parties, number: int = 1, **overrides) -> Agreement:
    """An agreement between ``parties`` citing the article's AGREEMENT_QUOTE."""
    fields = {
        "title": f"Agreement {number}",
        "kind": AgreementKind.PACKAGE,
        "parties": [PartyInput(actor=actor) for actor in parties],
        "citations": [CitationInput(article=article, quote=AGREEMENT_QUOTE)],
        **overrides,
    }
    return agreement_create(**fields)


def make_trade_figure(article, reporter, partner, **overrides) -> TradeFigure:
    """Total trade between ``reporter`` and ``partner`` citing the article's TRADE_QUOTE."""
    fields = {
        "reporter": reporter,
        "partner": partner,
        "flow": TradeFlow.TOTAL,
        "value": Decimal("150000000"),
        "qualifier": "approximately",
        "citations": [CitationInput(article=article, quote=TRADE_QUOTE)],
        **overrides,
    }
    return trade_figure_create(**fields)
