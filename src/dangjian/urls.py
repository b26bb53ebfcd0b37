"""Root URLconf: the web pages, the REST API under /api/v1/, language switching and a health check."""
from django.http import JsonResponse
from django.urls import include, path

from dangjian.api.urls import api
from dangjian.web.urls import app_patterns


def healthz(request):
    return JsonResponse({"status": "ok"})


def api_not_found(request, rest=""):
    """Unknown paths under /api/ answer in the API's JSON error shape, not an HTML page."""
    return JsonResponse({"code": "not_found", "message": "no such API endpoint"}, status=404)


urlpatterns = [
    path("api/v1/", api.urls),
    path("api/<path:rest>", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz),
    *app_patterns,
    path("", include("dangjian.web.urls")),
]
