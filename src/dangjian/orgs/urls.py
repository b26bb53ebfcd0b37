"""Pages of the orgs app."""
from django.urls import path

from dangjian.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("lookup/", views.lookup, name="lookup"),
    path("pick/", views.pick, name="pick"),
    path("chart/", views.chart, name="chart"),
    path("chart/data/", views.chart_data, name="chart_data"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/dissolve/", views.dissolve, name="dissolve"),
]
