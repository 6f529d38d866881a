import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from caci.tests.dataset import dataset_build


@pytest.fixture
def dataset(db):
    return dataset_build()


@pytest.fixture
def api():
    cache.clear()  # throttling counts requests in the cache
    return APIClient()
