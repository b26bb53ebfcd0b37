"""Reads of transfers and of a member's relationship history; every one takes the acting user (STYLE §3–4).

A transfer is visible from both its ends (``Transfer.objects.for_actor``). "In transit" means the
letter is issued and not received (转接中 or 介绍信已过期); the sending branch is responsible for those
members (DOMAIN §6). "Overdue" means in transit past the letter's last valid day (``due_on``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dangjian.core.scoping import (
    get_for_actor,
    path_range_q,
    platform_readable,
    platform_rows,
    report_out_of_scope,
)
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member, MembershipPeriod
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_can
from dangjian.transfers.choices import (
    IN_TRANSIT_STATUSES,
    OPEN_STATUSES,
    TRANSFERABLE_MEMBER_STATUSES,
    TRANSITIONS,
    StatusTransition,
    TransferKind,
    TransfersPerm,
    TransferStatus,
)
from dangjian.transfers.models import ContactSearch, StatusChange, Transfer, TransferRule
from dangjian.transfers.rules import RuleCode, load_rules, removal_possible_on, suspension_possible_on

__all__ = [
    "MemberHistory",
    "Outlook",
    "destination_get",
    "member_actions",
    "member_history",
    "rule_list",
    "transfer_actions",
    "transfer_get",
    "transfer_list",
    "transfer_member_get",
    "transfer_summary",
    "transfers_in_transit",
    "transfers_overdue",
]


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def transfer_list(
    *,
    actor: Any,
    perm: str = TransfersPerm.VIEW,
    org: Organization | None = None,
    side: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    in_transit: bool = False,
    overdue: bool = False,
    q: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Transfer]:
    """Transfers visible to *actor*; with *org*, those leaving (``side="out"``), arriving (``"in"``)
    or either, within its subtree."""
    qs = Transfer.objects.for_actor(actor, perm)
    if org is not None:
        out_q, in_q = path_range_q("from_org__path", org.path), path_range_q("to_org__path", org.path)
        qs = qs.filter(out_q if side == "out" else in_q if side == "in" else out_q | in_q)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if in_transit or overdue:
        qs = qs.filter(status__in=IN_TRANSIT_STATUSES)
    if overdue:
        qs = qs.filter(due_on__lt=_today(today))
    if q:
        qs = qs.filter(Q(member__name__contains=q.strip()) | Q(letter_no=q.strip()))
    return qs.select_related("member", "from_org", "to_org")


def transfers_in_transit(*, actor: Any, org: Organization | None = None) -> QuerySet[Transfer]:
    """Members the sending branch (in *org*'s subtree) is still responsible for: letter issued, not received."""
    return transfer_list(actor=actor, org=org, side="out", in_transit=True)


def transfers_overdue(*, actor: Any, org: Organization | None = None, today: dt.date | None = None) -> QuerySet[Transfer]:
    """In transit past the letter's last valid day: the sending branch must reissue or cancel."""
    return transfer_list(actor=actor, org=org, side="out", overdue=True, today=today)


def transfer_summary(*, actor: Any, org: Organization | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Counts for the list page header, in one query: drafts, in transit (sent out), overdue, and
    letters waiting at *org* (or anywhere in scope) to be received."""
    day = _today(today)
    transit = Q(status__in=IN_TRANSIT_STATUSES)
    out_q = path_range_q("from_org__path", org.path) if org else Q(from_org__isnull=False)
    in_q = (path_range_q("to_org__path", org.path) if org else Q(to_org__isnull=False)) & Q(kind=TransferKind.INTERNAL)
    return transfer_list(actor=actor, org=org).aggregate(
        draft=Count("pk", filter=Q(status=TransferStatus.DRAFT) & out_q),
        in_transit=Count("pk", filter=transit & out_q),
        overdue=Count("pk", filter=transit & out_q & Q(due_on__lt=day)),
        awaiting=Count("pk", filter=transit & in_q),
    )


def transfer_get(*, actor: Any, pk: int, perm: str = TransfersPerm.VIEW) -> Transfer:
    return get_for_actor(Transfer.objects.select_related("member", "from_org", "to_org", "received_by"),
                         actor, perm, pk=pk)


def transfer_member_get(*, actor: Any, pk: int, perm: str = TransfersPerm.VIEW) -> Member:
    """A member of the register in the actor's scope for *perm* (404 otherwise)."""
    return get_for_actor(Member.objects.select_related("org", "party_group"), actor, perm, pk=pk)


def destination_get(*, actor: Any, code: str, perm: str = TransfersPerm.CHANGE) -> Organization | None:
    """Any organisation of the group by its exact code, for an actor who may initiate transfers (*perm*
    somewhere): a transfer may go to any branch (DOMAIN §6: the relationship moves wherever the member
    goes), not only to those in the sender's scope. Exact codes only — the destination's code is on the
    letter; nothing here lists or searches other branches."""
    code = (code or "").strip()
    if not code or not platform_readable(actor, perm):
        return None
    return Organization.objects.filter(code=code).first()


def _open_transfer_of(member: Member) -> Transfer | None:
    return Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).select_related("from_org", "to_org").first()


def transfer_actions(*, actor: Any, transfer: Transfer) -> set[str]:
    """What *actor* may do with *transfer* now (to show the buttons; the services decide)."""
    sender = transfer.from_org_id is not None and org_can(actor=actor, org=transfer.from_org,
                                                          perm=TransfersPerm.CHANGE)
    receiver = transfer.to_org_id is not None and org_can(actor=actor, org=transfer.to_org, perm=TransfersPerm.CHANGE)
    actions: set[str] = set()
    if transfer.kind == TransferKind.EXTERNAL_IN:
        return actions
    if sender and transfer.status in OPEN_STATUSES:
        actions |= {"issue", "cancel"}
    in_transit = transfer.status in IN_TRANSIT_STATUSES
    handler = receiver if transfer.kind == TransferKind.INTERNAL else sender
    if handler and in_transit:
        actions |= {"receive", "return"}
    return actions


@dataclass
class Outlook:
    """What the status machine allows next for a member, and from or until when (DOMAIN §6)."""

    transitions: list[str]
    since: dt.date | None = None  # start of the current status (lost since, suspended on …)
    possible_on: dict[str, dt.date] = field(default_factory=dict)  # transition → first possible day
    until: dict[str, dt.date] = field(default_factory=dict)  # transition → first day it is no longer possible
    searched: bool | None = None  # lost: a search has been recorded since contact was lost


@dataclass
class MemberHistory:
    member: Member
    periods: list[MembershipPeriod]
    transfers: list[Transfer]
    changes: list[StatusChange]
    searches: list[ContactSearch]
    outlook: Outlook
    open_transfer: Transfer | None


def _outlook(member: Member, changes: list[StatusChange], searches: list[ContactSearch]) -> Outlook:
    transitions = [t.value for t in StatusTransition if member.status in TRANSITIONS[t][0]]
    last = changes[-1] if changes else None
    current = last if last is not None and last.to_status == member.status else None
    out = Outlook(transitions=transitions, since=current.effective_on if current else None)
    if current is None:
        return out
    rules = load_rules()
    if member.status == MemberStatus.LOST and current.transition == StatusTransition.LOSE_CONTACT:
        out.possible_on[StatusTransition.SUSPEND] = suspension_possible_on(
            rules[RuleCode.LOST_CONTACT_SUSPENSION], current.effective_on)
        out.searched = any(s.searched_on >= current.effective_on for s in searches)
    elif member.status == MemberStatus.SUSPENDED and current.transition == StatusTransition.SUSPEND:
        boundary = removal_possible_on(rules[RuleCode.SUSPENSION_REMOVAL], current.effective_on)
        out.possible_on[StatusTransition.REMOVE] = boundary
        out.until[StatusTransition.RESTORE] = boundary
    return out


def member_history(*, actor: Any, member: Member, perm: str = TransfersPerm.VIEW) -> MemberHistory:
    """The member's branches over time, transfers, status changes and searches, for an actor whose scope
    covers the member for *perm* (else 404): their whole history goes with them, other branches included."""
    if not Member.objects.for_actor(actor, perm).filter(pk=member.pk).exists():
        report_out_of_scope(Member, actor, perm, pk=member.pk)
        raise Http404("not found")
    changes = list(StatusChange.objects.filter(member=member).order_by("effective_on", "id"))
    searches = list(ContactSearch.objects.filter(member=member).order_by("searched_on", "id"))
    return MemberHistory(
        member=member,
        periods=list(MembershipPeriod.objects.filter(member=member).select_related("org").order_by("valid_from", "id")),
        transfers=list(Transfer.objects.filter(member=member).select_related("from_org", "to_org").order_by("-id")),
        changes=changes,
        searches=searches,
        outlook=_outlook(member, changes, searches),
        open_transfer=_open_transfer_of(member),
    )


def member_actions(*, actor: Any, members: list[Member]) -> dict[int, set[str]]:
    """What *actor* may start for each of *members* (to show the buttons on the member's page and in the
    register's rows; the services decide): ``"status"`` (党籍状态变更) where ``transfers.change`` covers the
    member's branch, ``"initiate"`` (发起转接) where moreover the member may be transferred now (normal or
    mobile, no transfer open). Two queries whatever the number of members."""
    ids = [m.pk for m in members]
    if not ids:
        return {}
    changeable = set(Member.objects.for_actor(actor, TransfersPerm.CHANGE).filter(pk__in=ids).values_list("pk", flat=True))
    if not changeable:
        return {}
    open_ = set(Transfer.objects.filter(member_id__in=changeable, status__in=OPEN_STATUSES)
                .values_list("member_id", flat=True))
    out: dict[int, set[str]] = {}
    for member in members:
        if member.pk in changeable:
            out[member.pk] = {"status"}
            if member.pk not in open_ and member.status in TRANSFERABLE_MEMBER_STATUSES:
                out[member.pk].add("initiate")
    return out


def rule_list(*, actor: Any, perm: str = TransfersPerm.VIEW) -> list[TransferRule]:
    """The rules are global configuration, readable by anyone holding ``transfers.view``."""
    return list(platform_rows(TransferRule.objects.all(), actor, perm).order_by("id"))
