"""The explorer's addresses: the public website at the root of the site."""

from django.urls import path

from explorer import views

app_name = "explorer"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="articles"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("actors/", views.actor_list, name="actors"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<uuid:pk>/", views.agreement_detail, name="agreement"),
    path("trade-figures/", views.trade_figure_list, name="trade-figures"),
    path("trade-figures/<uuid:pk>/", views.trade_figure_detail, name="trade-figure"),
]
