"""Sets the request context (request id, client IP, channel) for everything a request does."""
from __future__ import annotations

import uuid

from dangjian.core.context import Channel, RequestContext, use_context

__all__ = ["RequestContextMiddleware", "client_ip"]


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
