"""The public API, version 1: its resources under /api/v1/, its schema and its docs."""

from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from actors.api.analysis import (
    ActorNetworkView,
    AgreementsTimelineView,
    NetworkGraphView,
    TradeSeriesView,
)
from actors.api.views import ActorViewSet, AgreementViewSet, TradeFigureViewSet
from articles.api.views import ArticleViewSet, AuthorViewSet
from core.rest.tombstones import tombstone_viewset
from core.rest.viewsets import SLUG_PATTERN


class APIRootView(routers.APIRootView):
    """The CACI dataset: what the Central Asia-Caucasus Analyst publishes and the facts its
    articles report, each fact with the article and passage it comes from.

    Every list takes filters (see the docs), pages (`page`, `page_size`, or a `cursor`
    with `pagination=cursor`) and answers in CSV with `format=csv`.
    """

    schema = None  # The root is a table of contents, not an operation of the API.

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        links = dict(response.data)
        for name in ANALYSES:
            links[name] = reverse(name, request=request)
        links["schema"] = reverse("api-schema", request=request)
        links["docs"] = reverse("api-docs", request=request)
        return Response(links)


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("articles", ArticleViewSet, basename="articles")
router.register("authors", AuthorViewSet, basename="authors")
router.register("actors", ActorViewSet, basename="actors")
router.register("agreements", AgreementViewSet, basename="agreements")
router.register("trade-figures", TradeFigureViewSet, basename="trade-figures")
router.register(
    "tombstones",
    tombstone_viewset({basename: viewset for _, viewset, basename in router.registry}),
    basename="tombstones",
)

# The analytical answers (actors/api/analysis.py), listed in the root after the resources.
ANALYSES = ("trade-series", "network", "agreements-timeline")

urlpatterns = [
    path("v1/trade-series/", TradeSeriesView.as_view(), name="trade-series"),
    path("v1/network/", NetworkGraphView.as_view(), name="network"),
    path("v1/agreements-timeline/", AgreementsTimelineView.as_view(), name="agreements-timeline"),
    re_path(
        rf"^v1/actors/(?P<slug>{SLUG_PATTERN})/network/$",
        ActorNetworkView.as_view(),
        name="actors-network",
    ),
    path("v1/", include(router.urls)),
    # The schema takes a second to build and is the same for everyone: each process builds
    # it once (per format) and keeps it in its own memory, not the shared cache, so a new
    # release never serves the schema of the one before.
    path(
        "schema/",
        cache_page(None, cache="schema", key_prefix="api-schema")(SpectacularAPIView.as_view()),
        name="api-schema",
    ),
    # Swagger UI's start-up script is a file of its own, not inline: the CSP allows no
    # inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("auth/", include("rest_framework.urls")),
]
