"""Versions of the API's records: a change is made only from the version it was read at.

Every record and list carries an ETag; a change names the version it starts from
(``If-Match``) and is refused (412) when someone changed the record since, or (428) when
it names none; a client holding the current version reads 304.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django import db
from django.db import connection
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from actors.models import Agreement
from actors.services import (
    PartyInput,
    actor_update,
    agreement_party_update,
    agreement_update,
    citation_update,
)
from articles.tests.factories import AGREEMENT_QUOTE
from caci.tests.helpers import form_data
from core.tests.clients import VersionedAPIClient
from core.tests.factories import make_staff_user

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/agreements/"


@pytest.fixture
def writer(editor):
    client = VersionedAPIClient()
    client.force_authenticate(editor)
    return client


def detail(agreement) -> str:
    return f"{AGREEMENTS}{agreement.pk}/"


def etag_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


def test_a_record_carries_its_version_and_a_client_holding_it_reads_304(writer, agreement):
    url = detail(agreement)
    etag = etag_of(writer, url)
    assert etag.startswith('"')  # strong: a change may name it
    assert etag.endswith('"')

    unchanged = writer.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert writer.get(url, HTTP_IF_NONE_MATCH='"an-older-version"').status_code == 200
    # A list of versions, one of them current, and a weak form of it match as well.
    assert writer.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_a_list_carries_a_weak_version_that_moves_when_a_record_changes(writer, agreement):
    url = f"{AGREEMENTS}?review_status=all"
    etag = etag_of(writer, url)
    assert etag.startswith('W/"')
    assert writer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    agreement_update(agreement=agreement, data={"summary": "Revised."})

    changed = writer.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert writer.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_the_tombstones_list_carries_a_weak_version_too(writer, agreement):
    url = "/api/v1/tombstones/"
    etag = etag_of(writer, url)
    assert writer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    writer.delete(detail(agreement), HTTP_IF_MATCH=etag_of(writer, detail(agreement)))

    assert writer.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_csv_download_and_an_error_carry_no_version(writer, agreement):
    assert not writer.get(f"{AGREEMENTS}?format=csv&review_status=all").has_header("ETag")
    assert not writer.get(f"{AGREEMENTS}not-a-record/").has_header("ETag")


def test_a_change_without_if_match_is_refused_with_428_and_nothing_changes(writer, agreement):
    url = detail(agreement)
    before = etag_of(writer, url)

    for response in (
        writer.patch(url, {"summary": "Mine."}, format="json", HTTP_IF_MATCH=""),
        writer.put(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH=""),
        writer.delete(url, HTTP_IF_MATCH=""),
    ):
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]

    assert Agreement.objects.filter(pk=agreement.pk).exists()
    assert etag_of(writer, url) == before


def test_a_change_from_an_older_version_is_refused_with_412_naming_the_current_one(
    writer, agreement
):
    url = detail(agreement)
    read = etag_of(writer, url)
    agreement_update(agreement=agreement, data={"summary": "Someone else's."})
    current = etag_of(writer, url)

    patched = writer.patch(url, {"summary": "Mine."}, format="json", HTTP_IF_MATCH=read)
    deleted = writer.delete(url, HTTP_IF_MATCH=read)

    for response in (patched, deleted):
        assert response.status_code == 412
        assert response["ETag"] == current
        assert current in response.json()["detail"]
    agreement.refresh_from_db()
    assert agreement.summary == "Someone else's."


def test_a_change_from_the_current_version_is_made_and_answers_the_new_version(writer, agreement):
    url = detail(agreement)
    read = etag_of(writer, url)

    response = writer.patch(url, {"summary": "Mine."}, format="json", HTTP_IF_MATCH=read)

    assert response.status_code == 200
    assert response["ETag"] != read
    # The version a write answers is the one a GET reads: the next change can start from it.
    assert response["ETag"] == etag_of(writer, url)
    again = writer.patch(
        url, {"summary": "Mine, again."}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert again.status_code == 200
    assert writer.delete(url, HTTP_IF_MATCH=again["ETag"]).status_code == 204


def test_a_create_answers_the_version_a_get_reads(writer, article, mongolia, uzbekistan):
    payload = {
        "title": "Another",
        "kind": "package",
        "parties": [{"actor": mongolia.slug}, {"actor": uzbekistan.slug}],
        "citations": [{"article": article.slug, "quote": AGREEMENT_QUOTE}],
    }
    created = writer.post(AGREEMENTS, payload, format="json")
    assert created.status_code == 201, created.content
    assert created["ETag"] == etag_of(writer, created["Location"])


def test_if_match_star_matches_any_current_version(writer, agreement):
    response = writer.patch(
        detail(agreement), {"summary": "Whatever."}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_a_weak_version_never_allows_a_change(writer, agreement):
    url = detail(agreement)
    weak = f"W/{etag_of(writer, url)}"
    assert (
        writer.patch(url, {"summary": "x"}, format="json", HTTP_IF_MATCH=weak).status_code == 412
    )


@pytest.mark.parametrize(
    "change",
    ["party added", "party's role", "citation's quote", "alias", "a party's name"],
)
def test_the_version_of_a_record_moves_when_only_a_part_of_it_or_what_it_names_changes(
    writer, agreement, mongolia, kazakhstan, change
):
    url = detail(agreement) if change != "alias" else f"/api/v1/actors/{mongolia.slug}/"
    before = etag_of(writer, url)

    if change == "party added":
        agreement_update(
            agreement=agreement,
            data={},
            parties=[PartyInput(actor=p.actor) for p in agreement.parties.all()]
            + [PartyInput(actor=kazakhstan)],
        )
    elif change == "party's role":
        party = agreement.parties.first()
        agreement_party_update(party=party, data={"role": "guarantor"})
    elif change == "citation's quote":
        citation = agreement.citations.get()
        citation_update(citation=citation, data={"quote": AGREEMENT_QUOTE[:20]})
    elif change == "alias":
        actor_update(actor=mongolia, data={}, aliases=["Ulaanbaatar", "Mongol Uls"])
    else:
        # Not a part of the agreement, but the agreement reads it: a client holding the
        # agreement holds the old name.
        actor_update(actor=mongolia, data={"name": "Mongol Uls"})

    assert etag_of(writer, url) != before


def test_the_schema_documents_the_versions(api):
    schema = api.get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/agreements/{id}/"]
    for method in ("put", "patch", "delete"):
        headers = {p["name"]: p for p in operations[method]["parameters"] if p["in"] == "header"}
        assert headers["If-Match"]["required"] is True
        assert {"412", "428"} <= set(operations[method]["responses"])
    get = operations["get"]
    assert "If-None-Match" in {p["name"] for p in get["parameters"]}
    assert "304" in get["responses"]
    assert "ETag" in get["responses"]["200"]["headers"]
    assert "304" in schema["paths"]["/api/v1/agreements/"]["get"]["responses"]


# Two editors at once, against a real server --------------------------------------------


def _request(url: str, token: str, method: str = "GET", payload=None, etag: str = ""):
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if etag:
        headers["If-Match"] = etag
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def race(calls) -> list:
    """Run the calls in threads released at the same instant; their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# The live server's threads each have a connection of their own on PostgreSQL; on SQLite
# they share the test's in-memory database through one connection, one transaction: no race.
racing = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Two writers at once need two database connections (PostgreSQL).",
)


@racing
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("editorial_groups")  # an earlier test's flush may have taken them
def test_two_editors_changing_a_record_at_once_one_wins_and_the_other_is_told(
    live_server, editor, django_user_model, article, mongolia, uzbekistan
):
    from actors.tests.factories import make_agreement

    agreement = make_agreement(article, [mongolia, uzbekistan])
    other = django_user_model.objects.get(pk=editor.pk)
    tokens = [AuthToken.objects.create(user=user)[1] for user in (editor, other)]
    url = f"{live_server.url}{detail(agreement)}"

    for round_ in range(5):
        _, headers, _ = _request(url, tokens[0])
        etag = headers["ETag"]
        summaries = [f"First editor's, round {round_}.", f"Second editor's, round {round_}."]
        results = race(
            [
                lambda token=token, summary=summary, etag=etag: _request(
                    url, token, "PATCH", {"summary": summary}, etag
                )
                for token, summary in zip(tokens, summaries, strict=True)
            ]
        )

        statuses = [status for status, _, _ in results]
        assert sorted(statuses) == [200, 412], results
        winner = statuses.index(200)
        agreement.refresh_from_db()
        assert agreement.summary == summaries[winner]
        loser_headers = results[1 - winner][1]
        assert loser_headers["ETag"] == results[winner][1]["ETag"]


# The admin ------------------------------------------------------------------------------


def change_url(agreement) -> str:
    return reverse("admin:actors_agreement_change", args=[agreement.pk])


def page_errors(response) -> str:
    assert response.status_code == 200, "refused: the page is shown again"
    return " ".join(response.context["adminform"].form.non_field_errors())


def test_an_admin_save_from_an_older_version_is_refused_saying_what_changed(
    editor_client, agreement
):
    page = editor_client.get(change_url(agreement))
    agreement_update(agreement=agreement, data={"title": "Their title"})

    response = editor_client.post(change_url(agreement), form_data(page, title="My title"))

    errors = page_errors(response)
    assert "Someone else changed this agreement since you opened this page" in errors
    assert "Title: “Their title” (yours: “My title”)" in errors
    agreement.refresh_from_db()
    assert agreement.title == "Their title"


def test_an_admin_save_is_refused_when_only_a_part_changed_since(
    editor_client, agreement, mongolia, uzbekistan, kazakhstan
):
    page = editor_client.get(change_url(agreement))
    agreement_update(
        agreement=agreement,
        data={},
        parties=[PartyInput(actor=mongolia), PartyInput(actor=kazakhstan)],
    )

    response = editor_client.post(change_url(agreement), form_data(page, title="My title"))

    errors = page_errors(response)
    assert "Parties: “Mongolia · Signatory; Kazakhstan · Signatory”" in errors
    assert "Title" not in errors.split("Their changes:")[1]
    agreement.refresh_from_db()
    assert agreement.title != "My title"
    assert {p.actor for p in agreement.parties.all()} == {mongolia, kazakhstan}


def test_an_admin_save_from_the_current_version_is_made(editor_client, agreement):
    page = editor_client.get(change_url(agreement))
    # The page carries it as a browser posts it: a hidden input of the form.
    assert b'<input type="hidden" name="record_version"' in page.content
    response = editor_client.post(change_url(agreement), form_data(page, title="My title"))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "My title"


def test_an_admin_save_that_names_no_version_is_refused(editor_client, agreement):
    page = editor_client.get(change_url(agreement))
    data = form_data(page, title="My title", record_version=None)

    errors = page_errors(editor_client.post(change_url(agreement), data))

    assert "does not say which version" in errors
    agreement.refresh_from_db()
    assert agreement.title != "My title"


@racing
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("editorial_groups")  # an earlier test's flush may have taken them
def test_two_editors_saving_a_record_at_once_in_the_admin_one_wins_and_the_other_is_told(
    editor, article, mongolia, uzbekistan
):
    from actors.tests.factories import make_agreement

    agreement = make_agreement(article, [mongolia, uzbekistan])
    other = make_staff_user("other-editor", "Editors")
    clients = []
    for user in (editor, other):
        client = Client()
        client.force_login(user)
        clients.append(client)

    for round_ in range(3):
        titles = [f"First editor's title {round_}", f"Second editor's title {round_}"]
        forms = [
            form_data(client.get(change_url(agreement)), title=title)
            for client, title in zip(clients, titles, strict=True)
        ]

        def save(client, data):
            # Each thread its own database connection: two transactions at once.
            try:
                return client.post(change_url(agreement), data)
            finally:
                db.connection.close()

        results = race(
            [
                lambda client=client, data=data: save(client, data)
                for client, data in zip(clients, forms, strict=True)
            ]
        )

        statuses = [response.status_code for response in results]
        assert sorted(statuses) == [200, 302]
        winner = statuses.index(302)
        agreement.refresh_from_db()
        assert agreement.title == titles[winner]
        errors = page_errors(results[1 - winner])
        assert f"Title: “{titles[winner]}” (yours: “{titles[1 - winner]}”)" in errors
