"""Root URLconf: the web pages, the REST API under /api/v1/, language switching and a health check."""
from django.http import JsonResponse
from django.urls import include, path

from dangjian.api.urls import api
from dangjian.web.urls import app_patterns


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz),
    *app_patterns,
    path("", include("dangjian.web.urls")),
]
