"""Page URLs: each domain app contributes its own urls module; `web` only composes them."""
from django.urls import include, path

from dangjian.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]

# Included at the root by dangjian.urls (each with its own namespace).
app_patterns = [
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("audit/", include("dangjian.audit.urls")),
]
