"""The shared test datasets, written through the services.

``dataset_build``: a small dataset like the seeded one. Four articles excerpted from the
corpus (caci/tests/excerpts.json: the lede and a few paragraphs of each, verbatim), the
actors they discuss, and agreements and trade figures citing passages of them, some
published and some still under review. The ``dataset`` fixture (conftest.py) builds it
once per test module, with ``built_for_module``.

``records_populate``: ``size`` records of every model, for what must cost the same
whatever the number of rows (the admin's lists).
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from actors.models import (
    ActorIdentifier,
    ActorKind,
    AgreementKind,
    DatePrecision,
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
from actors.tests.factories import make_agreement, make_country, make_trade_figure
from articles.models import Section
from articles.services import article_create, author_create
from articles.tests.factories import make_article
from bundles.models import ImportRun
from core.editorial import ReviewStatus
from core.services import records_publish

EXCERPTS = json.loads((Path(__file__).parent / "excerpts.json").read_text())
PUBLISHED = ReviewStatus.PUBLISHED
NEEDS_REVIEW = ReviewStatus.NEEDS_REVIEW

COUNTRIES = {
    "mongolia": ("Mongolia", "MN"),
    "kazakhstan": ("Kazakhstan", "KZ"),
    "kyrgyzstan": ("Kyrgyzstan", "KG"),
    "uzbekistan": ("Uzbekistan", "UZ"),
    "azerbaijan": ("Azerbaijan", "AZ"),
    "china": ("China", "CN"),
    "russia": ("Russia", "RU"),
    "iran": ("Iran", "IR"),
    "georgia": ("Georgia", "GE"),
    "armenia": ("Armenia", "AM"),
    "turkey": ("Turkey", "TR"),
    "united-states": ("United States", "US"),
}
ALIASES = {"united-states": ["U.S.", "Washington"], "russia": ["Moscow"]}


def _cite(article, quote):
    return [CitationInput(article=article, quote=quote)]


def dataset_build() -> SimpleNamespace:
    data = SimpleNamespace()
    # The editor who checked the published records against their sources.
    data.reviewer = get_user_model().objects.create_user(
        username="dataset-reviewer", password=None, is_staff=True
    )
    to_publish = []

    def published(record, status=PUBLISHED):
        if status == PUBLISHED:
            to_publish.append(record)
        return record

    a = data.actors = SimpleNamespace()
    for slug, (name, iso_code) in COUNTRIES.items():
        actor = actor_create(
            name=name,
            slug=slug,
            kind=ActorKind.COUNTRY,
            iso_code=iso_code,
            aliases=ALIASES.get(slug, ()),
        )
        setattr(a, slug.replace("-", "_"), actor)
    a.sco = actor_create(
        name="Shanghai Cooperation Organization",
        slug="shanghai-cooperation-organization",
        kind=ActorKind.ORGANIZATION,
        aliases=["SCO"],
    )

    authors = data.authors = SimpleNamespace(
        navaan_yunden=author_create(
            name="Chimguundari Navaan-Yunden", slug="chimguundari-navaan-yunden"
        ),
        gantulga=author_create(name="Tuvshinzaya Gantulga", slug="tuvshinzaya-gantulga"),
        cutler=author_create(name="Robert M. Cutler", slug="robert-m-cutler"),
        avdaliani=author_create(name="Emil Avdaliani", slug="emil-avdaliani"),
        sukhankin=author_create(name="Sergey Sukhankin", slug="sergey-sukhankin"),
    )

    def article(slug, excerpt, authors, **kwargs):
        status = kwargs.pop("review_status", PUBLISHED)
        return published(
            article_create(
                slug=slug,
                section=Section.ANALYTICAL_ARTICLES,
                lede=EXCERPTS[excerpt]["lede"],
                body=EXCERPTS[excerpt]["body"],
                authors=authors,
                **kwargs,
            ),
            status,
        )

    articles = data.articles = SimpleNamespace(
        mongolia=article(
            "mongolias-pivot-to-central-asia-and-the-caucasus",
            "mongolia",
            [authors.navaan_yunden, authors.gantulga],
            title="Mongolia's Pivot to Central Asia and the Caucasus: Strategic Realignments "
            "and Regional Implications",
            publisher_item_id=13871,
        ),
        cutler=article(
            "has-the-west-lost-azerbaijan",
            "cutler",
            [authors.cutler],
            title='Has the West "Lost" Azerbaijan?',
            published_on=date(2025, 6, 5),
        ),
        avdaliani=article(
            "with-a-potential-deal-in-ukraine-russia-could-also-secure-the-south-caucasus",
            "avdaliani",
            [authors.avdaliani],
            title="With a Potential Deal in Ukraine, Russia Could Also Secure the South Caucasus",
            published_on=date(2025, 3, 19),
            publisher_item_id=13855,
        ),
        sukhankin=article(
            "the-new-russia-iran-treaty-implications-for-the-south-caucasus-region",
            "sukhankin",
            [authors.sukhankin],
            title="The New Russia-Iran Treaty: Implications for the South Caucasus Region",
            published_on=date(2025, 2, 21),
            publisher_item_id=13848,
        ),
        # A second piece by the same author, still under review and mentioning no Russia.
        avdaliani_draft=article_create(
            slug="avdaliani-draft-on-the-middle-corridor",
            title="The Middle Corridor after 2024",
            section=Section.FIELD_REPORTS,
            published_on=date(2025, 1, 10),
            lede="The Middle Corridor connects Azerbaijan and Georgia to Central Asia.",
            authors=[authors.avdaliani],
        ),
    )

    mentions = {
        articles.mongolia: ["mongolia", "kazakhstan", "kyrgyzstan", "uzbekistan", "azerbaijan"],
        articles.cutler: ["azerbaijan", "china", "kazakhstan", "turkey"],
        articles.avdaliani: ["russia", "united-states", "armenia", "azerbaijan", "georgia"],
        articles.sukhankin: ["russia", "iran", "azerbaijan"],
        articles.avdaliani_draft: ["azerbaijan", "georgia"],
    }
    for mentioning, slugs in mentions.items():
        for slug in slugs:
            mention = Mention(article=mentioning, actor=getattr(a, slug.replace("-", "_")))
            mention.full_clean()
            mention.save()

    def parties(*actors):
        return [PartyInput(actor=actor) for actor in actors]

    data.agreements = SimpleNamespace(
        csp=published(
            agreement_create(
                title="Azerbaijan–China Comprehensive Strategic Partnership",
                kind=AgreementKind.STRATEGIC_PARTNERSHIP,
                parties=parties(a.azerbaijan, a.china),
                citations=_cite(
                    articles.cutler,
                    "Azerbaijani President Ilham Aliyev’s April 2025 state visit to China, "
                    "culminating in the signing of a Comprehensive Strategic Partnership",
                ),
                signed_on=date(2025, 4, 1),
                signed_precision=DatePrecision.MONTH,
            )
        ),
        sco_declaration=published(
            agreement_create(
                title="Azerbaijan–China joint declaration on strategic partnership",
                kind=AgreementKind.DECLARATION,
                parties=parties(a.azerbaijan, a.china),
                citations=_cite(
                    articles.cutler,
                    "The signing of a joint declaration on strategic partnership at the Shanghai "
                    "Cooperation Organization summit in July 2024",
                ),
                signed_on=date(2024, 7, 1),
                signed_precision=DatePrecision.MONTH,
            )
        ),
        shusha=published(
            agreement_create(
                title="Shusha Declaration",
                kind=AgreementKind.DECLARATION,
                parties=parties(a.turkey, a.azerbaijan),
                citations=_cite(
                    articles.cutler,
                    "Turkey’s deepening military partnership with Azerbaijan, formalized through "
                    "the Shusha Declaration of 2021",
                ),
                signed_on=date(2021, 1, 1),
                signed_precision=DatePrecision.YEAR,
            )
        ),
        russia_iran=published(
            agreement_create(
                title="Russia–Iran Treaty on Comprehensive Strategic Partnership",
                kind=AgreementKind.TREATY,
                parties=parties(a.russia, a.iran),
                citations=_cite(
                    articles.sukhankin,
                    "On January 17, Russia and Iran signed a Treaty on Comprehensive Strategic "
                    "Partnership",
                ),
                signed_on=date(2025, 1, 17),
                signed_precision=DatePrecision.DAY,
            )
        ),
        # Under review: the source says "2024 and 2025" without saying which.
        road_transport=agreement_create(
            title="Azerbaijan–China road transport agreements",
            kind=AgreementKind.PACKAGE,
            parties=parties(a.azerbaijan, a.china),
            citations=_cite(
                articles.cutler,
                "Cross-border road transport agreements and operational protocols with "
                "China, concluded in 2024 and 2025",
            ),
            signed_on=date(2024, 1, 1),
            signed_precision=DatePrecision.YEAR,
            review_note="Signed in 2024 or 2025: the source does not say which.",
        ),
    )

    def figure(reporter, partner, flow, value, quote, article=articles.mongolia, **kwargs):
        status = kwargs.pop("review_status", PUBLISHED)
        return published(
            trade_figure_create(
                reporter=reporter,
                partner=partner,
                flow=flow,
                value=Decimal(value),
                citations=_cite(article, quote),
                **kwargs,
            ),
            status,
        )

    horse_meat = (
        "with Mongolian exports of horse meat growing from $2.9 million in 2017 to $8.3 "
        "million in 2022"
    )
    kazakh_exports = (
        "Kazakhstan's exports to Mongolia, primarily industrial and consumer goods, "
        "increased from approximately $72.9 million to $93 million during the same period"
    )
    data.figures = SimpleNamespace(
        mn_kz_total=figure(
            a.mongolia,
            a.kazakhstan,
            TradeFlow.TOTAL,
            "150000000",
            "Trade with Kazakhstan has reached approximately $150 million annually",
            qualifier="approximately",
        ),
        horse_meat_2017=figure(
            a.mongolia,
            a.kazakhstan,
            TradeFlow.EXPORT,
            "2900000",
            horse_meat,
            commodity="horse meat",
            year=2017,
        ),
        horse_meat_2022=figure(
            a.mongolia,
            a.kazakhstan,
            TradeFlow.EXPORT,
            "8300000",
            horse_meat,
            commodity="horse meat",
            year=2022,
        ),
        kz_exports_2017=figure(
            a.kazakhstan,
            a.mongolia,
            TradeFlow.EXPORT,
            "72900000",
            kazakh_exports,
            commodity="industrial and consumer goods",
            year=2017,
            qualifier="approximately",
        ),
        kz_exports_2022=figure(
            a.kazakhstan,
            a.mongolia,
            TradeFlow.EXPORT,
            "93000000",
            kazakh_exports,
            commodity="industrial and consumer goods",
            year=2022,
        ),
        mn_kg_2017=figure(
            a.mongolia,
            a.kyrgyzstan,
            TradeFlow.TOTAL,
            "2000000",
            "Mongolia's trade with Kyrgyzstan doubled from about $2 million in 2017",
            year=2017,
            qualifier="approximately",
        ),
        az_cn_2024=figure(
            a.azerbaijan,
            a.china,
            TradeFlow.TOTAL,
            "3740000000",
            "The two countries’ trade in 2024 was over 20 percent above its 2023 level, "
            "reaching nearly US$ 3.74 billion",
            article=articles.cutler,
            year=2024,
            qualifier="nearly",
        ),
        ru_ir_2024=figure(
            a.russia,
            a.iran,
            TradeFlow.TOTAL,
            "4000000000",
            "In 2024, the reported trade volume between the two countries did not exceed "
            "US$ 4 billion",
            article=articles.sukhankin,
            year=2024,
            qualifier="at-most",
        ),
        # Under review: the source gives exports "approximately", with no partner's figure.
        mn_az_2024=figure(
            a.mongolia,
            a.azerbaijan,
            TradeFlow.EXPORT,
            "1600000",
            "particularly with Azerbaijan, where exports surged to approximately $1.6 million "
            "in 2024",
            commodity="livestock products",
            year=2024,
            qualifier="approximately",
            review_status=NEEDS_REVIEW,
        ),
    )
    records_publish(records=to_publish, user=data.reviewer)
    return data


def built_for_module(django_db_blocker, build):
    """Yield what ``build`` writes, inside a transaction rolled back after the module.

    This is Django's ``setUpTestData`` for pytest: each test runs in its own savepoint
    within the transaction, so what a test writes is undone after it and the data stays
    as built for the next one.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
            # The foreign keys of what was built are checked at commit: until then their
            # checks wait in this transaction. Each test's end checks them inside the test's
            # savepoint, whose rollback sets them waiting again, so every test paid for all
            # of them (seconds per test over large tables): checked here, they are done.
            connection.check_constraints()
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def records_populate(size: int) -> None:
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
