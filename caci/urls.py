"""Root URL configuration: the public explorer, the editors' admin, the public API and the
health checks."""

from django.contrib import admin
from django.urls import include, path

from core import http

admin.site.site_header = "CACI dataset"
admin.site.site_title = "CACI dataset admin"
admin.site.index_title = "Articles, actors, agreements and trade figures"

urlpatterns = [
    # Bringing a new article in, and the facts proposed from it: editors' pages.
    path("admin/intake/", include("intake.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("caci.api")),
    path("health/live", http.live, name="health-live"),
    path("health/ready", http.ready, name="health-ready"),
    # Last: the explorer's pages are the rest of the site.
    path("", include("explorer.urls")),
]
