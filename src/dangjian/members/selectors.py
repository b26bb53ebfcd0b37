"""Reads of the member register; every one takes the acting user (STYLE §3–4)."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.core.crypto import blind_index
from dangjian.core.idcard import normalize
from dangjian.core.scoping import get_for_actor, path_range_q
from dangjian.members.choices import INACTIVE_STATUSES, MembersPerm
from dangjian.members.models import CommitteeSeat, Member
from dangjian.orgs.models import Organization

__all__ = ["can_reveal", "member_can", "member_counts", "member_get", "member_list", "member_of_user", "org_seats"]


def member_list(
    *,
    actor: Any,
    perm: str = MembersPerm.VIEW,
    org: Organization | None = None,
    subtree: bool = True,
    status: str | None = None,
    category: str | None = None,
    q: str | None = None,
) -> QuerySet[Member]:
    """Members visible to *actor*, optionally within *org* (and its subtree), filtered and searched.

    ``q`` matches a name fragment, an exact ID number (through the blind index), the last four
    characters of an ID number, or an exact phone number.
    """
    qs = Member.objects.for_actor(actor, perm)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path)) if subtree else qs.filter(org=org)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        term = normalize(q)
        cond = Q(name__contains=q.strip())
        if len(term) == 18:
            cond |= Q(id_number_bidx=blind_index("id_number", term))
        elif len(term) == 4 and (term[:3].isdigit()):
            cond |= Q(id_number_tail=term)
        if len(term) == 11 and term.isdigit():
            cond |= Q(phone_bidx=blind_index("phone", term))
        qs = qs.filter(cond)
    return qs.select_related("org", "party_group")


def member_get(*, actor: Any, pk: int, perm: str = MembersPerm.VIEW) -> Member:
    return get_for_actor(Member.objects.select_related("org", "party_group", "unit", "user"), actor, perm, pk=pk)


def member_of_user(*, actor: Any) -> Member | None:
    """The actor's own member record, linked to their login account (always visible to them; None for
    the anonymous, the system and an account without a record)."""
    if actor is None or not actor.is_authenticated or getattr(actor, "pk", None) is None:
        return None
    return Member.objects.filter(user_id=actor.pk).select_related("org").first()


def can_reveal(*, actor: Any, member: Member) -> bool:
    """Whether *actor* may see this member's unmasked ID number and phone (own record included)."""
    if member.user_id is not None and actor is not None and member.user_id == actor.pk:
        return True
    return Member.objects.for_actor(actor, MembersPerm.REVEAL).filter(pk=member.pk).exists()


def org_seats(*, actor: Any, org: Organization) -> QuerySet[CommitteeSeat]:
    """Current seats of the org's current committee term."""
    return (
        CommitteeSeat.objects.for_actor(actor, "orgs.view")
        .filter(term__org=org, term__is_current=True, until__isnull=True)
        .select_related("member", "term")
        .order_by("position", "since")
    )


def member_counts(*, actor: Any, orgs: list[Organization], perm: str = MembersPerm.VIEW) -> dict[int, int]:
    """Members in the register (not expelled or deceased) in each org's subtree, visible to *actor*.

    One aggregate query for the whole list: siblings (the usual case — a tree expansion) are
    grouped by their path prefix; orgs at mixed depths use one conditional count each in the same
    statement.
    """
    if not orgs:
        return {}
    base = Member.objects.for_actor(actor, perm).exclude(status__in=INACTIVE_STATUSES)
    in_any = Q(pk__in=[])
    for o in orgs:
        in_any |= path_range_q("org__path", o.path)
    base = base.filter(in_any)
    depths = {o.depth for o in orgs}
    if len(depths) == 1:
        width = len(orgs[0].path)
        by_prefix = {o.path: o.pk for o in orgs}
        rows = (
            base.annotate(prefix=Substr("org__path", 1, width))
            .values("prefix")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("prefix", "n")
        )
        counts = dict.fromkeys(by_prefix.values(), 0)
        for prefix, n in rows:
            if prefix in by_prefix:
                counts[by_prefix[prefix]] = n
        return counts
    totals = base.aggregate(**{f"o{o.pk}": Count("pk", filter=path_range_q("org__path", o.path)) for o in orgs})
    return {o.pk: totals[f"o{o.pk}"] for o in orgs}


def member_can(*, actor: Any, member: Member, perm: str) -> bool:
    """Whether *perm* covers this member for *actor* (e.g. to show the edit button)."""
    return Member.objects.for_actor(actor, perm).filter(pk=member.pk).exists()
