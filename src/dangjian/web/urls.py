"""Page URLs: each domain app contributes its own urls module; `web` only composes them."""
from django.urls import include, path

from dangjian.accounts.views import login_view
from dangjian.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    # settings.LOGIN_URL is "web:login": the same sign-in view, so that reverse("web:login") (used by
    # redirect_to_login) gives /accounts/login/. The accounts include above matches that path first.
    path("accounts/login/", login_view, name="login"),
]

# Included at the root by dangjian.urls (each with its own namespace).
app_patterns = [
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("development/", include("dangjian.development.urls")),
    path("audit/", include("dangjian.audit.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("health/", include("dangjian.health.urls")),
    path("notifications/", include("dangjian.integration.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("exchange/", include("dangjian.exchange.urls")),
]
