"""Sets the request context (request id, client IP, channel) for everything a request does."""
from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.core.scoping import collecting_probes, flush_probes

log = logging.getLogger(__name__)

__all__ = ["DefaultChineseLocaleMiddleware", "RefuseNulMiddleware", "RequestContextMiddleware", "ScopeProbeMiddleware",
           "client_ip", "request_id_from"]

# A client-supplied X-Request-ID is kept (it correlates a caller's logs with ours) only when it is a
# short plain token; anything else is replaced, since it is stored in audit rows (issue 7, defect 8).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def request_id_from(header: str | None) -> str:
    """The client's request id when it matches ``[A-Za-z0-9._-]{1,64}``, else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        request.request_id = request_id_from(request.headers.get("X-Request-ID"))
        with use_context(RequestContext(channel=channel, request_id=request.request_id, ip=client_ip(request))):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


# a NUL in a JSON string: \u0000 not itself escaped (an even run of backslashes before it)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return b"\x00" in request.body or _JSON_NUL.search(request.body) is not None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


class RefuseNulMiddleware:
    """Refuses a request carrying a NUL character in its path, query, form fields or JSON strings
    (issue 7, defect 8): PostgreSQL cannot store or even compare text with NUL, so one in any filter
    or field was a 500. No field of the platform takes one; the answer is 400 in the API's shape
    under /api/, Django's 400 page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "api.bad_request", "message": _("请求中含有空字符（NUL），已拒绝")},
                                    status=400, json_dumps_params={"ensure_ascii": False})
            return bad_request(request, None)
        return self.get_response(request)


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    """Pages speak Simplified Chinese unless the user picked another language (the language cookie
    set by the switcher); the browser's Accept-Language is not consulted, because a phone set to
    English should not turn a party-affairs page English on its own. The API still follows
    Accept-Language, so integrators get English error messages when they ask for them."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class ScopeProbeMiddleware:
    """Records the request's reaches for objects outside the actor's scope when the request was refused
    (issue 7, defect 9): after the view, outside its transaction, inside the request context (so the
    entry carries the request id and IP). A request that succeeded found what it needed another way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting_probes() as pending:
            response = self.get_response(request)
        if pending and response.status_code >= 400:
            try:
                flush_probes(pending)
            except Exception:  # the trace never costs the user their answer
                log.exception("could not record out-of-scope reaches")
        return response
