"""Shared test set-up for every app: accounts, clients, a small graph of records written
through the services (``article``, ``mongolia``, ``agreement``…) and the per-module
``dataset``. Records are made by the apps' ``tests/factories.py``, which call the services;
the dataset is built by ``caci/tests/dataset.py``."""

import pytest
from django.core.cache import cache

from actors.tests.factories import make_agreement, make_country, make_trade_figure
from articles.tests.factories import make_article
from caci.tests.dataset import built_for_module, dataset_build
from core.tests.clients import VersionedAPIClient
from core.tests.factories import make_staff_user

# The browser fixtures (one Chromium for the whole run, whichever app's tests drive it).
pytest_plugins = ["caci.tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    """An API client with fresh throttling counters (they are kept in the cache); its
    changes send the record's current version in If-Match, as a script's do."""
    cache.clear()
    return VersionedAPIClient()


@pytest.fixture
def outsider(django_user_model):
    """An authenticated account without any right on the dataset."""
    return django_user_model.objects.create_user(username="outsider", password="not-used")


@pytest.fixture
def editor():
    return make_staff_user("editor", "Editors")


@pytest.fixture
def viewer():
    return make_staff_user("viewer", "Viewers")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


# A small graph of records, as an editor would write them -------------------------------


@pytest.fixture
def article():
    return make_article(1)


@pytest.fixture
def mongolia():
    return make_country(0, name="Mongolia", iso_code="MN", aliases=["Ulaanbaatar"])


@pytest.fixture
def kazakhstan():
    return make_country(1, name="Kazakhstan", iso_code="KZ")


@pytest.fixture
def uzbekistan():
    return make_country(2, name="Uzbekistan", iso_code="UZ")


@pytest.fixture
def agreement(article, mongolia, uzbekistan):
    return make_agreement(article, [mongolia, uzbekistan])


@pytest.fixture
def trade_figure(article, mongolia, kazakhstan):
    return make_trade_figure(article, mongolia, kazakhstan)


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """The small realistic dataset of caci/tests/dataset.py, built once per test module
    (see caci.tests.dataset.built_for_module)."""
    yield from built_for_module(django_db_blocker, dataset_build)
