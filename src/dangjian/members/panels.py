"""What the member register shows on other apps' pages, through the ``ui.panels`` extension points
(issue 8): the committee's seat holders and the first members on an organisation's page, the member
count of each node in the organisation tree, and "my member record" on the account's profile. Each is
read through this app's own selectors, so its own scope rules apply."""
from __future__ import annotations

from typing import Any

from django.urls import reverse

from dangjian.core.pagination import keyset_page
from dangjian.core.scoping import resolver
from dangjian.members.choices import MembersPerm
from dangjian.members.selectors import member_counts, member_list, member_of_user, org_seats
from dangjian.ui.panels import Panel, register_annotator, register_panel

__all__ = ["DETAIL_MEMBERS", "register"]

DETAIL_MEMBERS = 10


def _may_see_members(actor: Any) -> bool:
    return resolver().has_perm_anywhere(actor, MembersPerm.VIEW)


def _count_members(actor: Any, orgs: list) -> bool:
    show = _may_see_members(actor)
    counts = member_counts(actor=actor, orgs=orgs) if show and orgs else {}
    for org in orgs:
        org.member_count = counts.get(org.pk, 0)
    return show


def _committee_seats(request: Any, term: Any) -> dict:
    return {"seats": list(org_seats(actor=request.user, org=term.org))}


def _org_members(request: Any, org: Any) -> dict | None:
    actor = request.user
    if not _may_see_members(actor):
        return None
    page = keyset_page(member_list(actor=actor, org=org, subtree=True), cursor=None, limit=DETAIL_MEMBERS)
    return {"members_page": page}


def _my_member(request: Any, user: Any) -> dict:
    member = member_of_user(actor=user)
    return {"member": member, "member_url": reverse("members:detail", args=[member.pk]) if member else None}


def register() -> None:
    register_annotator("orgs.nodes", "members.count", _count_members)
    register_panel(Panel("orgs.detail.committee", "members.seats", "members/panels/committee_seats.html",
                         _committee_seats))
    register_panel(Panel("orgs.detail", "members.list", "members/panels/org_members.html", _org_members))
    register_panel(Panel("accounts.profile", "members.mine", "members/panels/my_member.html", _my_member))
