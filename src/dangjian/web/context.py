"""Template context: the navigation the signed-in user is allowed to see."""
from __future__ import annotations

from dangjian.core.declarations import menu

__all__ = ["navigation"]


def navigation(request):
    """``nav_perms``: the user's permission codes (anywhere in scope); ``nav_menu``: the menu the apps
    declared (core.declarations), filtered by them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_perms": set(), "nav_menu": []}
    from dangjian.accounts.selectors import perms_anywhere

    perms = perms_anywhere(actor=user)
    return {"nav_perms": perms, "nav_menu": menu(perms)}
