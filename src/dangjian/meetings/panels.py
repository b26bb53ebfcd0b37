"""What meetings add to the member register's pages through ``ui.panels`` (issue 9, point 5): on the
member's own record, the way to their meetings (upcoming and past, with the minutes they may read)."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.ui.panels import Panel, register_panel

__all__ = ["register"]


def _my_meetings_link(request: Any, member: Any) -> dict | None:
    # "我的会议" lists the signed-in user's own meetings: a link for their own record only
    if member.user_id is None or member.user_id != request.user.pk:
        return None
    return {"links": [{"key": "meetings", "label": _("我的会议"), "icon": "bi-calendar-event",
                       "url": reverse("meetings:mine")}]}


def register() -> None:
    register_panel(Panel("members.detail.links", "meetings.mine", "ui/includes/panel_links.html",
                         _my_meetings_link, order=20))
