"""What every resource of the API shares: paging, query costs, strictness, throttling."""

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from actors.models import Actor, ActorKind, TradeFigure
from core.rest import pagination
from core.tests.clients import VersionedAPIClient

pytestmark = pytest.mark.django_db

# Each list is one query whatever the page size or the mode: the page with its count
# (numbered pages) and each related list its records embed, aggregated by the database.
LISTS = [
    "/api/v1/articles/",
    "/api/v1/authors/",
    "/api/v1/actors/",
    "/api/v1/agreements/",
    "/api/v1/trade-figures/",
]


@pytest.mark.parametrize("mode", ["page", "cursor"])
@pytest.mark.parametrize("page_size", [1, 50])
@pytest.mark.parametrize("url", LISTS)
def test_a_list_is_one_query_whatever_the_page_size(
    api, dataset, django_assert_num_queries, url, page_size, mode
):
    with django_assert_num_queries(1):
        response = api.get(f"{url}?page_size={page_size}&pagination={mode}&count=exact")

    body = response.json()
    assert response.status_code == 200
    assert len(body["results"]) == min(page_size, body["count"])


@pytest.mark.parametrize("url", LISTS)
def test_a_csv_export_is_one_query(api, dataset, django_assert_num_queries, url):
    with django_assert_num_queries(1):
        response = api.get(f"{url}?format=csv")
        b"".join(response.streaming_content)


def test_a_cursor_walks_the_whole_result_at_a_constant_cost(api, dataset):
    expected = {str(pk) for pk in TradeFigure.objects.public().values_list("pk", flat=True)}
    seen, page_queries = [], []
    url = "/api/v1/trade-figures/?pagination=cursor&page_size=2"
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = api.get(url).json()
        page_queries.append(len(queries))
        assert "count" not in body
        seen += [record["id"] for record in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(expected)  # each record once, in identifier order
    assert seen == sorted(seen)
    assert set(page_queries) == {1}  # the keyset page with its citations: no COUNT, no OFFSET


def test_a_cursor_carries_a_position_not_an_offset(api, dataset):
    body = api.get("/api/v1/trade-figures/?pagination=cursor&page_size=2").json()
    cursor = parse_qs(urlparse(body["next"]).query)["cursor"][0]

    position = parse_qs(base64.b64decode(cursor).decode())

    assert position["p"] == [body["results"][-1]["id"]]
    assert "o" not in position


def test_the_page_size_is_capped(api, db):
    Actor.objects.bulk_create(
        Actor(name=f"Company {n}", slug=f"company-{n}", kind=ActorKind.COMPANY)
        for n in range(1005)
    )

    page = api.get("/api/v1/actors/?page_size=5000").json()
    cursor = api.get("/api/v1/actors/?page_size=5000&pagination=cursor").json()

    assert page["count"] == Actor.objects.count() > 1000
    assert len(page["results"]) == 200
    assert "page=2" in page["next"]
    assert len(cursor["results"]) == 1000
    assert "cursor=" in cursor["next"]


def test_the_large_lists_page_with_a_cursor_by_default(api, dataset):
    for url in ("/api/v1/articles/", "/api/v1/agreements/", "/api/v1/trade-figures/"):
        body = api.get(f"{url}?page_size=1").json()
        ordered = api.get(f"{url}?page_size=1&ordering=-updated_at").json()

        assert "count" not in body
        assert "cursor=" in body["next"]
        assert ordered["count"] > 1
        assert "page=2" in ordered["next"]


def test_numbered_pages_count_up_to_a_limit_and_say_so(api, dataset, monkeypatch):
    monkeypatch.setattr(pagination, "NUMBERED_LIMIT", 3)
    total = Actor.objects.count()

    capped = api.get("/api/v1/actors/?page_size=1").json()
    exact = api.get("/api/v1/actors/?page_size=1&count=exact").json()
    small = api.get("/api/v1/actors/?kind=country&iso_code=KZ").json()

    assert (capped["count"], capped["count_exact"]) == (3, False)
    assert (exact["count"], exact["count_exact"]) == (total, True)
    assert (small["count"], small["count_exact"]) == (1, True)


def test_numbered_pages_stop_at_the_limit_and_point_to_the_cursor(api, dataset, monkeypatch):
    monkeypatch.setattr(pagination, "NUMBERED_LIMIT", 3)

    last = api.get("/api/v1/actors/?page_size=1&page=3")
    beyond = api.get("/api/v1/actors/?page_size=1&page=4")

    assert last.status_code == 200
    assert beyond.status_code == 400
    assert "pagination=cursor" in beyond.json()["errors"]["page"][0]


def test_a_cursor_counts_only_when_asked(api, dataset):
    body = api.get("/api/v1/trade-figures/?count=exact&page_size=1").json()
    refused = api.get("/api/v1/trade-figures/?count=all")

    assert body["count"] == TradeFigure.objects.public().count()
    assert refused.status_code == 400
    assert "count" in refused.json()["errors"]


@pytest.mark.parametrize(
    "position",
    [b"p=abc", b"p=1e400", b"p=%00", b"r=x", b"o=-1", b"p=" + b"9" * 40, b"\xff\xfe"],
)
@pytest.mark.parametrize("url", ["/api/v1/trade-figures/", "/api/v1/articles/", "/api/v1/actors/"])
def test_a_crafted_cursor_is_a_400(api, dataset, url, position):
    cursor = base64.b64encode(position).decode()

    response = api.get(url, {"cursor": cursor})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/actors/?q=a%00b",
        "/api/v1/actors/?na%00me=x",
        "/api/v1/actors/?cursor=%00",
        "/api/v1/actors/?ordering=name%00",
        "/api/v1/actors/china/?format=json%00",
        "/api/v1/trade-figures/?updated_since=2025-01-01%00",
    ],
)
def test_a_null_character_anywhere_is_a_400(api, dataset, url):
    response = api.get(url)

    assert response.status_code == 400
    assert "Null characters are not allowed." in str(response.json())


def test_an_unknown_parameter_on_a_record_is_a_400(api, dataset):
    response = api.get("/api/v1/actors/china/?expand=agreements")

    assert response.status_code == 400
    assert "expand" in response.json()["errors"]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2025-02-30"]
)
def test_an_impossible_updated_since_is_a_400(api, dataset, value):
    response = api.get("/api/v1/actors/", {"updated_since": value})

    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]


def test_updated_since_takes_a_date_time_with_its_zone(api, dataset):
    later = api.get("/api/v1/actors/", {"updated_since": "2999-01-01T00:00:00Z"}).json()
    earlier = api.get("/api/v1/actors/", {"updated_since": "2000-01-01T00:00:00+05:00"}).json()

    assert later["count"] == 0
    assert earlier["count"] == Actor.objects.count()


@pytest.mark.parametrize(
    ("account", "rates"), [(None, ("3/minute", "9/minute")), ("editor", ("9/minute", "3/minute"))]
)
def test_clients_are_throttled_at_the_configured_rate(
    api, dataset, settings, editor, account, rates
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": rates[0], "user": rates[1]},
    }
    if account:
        api.force_authenticate(editor)

    codes = [api.get("/api/v1/actors/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert int(api.get("/api/v1/actors/")["Retry-After"]) > 0


def test_the_api_root_lists_the_resources_and_the_docs(api, db):
    body = api.get("/api/v1/").json()

    assert body == {
        "articles": "http://testserver/api/v1/articles/",
        "authors": "http://testserver/api/v1/authors/",
        "actors": "http://testserver/api/v1/actors/",
        "agreements": "http://testserver/api/v1/agreements/",
        "trade-figures": "http://testserver/api/v1/trade-figures/",
        "tombstones": "http://testserver/api/v1/tombstones/",
        "trade-series": "http://testserver/api/v1/trade-series/",
        "network": "http://testserver/api/v1/network/",
        "agreements-timeline": "http://testserver/api/v1/agreements-timeline/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
    }


def test_the_browsable_api_renders_a_list_for_a_browser(api, dataset):
    response = api.get("/api/v1/agreements/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"Shusha Declaration" in response.content


def test_issue_api_token_creates_then_rotates_a_token(editor, capsys):
    call_command("issue_api_token", "editor")
    first = capsys.readouterr().out.strip()
    call_command("issue_api_token", "editor")
    second = capsys.readouterr().out.strip()
    client = VersionedAPIClient()

    assert first != second
    assert AuthToken.objects.filter(user=editor).count() == 1
    tajikistan = {"name": "Tajikistan", "slug": "tajikistan", "kind": "country", "iso_code": "TJ"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post("/api/v1/actors/", tajikistan, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.post("/api/v1/actors/", tajikistan, format="json").status_code == 201


def test_issue_api_token_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No account is named 'ghost'"):
        call_command("issue_api_token", "ghost")


@pytest.mark.parametrize(
    "body",
    ['{"name": "Nul\\u0000", "slug": "x", "kind": "company"}', '{"name": "\\ud800"}'],
)
def test_a_body_with_text_no_database_can_store_is_a_400(api, dataset, editor, body):
    api.force_authenticate(editor)

    response = api.post("/api/v1/actors/", body, content_type="application/json")

    assert response.status_code == 400
    assert "NUL character or an unpaired surrogate" in response.json()["detail"]


def test_updated_since_with_any_offset_python_accepts_is_compared_in_utc(api, dataset):
    # PostgreSQL accepts offsets up to 15:59; the comparison happens in UTC regardless.
    response = api.get("/api/v1/actors/", {"updated_since": "2000-01-01T00:00:00-17:00"})

    assert response.json()["count"] == Actor.objects.count()


@pytest.mark.parametrize(
    ("url", "model_path", "touch"),
    [
        ("/api/v1/articles/", "articles.Article", {"title": "Retitled"}),
        ("/api/v1/authors/", "articles.Author", {"bio": "Writes on the Caucasus."}),
        ("/api/v1/actors/", "actors.Actor", {"description": "A state."}),
        ("/api/v1/agreements/", "actors.Agreement", {"summary": "Energy and transport."}),
        ("/api/v1/trade-figures/", "actors.TradeFigure", {"note": "Annual."}),
    ],
)
def test_updated_since_lists_only_what_changed_since(api, dataset, editor, url, model_path, touch):
    apps.get_model(model_path).objects.update(updated_at=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.force_authenticate(editor)
    detail = api.get(url, {"page_size": 1}).json()["results"][0]["url"]
    api.patch(detail, touch, format="json")

    changed = api.get(url, {"updated_since": since}).json()["results"]
    everything = api.get(url, {"updated_since": "2000-01-01", "count": "exact"}).json()

    assert [r["url"] for r in changed] == [detail]
    assert everything["count"] > 1
