"""Template context: the navigation the signed-in user is allowed to see."""
from __future__ import annotations

__all__ = ["navigation"]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_perms": set()}
    from dangjian.accounts.selectors import perms_anywhere

    return {"nav_perms": perms_anywhere(user)}
