"""The API behind a real WSGI server, as `make run` serves it (wsgiref, through runserver).

The test client hands the response object back without a server's checks; a real server
refuses, for instance, a header value that is not exactly a string.
"""

import json
import urllib.request

import pytest
from django.contrib.auth.models import Permission
from knox.models import AuthToken

from actors.models import TradeFigure
from articles.tests.factories import TRADE_QUOTE

# The live server reads what the test writes, so it is committed; the database is put
# back as it was afterwards for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def request(url: str, token: str, payload: dict | None = None):
    data = None if payload is None else json.dumps(payload).encode()
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers)) as r:
        return r.status, r.headers, json.loads(r.read())


def test_a_create_answers_201_with_its_address_under_a_real_server(
    live_server, django_user_model, article, mongolia, kazakhstan
):
    editor = django_user_model.objects.create_user(username="scripted", password="not-used")
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="actors", codename__endswith="_tradefigure"
        )
    )
    _, token = AuthToken.objects.create(user=editor)
    figures = f"{live_server.url}/api/v1/trade-figures/"
    payload = {
        "reporter": "MN",
        "partner": "kazakhstan",
        "flow": "total",
        "value": "150000000",
        "qualifier": "approximately",
        "citations": [{"article": article.slug, "quote": TRADE_QUOTE}],
    }

    # urlopen raises on a 500: a client that retried on it would write the record twice.
    status, headers, body = request(figures, token, payload)

    assert status == 201
    assert headers["Location"] == body["url"]
    assert headers["Location"].startswith(f"{live_server.url}/api/v1/trade-figures/")
    _, _, listed = request(f"{figures}?review_status=all", token)
    assert [record["id"] for record in listed["results"]] == [body["id"]]
    assert TradeFigure.objects.count() == 1
