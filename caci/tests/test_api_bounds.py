"""Bounded input: what a request may ask of the API, each bound a 400 or 413 problem (never
a 500, never minutes of work), on either database."""

import base64
import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from knox.models import AuthToken

from actors.models import Actor
from actors.tests.factories import make_country
from core.rest import limits

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LISTS = ["articles", "authors", "actors", "agreements", "trade-figures", "tombstones"]


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    return body


# The query string ---------------------------------------------------------------------------


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("position", ["p=abc", "p=", "p=99999999999999999999999", "o=-1"])
def test_a_crafted_cursor_is_a_400(api, settings, resource, position):
    settings.DEBUG = False
    cursor = quote(base64.b64encode(position.encode()).decode())

    body = problem_of(api.get(f"/api/v1/{resource}/?cursor={cursor}"), 400)

    assert body["errors"] == {"cursor": ["This cursor is not valid: follow a `next` link."]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles/?search=",
        "/api/v1/authors/?q=",
        "/api/v1/actors/?q=",
        "/api/v1/trade-figures/?commodity=",
        "/api/v1/actors/?mentioned_in=",
    ],
)
def test_a_50_kb_filter_value_is_a_400(api, url):
    name = url.split("?")[1][:-1]

    body = problem_of(api.get(url + "x" * 50_000), 400)

    assert body["errors"] == {name: [f"At most {limits.MAX_PARAM_LENGTH:,} characters."]}


@pytest.mark.parametrize("url", ["/api/v1/articles/?search=", "/api/v1/actors/?q="])
def test_a_search_of_a_thousand_words_is_a_400(api, url):
    words = " ".join(["pipeline"] * 1000)
    name = url.split("?")[1][:-1]

    body = problem_of(api.get(url + quote(words[: limits.MAX_PARAM_LENGTH])), 400)

    assert body["errors"] == {name: [f"At most {limits.MAX_SEARCH_WORDS} words."]}


def test_a_search_within_the_bounds_is_answered(api):
    words = " ".join(["pipeline"] * limits.MAX_SEARCH_WORDS)

    response = api.get(f"/api/v1/articles/?search={quote(words)}")

    assert response.status_code == 200


@pytest.mark.parametrize("debug", [False, True])
def test_more_than_a_thousand_parameters_is_a_400(api, settings, debug):
    settings.DEBUG = debug
    query = "&".join(f"p{number}=1" for number in range(1500))

    body = problem_of(api.get(f"/api/v1/actors/?{query}"), 400)

    assert body["code"] == "too_many_parameters"


def test_more_parameters_than_the_api_takes_is_a_400(api):
    query = "&".join(["kind=country"] * (limits.MAX_QUERY_PARAMS + 1))

    body = problem_of(api.get(f"/api/v1/actors/?{query}"), 400)

    assert body["detail"] == (
        f"The query string has more than {limits.MAX_QUERY_PARAMS} parameters."
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("count=some", "count"),
        ("pagination=pages", "pagination"),
        ("pagination=page&cursor=abc", "cursor"),
        ("cursor=cD1hYmM%3D", "cursor"),
    ],
)
def test_a_csv_export_checks_the_pagination_parameters_as_json_does(api, query, parameter):
    json_body = problem_of(api.get(f"/api/v1/trade-figures/?{query}"), 400)
    csv_body = problem_of(api.get(f"/api/v1/trade-figures/?format=csv&{query}"), 400)

    assert list(csv_body["errors"]) == [parameter]
    assert csv_body["errors"] == json_body["errors"]


# The body -----------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return '{"name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 330, 100_000])
def test_a_body_nested_too_deep_is_a_400(api, editor, mongolia, depth):
    api.force_authenticate(editor)

    response = api.patch(
        f"/api/v1/actors/{mongolia.slug}/", nested(depth), content_type="application/json"
    )

    body = problem_of(response, 400)
    assert body["detail"] == (
        f"The JSON nests arrays and objects more than {limits.MAX_JSON_DEPTH} deep."
    )


def test_a_body_nested_within_the_bound_is_read(api, editor, mongolia):
    api.force_authenticate(editor)

    response = api.patch(
        f"/api/v1/actors/{mongolia.slug}/",
        nested(limits.MAX_JSON_DEPTH),
        content_type="application/json",
    )

    # Read, then refused for what it says: a name is not a list.
    assert problem_of(response, 400)["errors"] == {"name": ["Not a valid string."]}


def test_a_body_larger_than_allowed_is_a_413(api, editor, mongolia, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api.force_authenticate(editor)
    payload = json.dumps({"description": "x" * 20_000})

    response = api.patch(
        f"/api/v1/actors/{mongolia.slug}/", payload, content_type="application/json"
    )

    body = problem_of(response, 413)
    assert body["detail"] == "The request's body is larger than the 10,000 bytes allowed."
    assert Actor.objects.get(pk=mongolia.pk).description == mongolia.description


def test_a_list_longer_than_allowed_is_a_400_on_its_field(api, editor, mongolia):
    api.force_authenticate(editor)
    aliases = [f"Name {number}" for number in range(limits.MAX_LIST_ITEMS + 1)]

    response = api.patch(f"/api/v1/actors/{mongolia.slug}/", {"aliases": aliases}, format="json")

    body = problem_of(response, 400)
    assert body["errors"] == {"aliases": [f"At most {limits.MAX_LIST_ITEMS} items."]}
    assert list(mongolia.aliases.values_list("name", flat=True)) == ["Ulaanbaatar"]


@pytest.mark.parametrize(
    ("resource", "field"),
    [("agreements", "parties"), ("agreements", "citations"), ("trade-figures", "citations")],
)
def test_every_list_of_a_write_body_is_bounded(api, editor, resource, field):
    api.force_authenticate(editor)
    items = [{"actor": "x", "article": "x"}] * (limits.MAX_LIST_ITEMS + 1)

    response = api.post(f"/api/v1/{resource}/", {field: items}, format="json")

    assert problem_of(response, 400)["errors"][field] == [
        f"At most {limits.MAX_LIST_ITEMS} items."
    ]


def test_a_byline_is_bounded(api, editor):
    api.force_authenticate(editor)
    authors = ["someone"] * (limits.MAX_LIST_ITEMS + 1)

    response = api.post("/api/v1/articles/", {"authors": authors}, format="json")

    assert problem_of(response, 400)["errors"]["authors"] == [
        f"At most {limits.MAX_LIST_ITEMS} items."
    ]


def test_the_schema_says_how_long_a_list_may_be(api):
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schema["ActorWriteRequest"]["properties"]["aliases"]["maxItems"] == (
        limits.MAX_LIST_ITEMS
    )
    assert schema["AgreementWriteRequest"]["properties"]["parties"]["maxItems"] == (
        limits.MAX_LIST_ITEMS
    )


# Through real servers -------------------------------------------------------------------------


def served(url: str, method: str = "GET", body: bytes | None = None, headers=None):
    """(status, Content-Type, parsed body) of a request to a real server."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.loads(error.read())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("editorial_groups")  # an earlier test's flush may have taken them
def test_the_hostile_requests_are_problems_under_a_real_wsgi_server(live_server, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    _, token = AuthToken.objects.create(user=editor)
    actor = make_country(0, name="Mongolia", iso_code="MN")
    # Any version (If-Match: *): what is refused here is the body, not a missing version.
    write = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "If-Match": "*",
    }
    api = f"{live_server.url}/api/v1"
    many = "&".join(f"p{number}=1" for number in range(1500))

    answers = {
        "crafted cursor": served(f"{api}/actors/?cursor=cD1hYmM%3D"),
        "no such route": served(f"{api}/trade-figures/not-a-uuid/"),
        "xml": served(f"{api}/actors/?format=xml"),
        "50 KB filter": served(f"{api}/trade-figures/?commodity={'x' * 50_000}"),
        "1,500 parameters": served(f"{api}/actors/?{many}"),
        "deep JSON": served(f"{api}/actors/{actor.slug}/", "PATCH", nested(330).encode(), write),
        "large body": served(
            f"{api}/actors/{actor.slug}/",
            "PATCH",
            json.dumps({"description": "x" * 20_000}).encode(),
            write,
        ),
        "unknown field": served(
            f"{api}/actors/{actor.slug}/", "PATCH", b'{"nmae": "Mongol Uls"}', write
        ),
    }

    assert {what: (status, kind) for what, (status, kind, _) in answers.items()} == {
        "crafted cursor": (400, PROBLEM),
        "no such route": (404, PROBLEM),
        "xml": (406, PROBLEM),
        "50 KB filter": (400, PROBLEM),
        "1,500 parameters": (400, PROBLEM),
        "deep JSON": (400, PROBLEM),
        "large body": (413, PROBLEM),
        "unknown field": (400, PROBLEM),
    }
    assert all(body["status"] == status for status, _, body in answers.values())
    assert answers["unknown field"][2]["errors"].keys() == {"nmae"}
    assert Actor.objects.get(pk=actor.pk).name == "Mongolia"


def test_an_unknown_address_is_a_problem_under_gunicorn_in_production(production):
    # DJANGO_DEBUG=0, served as the README's "Deploying" says.
    answers = [
        served(f"{production.url}/api/v1/trade-figures/not-a-uuid/"),
        served(f"{production.url}/api/v1/actors/?cursor=cD1hYmM%3D"),
        served(f"{production.url}/api/v1/actors/?format=xml"),
    ]

    assert [(status, kind) for status, kind, _ in answers] == [
        (404, PROBLEM),
        (400, PROBLEM),
        (406, PROBLEM),
    ]
    assert answers[2][2]["formats"] == ["json", "api", "csv"]
