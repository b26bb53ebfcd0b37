"""Pages of the accounts app."""
from django.urls import path

from dangjian.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.placeholder, name="login"),
    path("logout/", views.placeholder, name="logout"),
    path("profile/", views.placeholder, name="profile"),
]
