"""The two editorial roles: exactly their permissions, in the admin as in the groups; and
the command that creates their accounts."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from caci.tests.helpers import form_data

pytestmark = pytest.mark.django_db

DATASET_MODELS = {
    "articles": {"author", "article", "authorship"},
    "actors": {
        "actor",
        "actoralias",
        "actoridentifier",
        "mention",
        "agreement",
        "agreementparty",
        "tradefigure",
        "citation",
    },
}


def permissions_of(group_name: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__name=group_name).values_list(
            "content_type__app_label", "codename"
        )
    }


def expected(actions) -> set[str]:
    return {
        f"{app_label}.{action}_{model}"
        for app_label, models in DATASET_MODELS.items()
        for model in models
        for action in actions
    }


def test_editors_may_view_add_change_and_delete_the_dataset_and_nothing_else():
    assert permissions_of("Editors") == expected(["view", "add", "change", "delete"])


def test_viewers_may_only_view_the_dataset():
    assert permissions_of("Viewers") == expected(["view"])


@pytest.mark.parametrize("group", ["Editors", "Viewers"])
def test_no_role_touches_accounts_groups_tokens_or_history_tables(group):
    untouchable = {"auth", "knox", "axes", "admin", "sessions", "contenttypes"}
    perms = Group.objects.get(name=group).permissions.select_related("content_type")
    assert not [p for p in perms if p.content_type.app_label in untouchable]
    assert not [p for p in perms if p.content_type.model.startswith("historical")]


def test_a_viewer_sees_lists_and_records_but_cannot_save_or_delete(viewer_client, mongolia):
    change = reverse("admin:actors_actor_change", args=[mongolia.pk])

    assert viewer_client.get(reverse("admin:actors_actor_changelist")).status_code == 200
    page = viewer_client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert viewer_client.post(change, {"name": "Renamed"}).status_code == 403
    assert viewer_client.get(reverse("admin:actors_actor_add")).status_code == 403
    assert (
        viewer_client.post(
            reverse("admin:actors_actor_delete", args=[mongolia.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert viewer_client.get(reverse("admin:actors_actor_import")).status_code == 403
    mongolia.refresh_from_db()
    assert mongolia.name == "Mongolia"


def test_a_viewer_cannot_publish_with_the_review_action(viewer_client, agreement):
    response = viewer_client.post(
        reverse("admin:actors_agreement_changelist"),
        {"action": "publish_selected", "_selected_action": [agreement.pk]},
    )

    agreement.refresh_from_db()
    assert agreement.review_status == "needs_review"
    assert response.status_code in {200, 302}


def test_an_editor_edits_the_dataset(editor_client, mongolia):
    change = reverse("admin:actors_actor_change", args=[mongolia.pk])

    response = editor_client.post(change, form_data(editor_client.get(change), name="Mongol Uls"))

    assert response.status_code == 302
    mongolia.refresh_from_db()
    assert mongolia.name == "Mongol Uls"


@pytest.mark.parametrize(
    "page",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:knox_authtoken_changelist",
        "admin:axes_accessattempt_changelist",
    ],
)
def test_an_editor_cannot_see_accounts_groups_or_tokens(editor_client, page):
    assert editor_client.get(reverse(page)).status_code == 403


def test_an_editor_cannot_change_an_account(editor_client, admin_user):
    change = reverse("admin:auth_user_change", args=[admin_user.pk])

    assert editor_client.get(change).status_code == 403
    assert editor_client.post(change, {"is_superuser": "on"}).status_code == 403


def test_the_index_shows_an_editor_the_dataset_and_not_the_accounts(editor_client):
    apps = {
        app["app_label"] for app in editor_client.get(reverse("admin:index")).context["app_list"]
    }

    assert apps == {"articles", "actors"}


# create_editor ------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO())


def test_create_editor_reads_the_password_from_the_environment(
    no_terminal, monkeypatch, django_user_model
):
    monkeypatch.setenv("CACI_EDITOR_PASSWORD", "correct horse battery staple 9")

    call_command(
        "create_editor",
        "alice",
        "--group",
        "Editors",
        "--email",
        "a@example.org",
        stdout=io.StringIO(),
    )

    alice = django_user_model.objects.get(username="alice")
    assert alice.is_staff
    assert not alice.is_superuser
    assert alice.email == "a@example.org"
    assert alice.check_password("correct horse battery staple 9")
    assert list(alice.groups.values_list("name", flat=True)) == ["Editors"]
    assert alice.has_perm("actors.change_agreement")
    assert not alice.has_perm("auth.view_user")


def test_create_editor_asks_twice_on_a_terminal(monkeypatch, django_user_model):
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter(["correct horse battery staple 9", "correct horse battery staple 9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command("create_editor", "bob", "--group", "Viewers", stdout=io.StringIO())

    bob = django_user_model.objects.get(username="bob")
    assert bob.check_password("correct horse battery staple 9")
    assert bob.has_perm("actors.view_agreement")
    assert not bob.has_perm("actors.change_agreement")


def test_create_editor_refuses_two_different_passwords(monkeypatch, django_user_model):
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter(["correct horse battery staple 9", "correct horse battery staple 8"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="differ"):
        call_command("create_editor", "bob", "--group", "Viewers")
    assert not django_user_model.objects.filter(username="bob").exists()


@pytest.mark.parametrize("weak", ["password", "12345678901", "short"])
def test_create_editor_refuses_a_weak_password(no_terminal, monkeypatch, django_user_model, weak):
    monkeypatch.setenv("CACI_EDITOR_PASSWORD", weak)

    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_editor", "carol", "--group", "Editors")
    assert not django_user_model.objects.filter(username="carol").exists()


def test_create_editor_without_terminal_or_variable_says_what_to_do(
    no_terminal, monkeypatch, django_user_model
):
    monkeypatch.delenv("CACI_EDITOR_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="CACI_EDITOR_PASSWORD is not set"):
        call_command("create_editor", "dave", "--group", "Editors")
    assert not django_user_model.objects.filter(username="dave").exists()


def test_create_editor_refuses_an_unknown_group_and_an_existing_name(no_terminal, editor):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("create_editor", "erin", "--group", "Admins")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_editor", "editor", "--group", "Editors")
