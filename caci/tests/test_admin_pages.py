"""Every page of the admin renders for a superuser, and a list costs the same number of
queries whatever its length."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from actors.models import TradeFigure
from caci.tests.dataset import records_populate
from core.services import record_delete

pytestmark = pytest.mark.django_db

DATASET_ADMINS = {
    model_admin.model: model_admin
    for model_admin in admin.site.model_admins()
    if model_admin.opts.app_label in {"articles", "actors", "bundles"}
}
# The most queries a list may cost, whatever its length: session, user, counts, the page,
# one per prefetched relation, the filters' choices.
CHANGELIST_QUERY_BOUND = {
    "articles.author": 5,
    "articles.article": 8,
    "articles.authorship": 5,
    "actors.actor": 6,
    "actors.actoralias": 5,
    "actors.actoridentifier": 5,
    "actors.mention": 5,
    "actors.agreement": 8,
    "actors.agreementparty": 5,
    "actors.tradefigure": 7,
    "actors.citation": 5,
    "bundles.importrun": 7,
}
EDITORIAL_PAGE_QUERY_BOUND = {"admin:needs_review": 7, "admin:deleted_records": 14}
SEARCH_TERM = {
    "articles.author": "Author",
    "articles.article": "Article",
    "articles.authorship": "Author",
    "actors.actor": "Alias 1",
    "actors.actoralias": "Alias",
    "actors.actoridentifier": "Q1",
    "actors.mention": "Country",
    "actors.agreement": "Agreement",
    "actors.agreementparty": "Country",
    "actors.tradefigure": "Country",
    "actors.citation": "Trade",
    "bundles.importrun": "bundle",
}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_dataset_model_is_in_the_admin():
    dataset_models = [
        model
        for app in ("articles", "actors", "bundles")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.label.split(".")[1].startswith("Historical")
    ]
    assert sorted(m._meta.label for m in dataset_models) == sorted(
        m._meta.label for m in DATASET_ADMINS
    )
    assert set(CHANGELIST_QUERY_BOUND) == {m._meta.label_lower for m in DATASET_ADMINS}


@pytest.mark.parametrize("model", DATASET_ADMINS, ids=lambda m: m._meta.label_lower)
def test_every_page_of_a_model_renders(superuser_client, admin_user, model):
    records_populate(2)
    obj = model._default_manager.first()
    model_admin = DATASET_ADMINS[model]
    request = RequestFactory().get("/")
    request.user = admin_user

    pages = [
        url(model, "changelist"),
        url(model, "changelist") + f"?q={SEARCH_TERM[model._meta.label_lower]}",
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ]
    if model_admin.has_add_permission(request):
        pages.append(url(model, "add"))
    if model_admin.has_delete_permission(request, obj):
        pages.append(url(model, "delete", obj.pk))
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page


@pytest.mark.parametrize("model", DATASET_ADMINS, ids=lambda m: m._meta.label_lower)
def test_a_search_finds_the_matching_rows_only(superuser_client, model):
    records_populate(2)
    term = SEARCH_TERM[model._meta.label_lower]

    response = superuser_client.get(url(model, "changelist"), {"q": term + "-nothing-matches"})
    assert response.context["cl"].result_count == 0
    response = superuser_client.get(url(model, "changelist"), {"q": term})
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("size", [3, 30])
def test_a_list_costs_the_same_queries_at_any_length(
    superuser_client, django_assert_max_num_queries, size
):
    records_populate(size)

    for model in DATASET_ADMINS:
        changelist = url(model, "changelist")
        superuser_client.get(changelist)  # Content types and the like are cached from here on.

        with django_assert_max_num_queries(CHANGELIST_QUERY_BOUND[model._meta.label_lower]):
            response = superuser_client.get(changelist)

        assert response.status_code == 200
        assert response.context["cl"].result_count >= size

    for figure in TradeFigure.objects.all():
        record_delete(instance=figure)
    for page, bound in EDITORIAL_PAGE_QUERY_BOUND.items():
        superuser_client.get(reverse(page))
        with django_assert_max_num_queries(bound):
            response = superuser_client.get(reverse(page))
        assert response.status_code == 200
    assert len(response.context["rows"]) == size  # The deleted trade figures.
