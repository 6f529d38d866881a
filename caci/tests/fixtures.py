"""Test data for the admin, history and spreadsheet tests: a small graph of every model,
written through the services as an editor would."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from actors.models import (
    ActorIdentifier,
    ActorKind,
    AgreementKind,
    IdentifierScheme,
    Mention,
    TradeFlow,
)
from actors.services import (
    CitationInput,
    PartyInput,
    actor_create,
    agreement_create,
    trade_figure_create,
)
from articles.models import Section
from articles.services import article_create, author_create
from bundles.models import ImportRun

LEDE = "Mongolia's diplomatic engagement with Central Asia marks a pivotal evolution."
BODY = (
    "Trade with Kazakhstan has reached approximately $150 million annually.\n\n"
    "The visit to Uzbekistan yielded 14 bilateral agreements."
)
TRADE_QUOTE = "Trade with Kazakhstan has reached approximately $150 million annually."
AGREEMENT_QUOTE = "yielded 14 bilateral agreements"
PASSWORD = "a-long-test-passphrase-17"  # noqa: S105


def make_article(number: int = 1, **overrides):
    author = author_create(name=f"Author {number}", slug=f"author-{number}")
    fields = {
        "slug": f"article-{number}",
        "title": f"Article {number}",
        "section": Section.ANALYTICAL_ARTICLES,
        "lede": LEDE,
        "body": BODY,
        "authors": [author],
        **overrides,
    }
    return article_create(**fields)


def make_country(number: int, name: str | None = None, iso_code: str | None = None, **kwargs):
    code = iso_code or f"{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}"
    return actor_create(
        name=name or f"Country {number}",
        slug=(name or f"country-{number}").lower().replace(" ", "-"),
        kind=ActorKind.COUNTRY,
        iso_code=code,
        **kwargs,
    )


def make_agreement(article, parties, number: int = 1, **overrides):
    fields = {
        "title": f"Agreement {number}",
        "kind": AgreementKind.PACKAGE,
        "parties": [PartyInput(actor=actor) for actor in parties],
        "citations": [CitationInput(article=article, quote=AGREEMENT_QUOTE)],
        **overrides,
    }
    return agreement_create(**fields)


def make_trade_figure(article, reporter, partner, **overrides):
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


def populate(size: int) -> None:
    """``size`` records of every model, each with the relations its list shows."""
    for number in range(size):
        article = make_article(number)
        first = make_country(2 * number, aliases=[f"Alias {number}"])
        second = make_country(2 * number + 1)
        ActorIdentifier.objects.create(
            actor=first, scheme=IdentifierScheme.WIKIDATA, value=f"Q{number}"
        )
        Mention.objects.create(article=article, actor=first)
        make_agreement(article, [first, second], number=number)
        make_trade_figure(article, first, second)
        ImportRun.objects.create(
            started_at=timezone.now(),
            finished_at=timezone.now(),
            files=[f"bundle-{number}.json"],
            counts={"actors.actor": {"created": 2, "updated": 0, "conflicts": 0}},
        )


@pytest.fixture
def article():
    return make_article(1)


@pytest.fixture
def mongolia():
    return make_country(0, name="Mongolia", iso_code="MN", aliases=["Ulaanbaatar"])


@pytest.fixture
def kazakhstan():
    return make_country(1, name="Kazakhstan", iso_code="KZ")


@pytest.fixture
def uzbekistan():
    return make_country(2, name="Uzbekistan", iso_code="UZ")


@pytest.fixture
def agreement(article, mongolia, uzbekistan):
    return make_agreement(article, [mongolia, uzbekistan])


@pytest.fixture
def trade_figure(article, mongolia, kazakhstan):
    return make_trade_figure(article, mongolia, kazakhstan)


def _staff_user(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return _staff_user(django_user_model, "editor", "Editors")


@pytest.fixture
def viewer(django_user_model):
    return _staff_user(django_user_model, "viewer", "Viewers")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
