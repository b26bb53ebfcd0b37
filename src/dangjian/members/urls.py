"""Pages of the members app."""
from django.urls import path

from dangjian.members import views

app_name = "members"

urlpatterns = [
    path("", views.placeholder, name="list"),
]
