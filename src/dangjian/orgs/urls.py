"""Pages of the orgs app."""
from django.urls import path

from dangjian.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.placeholder, name="tree"),
    path("chart/", views.placeholder, name="chart"),
]
