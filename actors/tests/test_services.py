from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import (
    Actor,
    ActorKind,
    Agreement,
    AgreementKind,
    Citation,
    DatePrecision,
    TradeFigure,
    TradeFlow,
)
from actors.services import (
    CitationInput,
    PartyInput,
    actor_create,
    agreement_create,
    agreement_update,
    citation_create,
    citation_update,
    trade_figure_create,
    trade_figure_update,
)
from actors.tests.factories import make_country
from articles.tests.factories import TRADE_QUOTE

pytestmark = pytest.mark.django_db


def figure_kwargs(article, reporter, partner, **overrides):
    kwargs = {
        "reporter": reporter,
        "partner": partner,
        "flow": TradeFlow.TOTAL,
        "value": Decimal("150000000"),
        "qualifier": "approximately",
        "citations": [CitationInput(article=article, quote=TRADE_QUOTE)],
    }
    return {**kwargs, **overrides}


def test_trade_figure_create_records_the_quote_offsets(article, mongolia, kazakhstan):
    figure = trade_figure_create(**figure_kwargs(article, mongolia, kazakhstan))

    citation = figure.citations.get()
    assert article.text[citation.char_start : citation.char_end] == TRADE_QUOTE
    assert figure.year is None
    assert figure.currency == "USD"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": Decimal("-1")}, "value"),
        ({"year": 1492}, "year"),
        ({"currency": "dollars"}, "currency"),
        ({"citations": []}, "citations"),
    ],
)
def test_trade_figure_create_rejects_bad_input_and_writes_nothing(
    article, mongolia, kazakhstan, overrides, field
):
    with pytest.raises(ValidationError) as excinfo:
        trade_figure_create(**figure_kwargs(article, mongolia, kazakhstan, **overrides))

    assert field in excinfo.value.message_dict
    assert TradeFigure.objects.count() == 0
    assert Citation.objects.count() == 0


def test_trade_figure_create_rejects_reporter_equal_to_partner(article, mongolia):
    with pytest.raises(ValidationError) as excinfo:
        trade_figure_create(**figure_kwargs(article, mongolia, mongolia))

    assert "partner" in excinfo.value.message_dict


def test_a_quote_not_in_the_article_is_rejected(article, mongolia, kazakhstan):
    citations = [CitationInput(article=article, quote="Trade reached $999 million.")]

    with pytest.raises(ValidationError) as excinfo:
        trade_figure_create(**figure_kwargs(article, mongolia, kazakhstan, citations=citations))

    assert "does not occur" in excinfo.value.message_dict["citations"][0]
    assert TradeFigure.objects.count() == 0


def test_the_database_refuses_what_validation_refuses(mongolia, kazakhstan):
    with transaction.atomic(), pytest.raises(IntegrityError):
        TradeFigure.objects.create(
            reporter=mongolia, partner=mongolia, flow=TradeFlow.TOTAL, value=1
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        TradeFigure.objects.create(
            reporter=mongolia, partner=kazakhstan, flow=TradeFlow.TOTAL, value=-5
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        TradeFigure.objects.create(
            reporter=mongolia, partner=kazakhstan, flow="total", value=5, currency="usd"
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Actor.objects.create(name="Nowhere", slug="nowhere", kind=ActorKind.COUNTRY)


def test_trade_figure_update_that_changes_nothing_keeps_updated_at(article, mongolia, kazakhstan):
    figure = trade_figure_create(**figure_kwargs(article, mongolia, kazakhstan))
    before = figure.updated_at

    trade_figure_update(
        trade_figure=figure,
        data={"value": Decimal("150000000.00"), "reporter": mongolia},
        citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
    )

    figure.refresh_from_db()
    assert figure.updated_at == before
    assert figure.history.count() == 1


def test_agreement_keeps_the_precision_of_its_date(article, mongolia, kazakhstan):
    agreement = agreement_create(
        title="Bilateral agreements of the state visit",
        kind=AgreementKind.PACKAGE,
        signed_on=date(2024, 4, 17),
        signed_precision=DatePrecision.MONTH,
        instrument_count=14,
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
        citations=[
            CitationInput(article=article, quote="yielded 14 bilateral agreements"),
        ],
    )

    agreement.refresh_from_db()
    assert agreement.signed_on == date(2024, 4, 1)
    assert agreement.signed_on_latest == date(2024, 4, 30)
    assert agreement.signed_display == "2024-04"


def test_an_agreement_needs_two_parties(article, mongolia):
    with pytest.raises(ValidationError) as excinfo:
        agreement_create(
            title="Alone",
            kind=AgreementKind.DECLARATION,
            parties=[PartyInput(actor=mongolia)],
            citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
        )

    assert "parties" in excinfo.value.message_dict
    assert Agreement.objects.count() == 0


def test_agreement_update_replaces_parties(article, mongolia, kazakhstan):
    agreement = agreement_create(
        title="Strategic partnership",
        kind=AgreementKind.STRATEGIC_PARTNERSHIP,
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
        citations=[CitationInput(article=article, quote=TRADE_QUOTE)],
    )
    uzbekistan = make_country(2, name="Uzbekistan", iso_code="UZ")

    agreement_update(
        agreement=agreement,
        data={"signed_on": date(2024, 1, 1), "signed_precision": "year"},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=uzbekistan)],
    )

    assert set(agreement.actors.values_list("slug", flat=True)) == {"mongolia", "uzbekistan"}
    agreement.refresh_from_db()
    assert agreement.signed_on_latest == date(2024, 12, 31)


def test_actor_create_with_aliases_and_a_clear_error_for_a_country_without_code():
    actor = actor_create(
        name="United States",
        slug="united-states",
        kind=ActorKind.COUNTRY,
        iso_code="us",
        aliases=["U.S.", "Washington"],
    )
    assert actor.iso_code == "US"
    assert sorted(actor.aliases.values_list("name", flat=True)) == ["U.S.", "Washington"]

    with pytest.raises(ValidationError) as excinfo:
        actor_create(name="Nowhere", slug="nowhere", kind=ActorKind.COUNTRY)
    assert "iso_code" in excinfo.value.message_dict


def test_a_citation_written_on_its_own_is_a_change_of_its_fact(article, mongolia, kazakhstan):
    """Through its own service (the citation's admin page or API), a new or edited quote
    moves its fact's updated_at and history: a client syncing with updated_since and an
    editor's version check both see that the fact changed."""
    figure = trade_figure_create(**figure_kwargs(article, mongolia, kazakhstan))
    created_at_version = figure.updated_at

    citation = citation_create(
        article=article, quote="Mongolia's diplomatic engagement", trade_figure=figure
    )
    figure.refresh_from_db()
    after_create = figure.updated_at
    citation_update(citation=citation, data={"quote": "marks a pivotal evolution"})
    figure.refresh_from_db()

    assert created_at_version < after_create < figure.updated_at
    assert figure.history.count() == 3
    untouched = figure.updated_at
    citation_update(citation=citation, data={"quote": "marks a pivotal evolution"})
    figure.refresh_from_db()
    assert figure.updated_at == untouched
