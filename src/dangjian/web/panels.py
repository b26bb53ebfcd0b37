"""What the web layer adds to the member register's pages through ``ui.panels`` (issue 9, point 5): the
link from a member's record to their dues, for the member themselves (their own dues are always
visible, STYLE §4) and for ``dues.view`` holders whose scope covers the member's branch.

It lives here, not in ``dues/panels.py``, only because the dues app was being reworked at the same time
(its "我的党费" page); moving it there changes nothing else."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.dues.choices import DuesPerm
from dangjian.members.selectors import member_can
from dangjian.ui.panels import Panel, register_panel

__all__ = ["register"]


def _dues_link(request: Any, member: Any) -> dict | None:
    # the dues page's own rule: one's own always, anyone else's with dues.view covering them
    own = member.user_id is not None and member.user_id == request.user.pk
    if not (own or member_can(actor=request.user, member=member, perm=DuesPerm.VIEW)):
        return None
    return {"links": [{"key": "dues", "label": _("我的党费") if own else _("党费"), "icon": "bi-wallet2",
                       "url": reverse("dues:member", args=[member.pk])}]}


def register() -> None:
    register_panel(Panel("members.detail.links", "dues.member", "ui/includes/panel_links.html", _dues_link, order=10))
