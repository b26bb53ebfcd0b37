"""Sets the request context (request id, client IP, channel) for everything a request does."""
from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dangjian.core.context import Channel, RequestContext, use_context

__all__ = ["DefaultChineseLocaleMiddleware", "RequestContextMiddleware", "client_ip", "request_id_from"]

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
