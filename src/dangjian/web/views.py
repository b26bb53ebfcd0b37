"""Pages (composition only: selectors for reads, services for writes)."""
from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.selectors import assignments_of, perms_anywhere, perms_beyond_self
from dangjian.core.declarations import home_links
from dangjian.integration.selectors import unread_count
from dangjian.meetings.selectors import my_meetings
from dangjian.members.choices import INACTIVE_STATUSES, MembersPerm, MemberStatus
from dangjian.members.selectors import member_list, member_of_user
from dangjian.orgs.choices import OrgsPerm, OrgStatus
from dangjian.orgs.selectors import org_list
from dangjian.ui.permissions import require_perm

__all__ = ["home"]


def _greeting(hour: int) -> str:
    if hour < 11:
        return _("上午好")
    if hour < 13:
        return _("中午好")
    if hour < 18:
        return _("下午好")
    return _("晚上好")


def _quick_links(perms: set[str], wide: set[str]) -> list[dict[str, Any]]:
    """The navigation entries the apps mark as quick links (``home_order``), for a holder of *perms*."""
    return [{"url": link.url, "label": link.label, "icon": link.icon} for link in home_links(perms, wide)]


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an app installed without its pages
        return None


def _member_url(member: Any) -> str | None:
    return _url("members:detail", member.pk)


def _my_things(user: Any, member: Any) -> list[dict[str, Any]]:
    """The "我的" hub: one big link each to the member's own dues, meetings, record and notifications,
    with what is worth knowing before the tap. Each page it links to shows the user's own rows through
    the scoping rules ("self" scope; one's own records are always visible, STYLE §4)."""
    meetings = my_meetings(actor=user, limit=1)
    upcoming = meetings["upcoming"][0] if meetings["upcoming"] else None
    unread = unread_count(user)
    things = [
        {"key": "dues", "label": _("我的党费"), "icon": "bi-wallet2",
         "url": _url("dues:member", member.pk) if member else None,
         "hint": _("应交、已交与计算方法")},
        {"key": "meetings", "label": _("我的会议"), "icon": "bi-calendar-event", "url": _url("meetings:mine"),
         "hint": (_("下次：%(when)s %(topic)s") % {
             "when": timezone.localtime(upcoming.starts_at).strftime("%m-%d %H:%M"), "topic": upcoming.topic})
         if upcoming else _("会议记录与议程")},
        {"key": "record", "label": _("我的档案"), "icon": "bi-person-vcard",
         "url": _member_url(member) if member else None, "hint": _("党籍、转接与状态变更")},
        {"key": "notifications", "label": _("我的通知"), "icon": "bi-bell", "url": _url("integration:inbox"),
         "hint": (_("%(n)s 条未读") % {"n": unread}) if unread else _("没有未读通知"), "badge": unread},
    ]
    return [thing for thing in things if thing["url"]]


def _members_by_status(user: Any) -> list[dict[str, Any]]:
    """Members visible to *user* per status, in one GROUP BY over the scoped selector."""
    rows = dict(
        member_list(actor=user).order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [{"code": value, "name": str(label), "value": rows.get(value, 0)}
            for value, label in MemberStatus.choices if rows.get(value)]


@require_perm(None)
def home(request: HttpRequest) -> HttpResponse:
    """首页: the member's own things first (the "我的" hub), then — only for those who hold a permission
    beyond their own records — the scope they manage, its figures and the managers' quick links
    (issue 9, point 4: a plain member gets no manager screens)."""
    user = request.user
    perms = perms_anywhere(actor=user)
    wide = perms_beyond_self(actor=user)
    member = member_of_user(actor=user)
    manages = bool(wide)
    by_status = _members_by_status(user) if MembersPerm.VIEW in wide else []
    context = {
        "greeting": _greeting(timezone.localtime().hour),
        "today": timezone.localdate(),
        "my_things": _my_things(user, member),
        "manages": manages,
        "assignments": list(assignments_of(actor=user, user=user).order_by("role__name", "org__path")[:6])
        if manages else [],
        "org_count": org_list(actor=user, status=OrgStatus.ACTIVE).count() if OrgsPerm.VIEW in wide else None,
        "member_count": sum(r["value"] for r in by_status if r["code"] not in INACTIVE_STATUSES)
        if MembersPerm.VIEW in wide else None,
        "members_by_status": by_status,
        "quick_links": _quick_links(perms, wide) if manages else [],
        "member": member,
        "member_url": _member_url(member) if member else None,
    }
    return render(request, "web/home.html", context)
