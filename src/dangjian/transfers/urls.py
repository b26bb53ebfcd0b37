"""Pages of organisation-relationship transfers and member status."""
from django.urls import path

from dangjian.transfers import views

app_name = "transfers"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("external-in/", views.external_in, name="external_in"),
    path("rules/", views.rules, name="rules"),
    path("rules/<slug:code>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/return/", views.return_letter, name="return"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/letter/", views.letter, name="letter"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/transfer/", views.create, name="create"),
    path("members/<int:pk>/status/", views.status, name="status"),
    path("members/<int:pk>/search/", views.search, name="search"),
]
