"""Shared test set-up for every app."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Test data shared by the apps' admin, history and spreadsheet tests.
pytest_plugins = ["caci.tests.fixtures"]
