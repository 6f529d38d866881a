"""Root URL configuration: the editors' admin and the public API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "CACI dataset"
admin.site.site_title = "CACI dataset admin"
admin.site.index_title = "Articles, actors, agreements and trade figures"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("caci.api")),
]
