"""Session policies: idle timeout, and a forced second factor for administrative roles."""
from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

__all__ = ["IdleTimeoutMiddleware", "stamp_session"]

_EXEMPT_PREFIXES = ("/static/", "/accounts/", "/i18n/", "/healthz")
_KEY = "dangjian_last_seen"
_STAMP_SECONDS = 30


def stamp_session(session) -> None:
    """Mark the session as active now (at sign-in, and by the middleware on later requests)."""
    session[_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Logs a session out after ``DANGJIAN_IDLE_MINUTES`` without a request; then, for users whose
    roles require MFA, sends every page to the enrolment or verification step until they pass it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and not getattr(
            request, "auth_via_token", False
        ):
            now = int(time.time())
            last = request.session.get(_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={quote(request.get_full_path())}&idle=1")
            # Stamp at most every _STAMP_SECONDS, so a burst of requests does not rewrite the session
            # row each time (the timeout is in minutes; a few seconds of slack changes nothing).
            if last is None or now - last >= _STAMP_SECONDS:
                request.session[_KEY] = now
            if not request.path.startswith(_EXEMPT_PREFIXES) and not request.path.startswith("/api/"):
                from dangjian.accounts.selectors import has_confirmed_device, mfa_required

                if not user.is_verified() and mfa_required(actor=user):
                    if has_confirmed_device(actor=user):
                        return redirect(f"/accounts/otp/?next={quote(request.get_full_path())}")
                    return redirect("/accounts/mfa/setup/?forced=1")
        return self.get_response(request)
