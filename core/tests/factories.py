"""Accounts for tests."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "a-long-test-passphrase-17"  # noqa: S105


def make_staff_user(username: str, group: str):
    """A staff account in one of the editorial groups ("Editors", "Viewers"), whose
    password is PASSWORD."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user
