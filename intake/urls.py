"""The intake's pages, inside the admin (its sign-in and look)."""

from django.contrib import admin
from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", admin.site.admin_view(views.paste_view), name="paste"),
    path(
        "articles/<int:article_id>/candidates/",
        admin.site.admin_view(views.candidates_view),
        name="candidates",
    ),
    path(
        "articles/<int:article_id>/candidates/mentions/accept/",
        admin.site.admin_view(views.accept_mentions_view),
        name="accept_mentions",
    ),
    path(
        "articles/<int:article_id>/candidates/<str:kind>/<str:key>/accept/",
        admin.site.admin_view(views.accept_view),
        name="accept",
    ),
    path(
        "articles/<int:article_id>/candidates/agreement/<str:key>/cite/",
        admin.site.admin_view(views.cite_view),
        name="cite",
    ),
    path(
        "articles/<int:article_id>/candidates/<str:kind>/<str:key>/reject/",
        admin.site.admin_view(views.reject_view),
        name="reject",
    ),
]
