"""Writing through the API: who may, what is checked, and that nothing is half-written."""

import pytest
from django.core.management import call_command

from actors.models import Actor, Agreement, Citation, TradeFigure
from core.services import record_restore
from core.tests.clients import VersionedAPIClient

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"
FIGURES = "/api/v1/trade-figures/"
CUTLER = "has-the-west-lost-azerbaijan"
KAZAKH_QUOTE = (
    "Kazakhstan, seizing the moment, accelerated its integration into the emergent Middle Corridor"
)
JOINT_VENTURE_QUOTE = (
    "A trilateral joint venture among Kazakhstan, Azerbaijan, and Georgia’s rail operators"
)


def joint_venture(**overrides):
    payload = {
        "title": "Kazakhstan–Azerbaijan–Georgia rail joint venture",
        "kind": "joint-venture",
        "status": "agreed",
        "signed": "2024",
        "parties": [
            {"actor": "KZ"},
            {"actor": "azerbaijan"},
            {"actor": "georgia", "role": "signatory"},
        ],
        "citations": [{"article": CUTLER, "quote": JOINT_VENTURE_QUOTE}],
    }
    return {**payload, **overrides}


def client_for(user):
    client = VersionedAPIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def accounts(editor, viewer, outsider):
    return {"anonymous": None, "outsider": outsider, "viewer": viewer, "editor": editor}


@pytest.mark.parametrize(
    ("account", "list_all", "create", "update", "delete"),
    [
        ("anonymous", 403, 401, 401, 401),
        ("outsider", 403, 403, 403, 403),
        ("viewer", 200, 403, 403, 403),
        ("editor", 200, 201, 200, 204),
    ],
)
def test_permission_matrix(dataset, accounts, account, list_all, create, update, delete):
    client = client_for(accounts[account])
    shusha = dataset.agreements.shusha
    before = Agreement.objects.count()

    assert client.get(AGREEMENTS).status_code == 200
    assert client.get(f"{AGREEMENTS}?review_status=all").status_code == list_all
    assert client.post(AGREEMENTS, joint_venture(), format="json").status_code == create
    patched = client.patch(f"{AGREEMENTS}{shusha.pk}/", {"summary": "Alliance."}, format="json")
    assert patched.status_code == update
    assert client.delete(f"{AGREEMENTS}{shusha.pk}/").status_code == delete

    written = create == 201
    assert Agreement.objects.count() == before + written - (delete == 204)
    if update != 200:
        shusha.refresh_from_db()
        assert shusha.summary == ""


def test_the_public_never_sees_records_under_review_and_editors_can_ask(api, dataset, editor):
    road = str(dataset.agreements.road_transport.pk)
    published = {str(a.pk) for a in Agreement.objects.public()}

    public = {r["id"] for r in api.get(f"{AGREEMENTS}?page_size=100").json()["results"]}
    api.force_authenticate(editor)
    editors_default = {r["id"] for r in api.get(f"{AGREEMENTS}?page_size=100").json()["results"]}
    queue = api.get(f"{AGREEMENTS}?review_status=needs_review").json()["results"]
    everything = api.get(f"{AGREEMENTS}?review_status=all&page_size=100").json()["results"]

    assert public == editors_default == published
    assert [r["id"] for r in queue] == [road]
    assert {r["id"] for r in everything} == published | {road}
    detail = api.get(f"{AGREEMENTS}{road}/")
    assert detail.status_code == 200, detail.content
    assert detail.json()["review_note"].startswith("Signed in 2024")


def test_anonymous_asking_for_records_under_review_is_told_why(api, dataset):
    response = api.get(f"{AGREEMENTS}?review_status=needs_review")

    assert response.status_code == 403
    assert "review_status=needs_review" in response.json()["detail"]
    assert api.get(f"{AGREEMENTS}{dataset.agreements.road_transport.pk}/").status_code == 404


def test_an_editor_creates_an_agreement_with_parties_and_citations_in_one_request(
    api, dataset, editor, settings
):
    # A team of one publishes what it writes (with a second editor required, see below).
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = False
    api.force_authenticate(editor)

    response = api.post(AGREEMENTS, joint_venture(review_status="published"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["signed"] == "2024"
    assert (body["signed_earliest"], body["signed_latest"]) == ("2024-01-01", "2024-12-31")
    assert [p["actor"]["slug"] for p in body["parties"]] == ["azerbaijan", "georgia", "kazakhstan"]
    assert body["citations"][0]["quote"] == JOINT_VENTURE_QUOTE
    assert body["review_status"] == "published"
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.verified_by == editor
    assert agreement.verified_at is not None


def test_an_editor_cannot_publish_the_agreement_they_create_when_a_second_editor_verifies(
    api, dataset, editor, settings
):
    settings.CACI_REVIEW_REQUIRES_SECOND_EDITOR = True
    api.force_authenticate(editor)
    before = Agreement.objects.count()

    response = api.post(AGREEMENTS, joint_venture(review_status="published"), format="json")

    assert response.status_code == 400
    assert "another editor must verify it" in " ".join(response.json()["errors"]["review_status"])
    assert Agreement.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"citations": [{"article": CUTLER, "quote": "Azerbaijan joins NATO"}]}, "citations"),
        ({"citations": []}, "citations"),
        ({"citations": [{"article": "no-such-article", "quote": "x"}]}, "citations"),
        ({"parties": [{"actor": "azerbaijan"}]}, "parties"),
        ({"parties": [{"actor": "azerbaijan"}, {"actor": "AZ"}]}, "parties"),
        ({"parties": [{"actor": "azerbaijan"}, {"actor": "atlantis"}]}, "parties"),
        ({"parties": [{"actor": "azerbaijan"}, {"actor": "china", "role": "king"}]}, "parties"),
        ({"signed": "2024-13"}, "signed"),
        ({"signed": "spring 2024"}, "signed"),
        ({"kind": "alliance"}, "kind"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_agreement_is_a_400_naming_the_field_and_writes_nothing(
    api, dataset, editor, overrides, field
):
    api.force_authenticate(editor)
    counts = (Agreement.objects.count(), Citation.objects.count())

    response = api.post(AGREEMENTS, joint_venture(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert (Agreement.objects.count(), Citation.objects.count()) == counts


def test_an_update_with_a_bad_citation_changes_nothing(api, dataset, editor):
    csp = dataset.agreements.csp
    api.force_authenticate(editor)

    response = api.patch(
        f"{AGREEMENTS}{csp.pk}/",
        {"title": "Renamed", "citations": [{"article": CUTLER, "quote": "not in the text"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "Citation 1" in response.json()["errors"]["citations"][0]
    csp.refresh_from_db()
    assert csp.title == "Azerbaijan–China Comprehensive Strategic Partnership"


def test_an_update_replaces_parties_and_keeps_the_date_precision(api, dataset, editor):
    csp = dataset.agreements.csp
    api.force_authenticate(editor)

    response = api.patch(
        f"{AGREEMENTS}{csp.pk}/",
        {
            "signed": "2025-04-23",
            "parties": [{"actor": "AZ"}, {"actor": "CN"}, {"actor": "KZ", "role": "host"}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["signed"] == "2025-04-23"
    roles = {p["actor"]["slug"]: p["role"] for p in response.json()["parties"]}
    assert roles == {"azerbaijan": "signatory", "china": "signatory", "kazakhstan": "host"}


def figure_payload(**overrides):
    payload = {
        "reporter": "KZ",
        "partner": "azerbaijan",
        "flow": "total",
        "value": "1000000",
        "year": 2024,
        "citations": [{"article": CUTLER, "quote": KAZAKH_QUOTE}],
    }
    return {**payload, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"partner": "kazakhstan"}, "partner"),
        ({"value": "-5"}, "value"),
        ({"year": 1492}, "year"),
        ({"currency": "dollars"}, "currency"),
        ({"currency": "usd1"}, "currency"),
        ({"reporter": "atlantis"}, "reporter"),
        ({"citations": [{"article": CUTLER, "quote": "Trade doubled."}]}, "citations"),
    ],
)
def test_a_bad_trade_figure_is_a_400_naming_the_field_and_writes_nothing(
    api, dataset, editor, overrides, field
):
    api.force_authenticate(editor)
    counts = (TradeFigure.objects.count(), Citation.objects.count())

    response = api.post(FIGURES, figure_payload(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert (TradeFigure.objects.count(), Citation.objects.count()) == counts


def test_an_editor_records_a_trade_figure_naming_sides_by_iso_code(api, dataset, editor):
    api.force_authenticate(editor)

    response = api.post(FIGURES, figure_payload(currency="eur"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reporter"]["slug"], body["partner"]["slug"]) == ("kazakhstan", "azerbaijan")
    assert body["currency"] == "EUR"
    assert body["review_status"] == "needs_review"
    assert TradeFigure.objects.get(pk=body["id"]).citations.count() == 1


def test_an_actor_is_created_with_aliases_and_checked_like_in_the_admin(api, dataset, editor):
    api.force_authenticate(editor)
    payload = {"name": "Tajikistan", "slug": "tajikistan", "kind": "country", "iso_code": "tj"}

    created = api.post("/api/v1/actors/", {**payload, "aliases": ["Dushanbe"]}, format="json")
    no_code = api.post(
        "/api/v1/actors/", {**payload, "slug": "tj2", "iso_code": None}, format="json"
    )
    duplicate = api.post("/api/v1/actors/", payload, format="json")
    renamed = api.patch("/api/v1/actors/tajikistan/", {"aliases": ["Tojikiston"]}, format="json")

    assert created.status_code == 201
    assert created.json()["iso_code"] == "TJ"
    assert no_code.status_code == 400
    assert "iso_code" in no_code.json()["errors"]
    assert duplicate.status_code == 400
    assert "slug" in duplicate.json()["errors"]
    assert renamed.json()["aliases"] == ["Tojikiston"]


def test_deleting_an_actor_others_rest_on_is_a_409_saying_why(api, dataset, editor):
    api.force_authenticate(editor)

    response = api.delete("/api/v1/actors/azerbaijan/")

    assert response.status_code == 409
    assert "agreement parties" in response.json()["detail"]
    assert "trade figures" in response.json()["detail"]
    assert Actor.objects.filter(slug="azerbaijan").exists()


def test_deleting_a_cited_article_is_a_409(api, dataset, editor):
    api.force_authenticate(editor)

    response = api.delete(f"/api/v1/articles/{CUTLER}/")

    assert response.status_code == 409
    assert "citations" in response.json()["detail"]


def test_session_writes_need_the_csrf_token(dataset, editor):
    client = VersionedAPIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(AGREEMENTS, joint_venture(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_script_writes_with_the_token_the_command_issues(dataset, editor, capsys):
    call_command("issue_api_token", "editor")
    key = capsys.readouterr().out.strip()
    client = VersionedAPIClient()

    response = client.post(
        AGREEMENTS, joint_venture(), format="json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 201, response.json()


def test_the_browsable_api_writes_with_the_session_and_its_csrf_token(dataset, editor):
    client = VersionedAPIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    client.get(AGREEMENTS, HTTP_ACCEPT="text/html")  # the page's form sets the CSRF cookie

    response = client.post(
        AGREEMENTS,
        joint_venture(),
        format="json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 201


def test_an_agreement_deleted_through_the_api_can_be_restored_with_its_parties(dataset, editor):
    shusha = dataset.agreements.shusha
    parties = sorted(shusha.parties.values_list("actor__slug", "role"))
    quotes = sorted(shusha.citations.values_list("quote", flat=True))

    response = client_for(editor).delete(f"{AGREEMENTS}{shusha.pk}/")

    assert response.status_code == 204
    restored = record_restore(model=Agreement, pk=shusha.pk)
    assert sorted(restored.parties.values_list("actor__slug", "role")) == parties
    assert sorted(restored.citations.values_list("quote", flat=True)) == quotes
