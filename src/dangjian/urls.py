"""Root URLconf: the web pages, the REST API under /api/v1/, language switching and a health check."""
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.defaults import bad_request as django_bad_request

from dangjian.api.errors import ApiError, too_large_message
from dangjian.api.urls import api
from dangjian.web.urls import app_patterns


def healthz(request):
    return JsonResponse({"status": "ok"})


def api_not_found(request, rest=""):
    """Unknown paths under /api/ answer in the API's JSON error shape, not an HTML page."""
    return JsonResponse({"code": "not_found", "message": "no such API endpoint"}, status=404)


def bad_request(request, exception=None):
    """handler400. A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (raised while a middleware reads the
    form, before any view) answers 413: JSON in the API's shape under /api/, a readable page elsewhere
    (issue 7, defect 6). The page stands alone: the user is not known yet when the body is refused."""
    if isinstance(exception, RequestDataTooBig):
        if request.path.startswith("/api/"):
            return JsonResponse({"code": str(ApiError.TOO_LARGE), "message": too_large_message()}, status=413,
                                json_dumps_params={"ensure_ascii": False})
        return render(request, "web/too_large.html", {"message": too_large_message()}, status=413)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": str(ApiError.BAD_REQUEST), "message": "bad request"}, status=400)
    return django_bad_request(request, exception)


handler400 = bad_request

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/<path:rest>", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz),
    *app_patterns,
    path("", include("dangjian.web.urls")),
]
