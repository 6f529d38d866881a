"""A partial date and an actor reference read the same through every door that takes them
as text: the API, the admin, spreadsheets and the API's filters."""

from datetime import date

import pytest
import tablib
from django.urls import reverse

from actors.models import Actor, ActorAlias, Agreement, TradeFigure
from actors.resources import AgreementResource, TradeFigureResource
from actors.services import actor_create
from actors.tests.factories import make_country
from articles.tests.factories import AGREEMENT_QUOTE, TRADE_QUOTE
from caci.tests.helpers import form_data

pytestmark = pytest.mark.django_db

PARTIAL_DATES = {
    "2025-04-17": (date(2025, 4, 17), "day"),
    "2025-04": (date(2025, 4, 1), "month"),
    "2025": (date(2025, 1, 1), "year"),
    " 2025-04 ": (date(2025, 4, 1), "month"),
    # Months and days take two digits, as the dataset writes them.
    "2025-4": None,
    "2025-4-17": None,
    "2025-13": None,
    "2025-02-30": None,
    "April 2025": None,
    "25": None,
}
REFUSAL = "is not a date as far as it is known: write 2025-04-17 (a day), 2025-04 (a month)"


def sheet_of(row: dict) -> tablib.Dataset:
    return tablib.Dataset(list(row.values()), headers=list(row))


def through_the_api(api, editor, text):
    api.force_authenticate(editor)
    response = api.post(
        "/api/v1/agreements/",
        {
            "title": "Through the API",
            "kind": "package",
            "signed": text,
            "parties": [{"actor": "MN"}, {"actor": "UZ"}],
            "citations": [{"article": "article-1", "quote": AGREEMENT_QUOTE}],
        },
        format="json",
    )
    if response.status_code == 201:
        return True, response.json()["signed"]
    return False, response.json()["errors"].get("signed", [])


def through_the_admin(client, article, parties, text):
    add = reverse("admin:actors_agreement_add")
    values = {"title": "Through the admin", "kind": "package", "status": "signed"}
    for index, actor in enumerate(parties):
        values[f"parties-{index}-actor"] = actor.pk
        values[f"parties-{index}-role"] = "signatory"
    values |= {"citations-0-article": article.pk, "citations-0-quote": AGREEMENT_QUOTE}
    response = client.post(add, form_data(client.get(add), **values, signed=text))
    if response.status_code == 302:
        return True, []
    return False, response.context["adminform"].form.errors.get("signed", [])


def through_a_sheet(text):
    row = {
        "id": "",
        "title": "Through a sheet",
        "kind": "package",
        "signed": text,
        "parties": "MN; UZ",
        "citation_1_article": "article-1",
        "citation_1_quote": AGREEMENT_QUOTE,
    }
    result = AgreementResource().import_data(sheet_of(row), raise_errors=False)
    if result.has_validation_errors():
        return False, result.invalid_rows[0].field_specific_errors.get("signed", [])
    return True, []


@pytest.mark.parametrize("text", PARTIAL_DATES)
def test_a_partial_date_reads_the_same_through_the_api_the_admin_and_a_sheet(
    api, editor, editor_client, article, mongolia, uzbekistan, text
):
    doors = {
        "api": through_the_api(api, editor, text),
        "admin": through_the_admin(editor_client, article, [mongolia, uzbekistan], text),
        "sheet": through_a_sheet(text),
    }

    expected = PARTIAL_DATES[text]
    if expected is None:
        assert {door: accepted for door, (accepted, _) in doors.items()} == dict.fromkeys(
            doors, False
        )
        for door, (_, messages) in doors.items():
            assert any(REFUSAL in str(message) for message in messages), (door, messages)
        assert Agreement.objects.count() == 0
    else:
        assert all(accepted for accepted, _ in doors.values()), doors
        stored = Agreement.objects.values_list("title", "signed_on", "signed_precision")
        assert sorted(stored) == [
            ("Through a sheet", *expected),
            ("Through the API", *expected),
            ("Through the admin", *expected),
        ]


ACTOR_REFERENCES = {
    "mongolia": "mongolia",  # a slug
    "MN": "mongolia",  # an ISO code, in any case
    "mn": "mongolia",
    "Mongolia": "mongolia",  # a name, in any case
    "ulaanbaatar": "mongolia",  # an alias, in any case
    "atlantis": "No actor has the slug, ISO code, name or alias “atlantis”.",
    "Steppe": "“Steppe” names several actors (mongolia, uzbekistan): give the slug.",
}


@pytest.mark.parametrize("reference", ACTOR_REFERENCES)
def test_an_actor_reference_reads_the_same_through_the_api_its_filters_and_a_sheet(
    api, editor, article, mongolia, kazakhstan, uzbekistan, reference
):
    for actor in (mongolia, uzbekistan):
        ActorAlias.objects.create(actor=actor, name="Steppe")
    expected = ACTOR_REFERENCES[reference]
    api.force_authenticate(editor)

    created = api.post(
        "/api/v1/trade-figures/",
        {
            "reporter": reference,
            "partner": "KZ",
            "flow": "total",
            "value": "150000000",
            "citations": [{"article": "article-1", "quote": TRADE_QUOTE}],
        },
        format="json",
    )
    filtered = api.get("/api/v1/trade-figures/", {"reporter": reference, "review_status": "all"})
    row = {
        "id": "",
        "reporter": reference,
        "partner": "kazakhstan",
        "flow": "total",
        "value": "150000000",
        "citation_1_article": "article-1",
        "citation_1_quote": TRADE_QUOTE,
    }
    sheet = TradeFigureResource().import_data(sheet_of(row), raise_errors=False)

    if expected == "mongolia":
        assert created.status_code == 201, created.json()
        assert created.json()["reporter"]["slug"] == "mongolia"
        assert filtered.status_code == 200
        assert [r["id"] for r in filtered.json()["results"]] == [created.json()["id"]]
        assert not sheet.has_validation_errors()
        assert TradeFigure.objects.filter(reporter=mongolia).count() == 2
    else:
        assert created.json()["errors"] == {"reporter": [expected]}
        assert filtered.json()["errors"] == {"reporter": [expected]}
        assert sheet.invalid_rows[0].field_specific_errors == {"reporter": [expected]}
        assert TradeFigure.objects.count() == 0


def test_a_slug_wins_over_another_actors_iso_code():
    georgia = make_country(5, name="Georgia", iso_code="GE")
    company = actor_create(name="GE Vernova", slug="ge", kind="company")

    assert Actor.objects.by_reference("ge") == company
    assert Actor.objects.by_reference("GE") == georgia
    assert Actor.objects.by_reference("Georgia") == georgia
