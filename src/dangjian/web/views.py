"""Pages (composition only: selectors for reads, services for writes)."""
from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.selectors import assignments_of, perms_anywhere
from dangjian.core.declarations import home_links
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


def _quick_links(perms: set[str]) -> list[dict[str, Any]]:
    """The navigation entries the apps mark as quick links (``home_order``), for a holder of *perms*."""
    return [{"url": link.url, "label": link.label, "icon": link.icon} for link in home_links(perms)]


def _member_url(member: Any) -> str | None:
    try:
        return reverse("members:detail", args=[member.pk])
    except NoReverseMatch:  # the members app's detail page may not exist yet
        return None


def _members_by_status(user: Any) -> list[dict[str, Any]]:
    """Members visible to *user* per status, in one GROUP BY over the scoped selector."""
    rows = dict(
        member_list(actor=user).order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [{"code": value, "name": str(label), "value": rows.get(value, 0)}
            for value, label in MemberStatus.choices if rows.get(value)]


@require_perm(None)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    perms = perms_anywhere(actor=user)
    member = member_of_user(actor=user)
    by_status = _members_by_status(user) if MembersPerm.VIEW in perms else []
    context = {
        "greeting": _greeting(timezone.localtime().hour),
        "today": timezone.localdate(),
        "assignments": list(assignments_of(actor=user, user=user).order_by("role__name", "org__path")[:6]),
        "org_count": org_list(actor=user, status=OrgStatus.ACTIVE).count() if OrgsPerm.VIEW in perms else None,
        "member_count": sum(r["value"] for r in by_status if r["code"] not in INACTIVE_STATUSES)
        if MembersPerm.VIEW in perms else None,
        "members_by_status": by_status,
        "quick_links": _quick_links(perms),
        "member": member,
        "member_url": _member_url(member) if member else None,
    }
    return render(request, "web/home.html", context)
