"""Who is calling, and may they call this operation at all (STYLE §5).

Two schemes, tried in this order:

1. ``Authorization: Bearer <token>`` — API tokens for integrations (``dangjian apitoken``). Sets
   ``request.auth_via_token = True`` (the idle-timeout and MFA session policies do not apply).
2. The browser session. Unsafe methods must carry the CSRF token; a user whose roles require a
   second factor must have passed it in this session (the web pages force the same).

Once the caller is known, the permission the operation declared (``request.dangjian_perm``, see
``dangjian.core.api``) must be held somewhere: otherwise 403, recorded as ``accounts.access_denied``.
Where it is held is the selectors' business: out of scope is 404 like missing.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from dangjian.accounts.credentials import token_lookup
from dangjian.accounts.selectors import mfa_required
from dangjian.accounts.services import apitoken_touch
from dangjian.api.errors import ApiError, ApiErrorResponse
from dangjian.core.api import PUBLIC, SIGNED_IN
from dangjian.core.scoping import resolver
from dangjian.ui.permissions import deny

__all__ = ["DEFAULT_AUTH", "BearerTokenAuth", "SessionAuth", "authorize"]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def authorize(request: HttpRequest, user: Any) -> Any:
    """Enforces the operation's declared permission for an authenticated *user*; returns the user."""
    perm = getattr(request, "dangjian_perm", None)
    if perm in (SIGNED_IN, PUBLIC):
        return user
    if perm is None:  # an operation that bypassed dangjian.core.api.Router: fail closed
        raise ApiErrorResponse(403, ApiError.PERMISSION_DENIED)
    if not resolver().has_perm_anywhere(user, perm):
        deny(user, perm, request.path)
        raise ApiErrorResponse(403, ApiError.PERMISSION_DENIED)
    return user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer djt_…`` (only the token's SHA-256 digest is stored)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            return None
        row = token_lookup(token)
        if row is None:
            return None
        apitoken_touch(token=row)
        user = row.user
        request.user = user
        request.auth_via_token = True
        return authorize(request, user)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (cookie), with CSRF on unsafe methods and the MFA policy."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: 401, whatever the method (CSRF only matters for a session)
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise ApiErrorResponse(403, ApiError.CSRF_FAILED)
        if mfa_required(actor=user) and not getattr(user, "is_verified", lambda: False)():
            raise ApiErrorResponse(401, ApiError.MFA_REQUIRED)
        request.auth_via_token = False
        return authorize(request, user)

    def _get_key(self, request: HttpRequest) -> str | None:  # pragma: no cover - __call__ replaces it
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None


DEFAULT_AUTH = [BearerTokenAuth(), SessionAuth()]
