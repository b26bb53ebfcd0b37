"""Template context: the navigation the signed-in user is allowed to see."""
from __future__ import annotations

from dangjian.core.declarations import menu

__all__ = ["navigation"]


def navigation(request):
    """``nav_perms``: the user's permission codes (anywhere in scope); ``nav_wide_perms``: those held beyond
    the user's own records; ``nav_menu``: the menu the apps
    declared (core.declarations), filtered by them (and, for ``beyond_self`` entries, by the codes held
    beyond the user's own records). While the user's roles require a second factor the session has not
    given yet, the menu is empty: every page leads to that step anyway (issue 9, point 9)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_perms": set(), "nav_wide_perms": set(), "nav_menu": []}
    from dangjian.accounts.selectors import mfa_pending, perms_anywhere, perms_beyond_self

    if mfa_pending(actor=user):
        return {"nav_perms": set(), "nav_wide_perms": set(), "nav_menu": [], "nav_locked": True}
    perms, wide = perms_anywhere(actor=user), perms_beyond_self(actor=user)
    return {"nav_perms": perms, "nav_wide_perms": wide, "nav_menu": menu(perms, wide)}
