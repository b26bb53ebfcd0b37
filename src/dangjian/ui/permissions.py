"""Declared permissions for pages (STYLE §5): one decorator; handlers never check by hand.

- anonymous → redirect to the login page;
- signed in but holding the permission nowhere → 403, told to the registered denial recorder (the audit
  app records ``accounts.access_denied``);
- holding it somewhere → the view runs; its selectors then narrow to the actor's scope, and an
  object outside it is "not found" (404) exactly like a missing one.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from dangjian.core.scoping import resolver

__all__ = ["PUBLIC_VIEWS", "deny", "public", "register_denial_recorder", "require_perm"]

PUBLIC_VIEWS: dict[str, str] = {}

DenialRecorder = Callable[[Any, str, str], None]  # (actor, perm, path)
_denial_recorder: DenialRecorder | None = None


def register_denial_recorder(impl: DenialRecorder | None) -> None:
    global _denial_recorder
    _denial_recorder = impl


def deny(actor: Any, perm: str, path: str) -> None:
    """Tell the recorder that *actor* was refused *perm* at *path* (the caller then answers 403)."""
    if _denial_recorder is not None:
        _denial_recorder(actor, perm, path)


def require_perm(perm: str | None) -> Callable:
    """Page decorator. ``perm=None`` means "any signed-in user" (e.g. my profile)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perm is not None and not resolver().has_perm_anywhere(user, perm):
                deny(user, perm, request.path)
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
