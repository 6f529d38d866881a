"""Who may sign in and with what: API tokens kept as hashes that expire and can be
revoked, and sign-ins refused after too many wrong passwords."""

import hashlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TAJIKISTAN = {"name": "Tajikistan", "slug": "tajikistan", "kind": "country", "iso_code": "TJ"}


def issue_token(username: str, capsys, *args: str) -> str:
    call_command("issue_api_token", username, *args)
    return capsys.readouterr().out.strip()


def writes_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.post("/api/v1/actors/", TAJIKISTAN, format="json").status_code


# API tokens ------------------------------------------------------------------------------


def test_only_a_hash_of_a_token_is_stored(editor, capsys):
    key = issue_token("editor", capsys)

    [stored] = AuthToken.objects.filter(user=editor).values()
    assert key not in {str(value) for value in stored.values()}
    assert stored["digest"] == hashlib.sha512(key.encode()).hexdigest()
    assert writes_with(key) == 201


def test_a_token_expires_after_the_days_it_was_issued_for(editor, capsys):
    key = issue_token("editor", capsys, "--days", "7")
    token = AuthToken.objects.get(user=editor)
    assert token.expiry - timezone.now() == pytest.approx(
        timedelta(days=7), abs=timedelta(minutes=1)
    )

    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    assert writes_with(key) == 401


def test_a_revoked_token_is_refused(editor, capsys):
    key = issue_token("editor", capsys)
    call_command("revoke_api_tokens", "editor")

    assert capsys.readouterr().out.strip() == "Revoked 1 token(s) of editor."
    assert writes_with(key) == 401
    assert not AuthToken.objects.filter(user=editor).exists()


# Its own transactions (migrations); the rows the migrations wrote come back after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tokens_stored_in_plain_text_before_keep_working_and_are_no_longer_readable(
    django_user_model,
):
    scripted = django_user_model.objects.create_user(username="scripted", password="unused")
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created timestamp NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [old_key, timezone.now(), scripted.pk],
        )

    MigrationExecutor(connection).migrate([("core", "0002_hashed_api_tokens")])

    assert "authtoken_token" not in connection.introspection.table_names()
    token = AuthToken.objects.get(user=scripted)
    assert token.digest == hashlib.sha512(old_key.encode()).hexdigest()
    assert token.expiry > timezone.now() + timedelta(days=80)
    user, _ = TokenAuthentication().authenticate_credentials(old_key.encode())
    assert user == scripted


# Sign-in lockout ---------------------------------------------------------------------------

LOGIN_PAGES = ["/admin/login/", "/api/auth/login/"]


def sign_in(client, page: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        page,
        {"username": "editor", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_right_password_signs_in(client, editor, page):
    response = sign_in(client, page, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_after_thirty_wrong_passwords_the_right_one_is_refused(client, editor, page):
    wrong = [sign_in(client, page, f"guess-{n}").status_code for n in range(30)]

    response = sign_in(client, page, PASSWORD)

    assert wrong[0] == 200  # The form again, saying the password is wrong.
    assert wrong[-1] == 429
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_for_the_account_from_another_address(client, editor):
    for n in range(30):
        sign_in(client, "/admin/login/", f"guess-{n}", address=f"192.0.2.{n}")

    response = sign_in(client, "/api/auth/login/", PASSWORD, address="198.51.100.1")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_made_up_forwarded_for_header_does_not_escape_the_lockout(client, editor):
    for n in range(30):
        client.post(
            "/admin/login/",
            {"username": f"someone-{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert response.status_code == 429
