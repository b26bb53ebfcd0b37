"""The navbar bell: the signed-in user's unread count (one indexed COUNT per page)."""
from __future__ import annotations

from django import template

from dangjian.integration.selectors import unread_count

__all__ = ["unread_notifications"]

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> str:
    """The unread count as shown on the bell ("" for none, "99+" above 99)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    count = unread_count(user)
    if not count:
        return ""
    return "99+" if count > 99 else str(count)
