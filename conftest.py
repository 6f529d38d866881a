"""Shared test set-up for every app."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Test data shared by the apps' admin, history and spreadsheet tests.
pytest_plugins = ["caci.tests.fixtures"]


@pytest.fixture
def api():
    """An API client with fresh throttling counters (they are kept in the cache)."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    return APIClient()


@pytest.fixture
def outsider(django_user_model):
    """An authenticated account without any right on the dataset."""
    return django_user_model.objects.create_user(username="outsider", password="not-used")


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """The small realistic dataset of caci/tests/dataset.py, built once per test module
    (see caci.tests.db.built_for_module)."""
    from caci.tests.dataset import dataset_build
    from caci.tests.db import built_for_module

    yield from built_for_module(django_db_blocker, dataset_build)
