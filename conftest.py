"""Shared test set-up for every app."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    """An API client with fresh throttling counters (they are kept in the cache)."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    return APIClient()


def _account(username, group=None):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="not-used")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    """An account in the Editors group: views, adds, changes and deletes records."""
    return _account("editor", "Editors")


@pytest.fixture
def viewer(db):
    """An account in the Viewers group: views every record, writes none."""
    return _account("viewer", "Viewers")


@pytest.fixture
def outsider(db):
    """An authenticated account without any right on the dataset."""
    return _account("outsider")


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """The small realistic dataset of caci/tests/dataset.py, built once per test module.

    It is written inside a transaction that is rolled back after the module, the way
    Django's ``setUpTestData`` does; each test runs in its own savepoint within it, so
    what a test writes is undone after it and the dataset stays as built.
    """
    from django.db import transaction

    from caci.tests.dataset import dataset_build

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield dataset_build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
