"""Sets the request context (request id, client IP, channel) for everything a request does."""
from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.core.scoping import collecting_probes, flush_probes

log = logging.getLogger(__name__)

__all__ = ["DefaultChineseLocaleMiddleware", "RequestContextMiddleware", "ScopeProbeMiddleware", "client_ip"]


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id[:64]
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
