"""Declared permissions for pages (STYLE §5): one decorator; handlers never check by hand.

- anonymous → redirect to the login page;
- signed in but holding the permission nowhere → 403, recorded as ``accounts.access_denied``;
- holding it somewhere → the view runs; its selectors then narrow to the actor's scope, and an
  object outside it is "not found" (404) exactly like a missing one.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.scoping import resolver

__all__ = ["PUBLIC_VIEWS", "audit_denied", "public", "require_perm"]

PUBLIC_VIEWS: dict[str, str] = {}


def audit_denied(actor: Any, perm: str, path: str) -> None:
    """Record a denied access (who tried what, where)."""
    record(actor=actor, action=AuditAction.ACCESS_DENIED, after={"perm": perm, "path": path[:200]})


def require_perm(perm: str | None) -> Callable:
    """Page decorator. ``perm=None`` means "any signed-in user" (e.g. my profile)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm is not None and not resolver().has_perm_anywhere(user, perm):
                audit_denied(user, perm, request.path)
                raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        wrapped.dangjian_perm = perm  # read by the authorization meta-test
        return wrapped

    return decorator


def public(reason: str) -> Callable:
    """Marks a page as reachable without signing in; the reason is listed for the meta-test."""

    def decorator(view: Callable) -> Callable:
        PUBLIC_VIEWS[f"{view.__module__}.{view.__qualname__}"] = reason
        view.dangjian_public = reason
        return view

    return decorator
