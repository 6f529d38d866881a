"""Errors a client can rely on: every error under /api/ is a problem details document
(RFC 9457, ``application/problem+json``), whatever raised it."""

import pytest
from knox.models import AuthToken

from actors.models import Actor

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
STANDARD = {"type", "title", "status", "detail", "code"}


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) >= STANDARD
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["detail"]
    return body


def test_an_address_no_route_matches_is_a_404_problem(api):
    body = problem_of(api.get("/api/v1/trade-figures/not-a-uuid/"), 404)

    assert body["title"] == "Not Found"
    assert body["code"] == "not_found"


def test_a_404_problem_with_debug_on_too(api, settings):
    settings.DEBUG = True

    problem_of(api.get("/api/v1/nothing-here/"), 404)


def test_a_record_not_found_is_a_404_problem(api):
    body = problem_of(api.get("/api/v1/actors/no-such-actor/"), 404)

    assert body["detail"] == "No Actor matches the given query."


def test_a_refused_parameter_is_a_400_problem_naming_it(api):
    body = problem_of(api.get("/api/v1/trade-figures/?year=abc"), 400)

    assert body["code"] == "invalid"
    assert body["errors"] == {"year": ["Enter a whole number."]}
    assert body["detail"] == "year: Enter a whole number."


def test_a_method_not_allowed_is_a_405_problem_with_allow(api, editor, mongolia):
    api.force_authenticate(editor)

    response = api.post(f"/api/v1/actors/{mongolia.slug}/", {}, format="json")

    body = problem_of(response, 405)
    assert body["detail"] == 'Method "POST" not allowed.'
    assert "GET" in response["Allow"]


def test_writing_without_an_account_is_a_401_problem(api):
    body = problem_of(api.post("/api/v1/actors/", {}, format="json"), 401)

    assert body["code"] == "not_authenticated"


def test_writing_without_the_right_is_a_403_problem(api, outsider):
    _, token = AuthToken.objects.create(user=outsider)

    response = api.post("/api/v1/actors/", {}, format="json", HTTP_AUTHORIZATION=f"Token {token}")

    assert problem_of(response, 403)["code"] == "permission_denied"


def test_deleting_a_record_others_rest_on_is_a_409_problem(api, editor, agreement):
    api.force_authenticate(editor)

    response = api.delete(f"/api/v1/actors/{agreement.parties.first().actor.slug}/")

    body = problem_of(response, 409)
    assert "agreement parties: 1" in body["detail"]


def test_an_unsupported_format_is_a_406_problem_listing_the_formats(api):
    body = problem_of(api.get("/api/v1/actors/?format=xml"), 406)

    assert body["formats"] == ["json", "api", "csv"]
    assert "format=xml" in body["detail"]
    assert "json, api, csv" in body["detail"]


def test_an_accept_the_api_cannot_satisfy_is_a_406_problem(api):
    body = problem_of(api.get("/api/v1/actors/", HTTP_ACCEPT="application/xml"), 406)

    assert body["formats"] == ["json", "api", "csv"]
    assert "text/csv" in body["detail"]


def test_a_body_in_another_media_type_is_a_415_problem(api, editor):
    api.force_authenticate(editor)

    response = api.post("/api/v1/actors/", "name=x", content_type="text/plain")

    assert problem_of(response, 415)["code"] == "unsupported_media_type"


def test_malformed_json_is_a_400_problem(api, editor):
    api.force_authenticate(editor)

    response = api.post("/api/v1/actors/", "{", content_type="application/json")

    body = problem_of(response, 400)
    assert body["code"] == "parse_error"
    assert body["detail"].startswith("JSON parse error")


def test_the_throttle_is_a_429_problem_with_retry_after(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": None},
    }
    api.get("/api/v1/actors/")

    response = api.get("/api/v1/actors/")

    assert problem_of(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_an_unexpected_error_is_a_500_problem(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr("actors.api.views.ActorViewSet.list", broken)
    api.raise_request_exception = False

    body = problem_of(api.get("/api/v1/actors/"), 500)

    assert "broken on purpose" not in body["detail"]


def test_the_browsable_api_shows_a_problem_as_a_page(api):
    response = api.get("/api/v1/actors/no-such-actor/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"No Actor matches the given query." in response.content


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/admin/no-such-page/")

    assert response.status_code in (302, 404)
    assert "json" not in response.get("Content-Type", "")


# Unknown fields in a write body -----------------------------------------------------------


def test_an_unknown_field_is_a_400_naming_it_and_nothing_changes(api, editor, trade_figure):
    api.force_authenticate(editor)
    before = trade_figure.value

    response = api.patch(f"/api/v1/trade-figures/{trade_figure.pk}/", {"valu": "5"}, format="json")

    body = problem_of(response, 400)
    assert list(body["errors"]) == ["valu"]
    assert body["errors"]["valu"][0].startswith("Unknown field. This takes: ")
    assert "value" in body["errors"]["valu"][0]
    trade_figure.refresh_from_db()
    assert trade_figure.value == before


def test_an_unknown_field_inside_a_citation_is_named_by_its_place(
    api, editor, article, mongolia, kazakhstan
):
    api.force_authenticate(editor)
    payload = {
        "reporter": "MN",
        "partner": "KZ",
        "flow": "total",
        "value": "1",
        "citations": [{"article": article.slug, "quote": "x", "page": 3}],
    }

    body = problem_of(api.post("/api/v1/trade-figures/", payload, format="json"), 400)

    assert body["errors"] == {"citations": [{"page": [body["errors"]["citations"][0]["page"][0]]}]}
    assert body["errors"]["citations"][0]["page"][0].startswith("Unknown field.")


def test_a_read_only_field_in_a_write_body_is_refused_as_such(api, editor, mongolia):
    api.force_authenticate(editor)

    response = api.patch(
        f"/api/v1/actors/{mongolia.slug}/", {"url": "http://elsewhere/"}, format="json"
    )

    body = problem_of(response, 400)
    assert list(body["errors"]) == ["url"]
    assert Actor.objects.get(pk=mongolia.pk).name == "Mongolia"
