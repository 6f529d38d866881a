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
    """The small realistic dataset of caci/tests/dataset.py, built once per test module
    (see caci.tests.db.built_for_module)."""
    from caci.tests.dataset import dataset_build
    from caci.tests.db import built_for_module

    yield from built_for_module(django_db_blocker, dataset_build)
