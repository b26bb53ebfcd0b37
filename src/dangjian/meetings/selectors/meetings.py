"""Reads of meetings: lists, one meeting, the roll, my meetings, the calendar (STYLE §3–4).

Every read starts from ``Meeting.objects.for_actor(actor, perm)``: out of scope is "not found". A member
always sees the meetings of their own branch and those they are on the roll of (``scope_self_q``).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from dangjian.core.scoping import ScopeKind, get_for_actor, path_range_q, platform_rows, resolver
from dangjian.meetings.choices import MeetingsPerm, MeetingStatus, RollSource
from dangjian.meetings.models import (
    Attendance,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingSeries,
)
from dangjian.members.choices import INACTIVE_STATUSES, MemberStatus
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.selectors import member_of_user
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import branch_groups, org_can, org_get, org_in_scope

__all__ = [
    "ROLL_EXCLUDED_STATUSES",
    "CalendarDay",
    "attachment_get",
    "calendar_month",
    "default_org_for",
    "followup_get",
    "kind_by_code",
    "kinds_for_org",
    "meeting_attachments",
    "meeting_attendance",
    "meeting_can_change",
    "meeting_followups",
    "meeting_form_default_org",
    "meeting_get",
    "meeting_list",
    "meeting_orgs_for",
    "my_meetings",
    "org_groups",
    "org_roll",
    "roll_for",
    "roll_members",
    "series_get",
    "series_list",
    "series_upcoming",
]

# Who is not on a meeting's roll: members who left the register and those whose membership is suspended.
ROLL_EXCLUDED_STATUSES = (*INACTIVE_STATUSES, MemberStatus.SUSPENDED)


# --- kinds ---------------------------------------------------------------------------------------------

def _kinds(actor: Any) -> QuerySet[MeetingKind]:
    # reference data: the same active kinds for every signed-in actor
    return platform_rows(MeetingKind.objects.filter(is_active=True), actor)


def kinds_for_org(*, actor: Any, org: Organization | None) -> list[MeetingKind]:
    """Active kinds an org of this type holds (all active kinds when *org* is None). Reference data."""
    kinds = list(_kinds(actor).order_by("sort", "pk"))
    return kinds if org is None else [k for k in kinds if k.allows(org.org_type)]


def kind_by_code(*, actor: Any, code: str | None) -> MeetingKind | None:
    return _kinds(actor).filter(code=(code or "").strip()).first() if code else None


# --- the roll ------------------------------------------------------------------------------------------

def roll_members(*, actor: Any, org: Organization, perm: str) -> QuerySet[Member]:
    """Members on the register (not left, not suspended) reached through *org*: every one when *org* is in
    the actor's scope for *perm*, else only the actor's own record (one's own records are always visible,
    STYLE §4) — so a member can tell whether they are on a roll. A roll belongs to its organisation, not
    to the members' own branches: a committee's roll may hold members of branches outside the scope."""
    reached = Q(org_in_scope(actor=actor, org=org, perm=perm))
    if getattr(actor, "pk", None) is not None:
        reached |= Q(user_id=actor.pk)
    return Member.objects.exclude(status__in=ROLL_EXCLUDED_STATUSES).filter(reached)


def org_roll(*, actor: Any, org: Organization, perm: str = MeetingsPerm.VIEW) -> QuerySet[Member]:
    """Members of *org*'s subtree on the register (a branch: its own members)."""
    return (roll_members(actor=actor, org=org, perm=perm).filter(path_range_q("org__path", org.path))
            .order_by("pk"))


def roll_for(*, actor: Any, org: Organization, kind: MeetingKind, party_group: Organization | None = None,
             perm: str = MeetingsPerm.VIEW) -> QuerySet[Member]:
    """Whose attendance a meeting takes: the party group's members for 党小组会, the current committee's
    members for 支委会/党委会 (the org's members when no committee is recorded), else the org's members.
    Reached through *org* (:func:`roll_members`)."""
    if kind.roll == RollSource.GROUP:
        if party_group is None:
            return Member.objects.none()
        return (roll_members(actor=actor, org=org, perm=perm).filter(org=org, party_group=party_group)
                .order_by("pk"))
    if kind.roll == RollSource.COMMITTEE:
        seats = CommitteeSeat.objects.filter(term__org=org, term__is_current=True, until__isnull=True)
        if seats.exists():
            return roll_members(actor=actor, org=org, perm=perm).filter(
                pk__in=seats.values("member_id")).order_by("pk")
    return org_roll(actor=actor, org=org, perm=perm)


def org_groups(*, actor: Any, org: Organization, perm: str = MeetingsPerm.VIEW) -> QuerySet[Organization]:
    """The active party groups of a branch (for 党小组会), for an actor who may work on the branch."""
    if org.org_type != OrgType.BRANCH:
        return Organization.objects.none()
    return branch_groups(actor=actor, branch=org, perm=perm).filter(status=OrgStatus.ACTIVE)


# --- meetings ------------------------------------------------------------------------------------------

def meeting_list(
    *,
    actor: Any,
    perm: str = MeetingsPerm.VIEW,
    org: Organization | None = None,
    subtree: bool = True,
    kind: MeetingKind | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Meeting]:
    """Meetings visible to *actor*, optionally of *org* (and its subtree), a kind, a status, a date range
    (``date_to`` inclusive)."""
    qs = Meeting.objects.for_actor(actor, perm)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path)) if subtree else qs.filter(org=org)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(meeting_date__gte=date_from)
    if date_to:
        qs = qs.filter(meeting_date__lte=date_to)
    return qs.select_related("org", "kind", "party_group")


def meeting_get(*, actor: Any, pk: Any, perm: str = MeetingsPerm.VIEW) -> Meeting:
    """One meeting in scope, else 404 (the same for missing and out of scope)."""
    return get_for_actor(Meeting.objects.select_related("org", "kind", "party_group", "series"), actor, perm, pk=pk)


def meeting_can_change(*, actor: Any, meeting: Meeting) -> bool:
    return Meeting.objects.for_actor(actor, MeetingsPerm.CHANGE).filter(pk=meeting.pk).exists()


def _in_meeting(actor: Any, meeting: Meeting, perm: str) -> Q:
    # rows of a meeting are read with the meeting: the whole list for whoever may read the meeting
    return Q(meeting__in=Meeting.objects.for_actor(actor, perm).filter(pk=meeting.pk).values("pk"))


def meeting_attendance(*, actor: Any, meeting: Meeting, perm: str = MeetingsPerm.VIEW) -> list[Attendance]:
    """The recorded roll call of a meeting the actor may read (else empty)."""
    return list(Attendance.objects.filter(_in_meeting(actor, meeting, perm)).select_related("member")
                .order_by("member_id"))


def meeting_attachments(*, actor: Any, meeting: Meeting,
                        perm: str = MeetingsPerm.VIEW) -> list[MeetingAttachment]:
    return list(MeetingAttachment.objects.filter(_in_meeting(actor, meeting, perm)).order_by("pk"))


def meeting_followups(*, actor: Any, meeting: Meeting, perm: str = MeetingsPerm.VIEW) -> list[FollowUp]:
    return list(FollowUp.objects.filter(_in_meeting(actor, meeting, perm)).select_related("owner")
                .order_by("due_on", "pk"))


def attachment_get(*, actor: Any, meeting: Meeting, pk: Any) -> MeetingAttachment:
    return get_for_actor(MeetingAttachment.objects.all(), actor, MeetingsPerm.VIEW, pk=pk, meeting=meeting)


def followup_get(*, actor: Any, meeting: Meeting, pk: Any, perm: str = MeetingsPerm.CHANGE) -> FollowUp:
    return get_for_actor(FollowUp.objects.select_related("owner"), actor, perm, pk=pk, meeting=meeting)


def default_org_for(actor: Any, perm: str = MeetingsPerm.CHANGE) -> Organization | None:
    """The org a form starts with: the actor's own branch when *perm* covers it, else the org of their first
    grant of *perm* (a branch first). None when they hold *perm* nowhere specific."""
    member = member_of_user(actor=actor)
    if member is not None and org_can(actor=actor, org=member.org, perm=perm):
        return member.org
    grants = [g for g in resolver().grants(actor, perm) if g.kind != ScopeKind.ALL and g.org_id]
    if not grants:
        return None
    orgs = [org_get(actor=actor, pk=g.org_id, perm=perm) for g in grants[:5]]
    branches = [o for o in orgs if o.org_type == OrgType.BRANCH]
    return (branches or orgs)[0]


def meeting_form_default_org(actor: Any, orgs: list[Organization] | None = None,
                             perm: str = MeetingsPerm.CHANGE) -> Organization | None:
    """The org the meeting form starts with (issue 9, point 6): the actor's own branch, or the branch their
    grant is at, or the only org they may choose. None for a user whose scope is above branches (an
    organisation department, a committee secretary): they choose first, so no roll of a whole committee's
    thousands of members is built before an org is chosen."""
    default = default_org_for(actor, perm)
    if default is not None and default.org_type == OrgType.BRANCH:
        return default
    orgs = meeting_orgs_for(actor, perm, limit=2) if orgs is None else orgs
    return orgs[0] if len(orgs) == 1 else None



def meeting_orgs_for(actor: Any, perm: str = MeetingsPerm.CHANGE, limit: int = 51) -> list[Organization]:
    """Active organisations that hold meetings (not party groups) in the actor's scope, path order, capped."""
    return list(Organization.objects.for_actor(actor, perm).filter(status=OrgStatus.ACTIVE).exclude(
        org_type=OrgType.GROUP).order_by("path")[:limit])


# --- my meetings ---------------------------------------------------------------------------------------

def _mine_q(member: Member) -> Q:
    """Meetings *member* is expected at: their branch's org-wide meetings, their party group's, those of
    the committees they sit on, and any meeting they are on the recorded roll of."""
    seat_orgs = CommitteeSeat.objects.filter(member=member, until__isnull=True, term__is_current=True).values(
        "term__org_id")
    q = Q(kind__roll=RollSource.ORG, org_id=member.org_id) | Q(kind__roll=RollSource.COMMITTEE, org_id__in=seat_orgs)
    if member.party_group_id:
        q |= Q(kind__roll=RollSource.GROUP, party_group_id=member.party_group_id)
    return q | Q(pk__in=Attendance.objects.filter(member=member).values("meeting_id"))


def my_meetings(*, actor: Any, now: dt.datetime | None = None, limit: int = 20) -> dict[str, Any]:
    """The signed-in member's upcoming meetings (planned, not yet over, soonest first) and past ones
    (newest first) with their own attendance; ``member`` None when the account has no member record.
    Built on ``for_actor``: these are all within the member's own-records scope (``scope_self_q``)."""
    member = member_of_user(actor=actor)
    if member is None:
        return {"member": None, "upcoming": [], "past": []}
    now = now or timezone.now()
    own = Attendance.objects.filter(meeting=OuterRef("pk"), member=member)
    base = (Meeting.objects.for_actor(actor, MeetingsPerm.VIEW).filter(_mine_q(member))
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("org", "kind", "party_group")
            .annotate(my_status=Subquery(own.values("status")[:1]),
                      my_confirmed_at=Subquery(own.values("self_confirmed_at")[:1])))
    upcoming = list(base.filter(status=MeetingStatus.PLANNED, ends_at__gte=now).order_by("starts_at", "pk")[:limit])
    past = list(base.filter(Q(status=MeetingStatus.HELD) | Q(ends_at__lt=now)).order_by("-starts_at", "-pk")[:limit])
    return {"member": member, "upcoming": upcoming, "past": past}


# --- calendar ------------------------------------------------------------------------------------------

@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    meetings: list[Meeting]


def calendar_month(*, actor: Any, org: Organization | None, year: int, month: int,
                   perm: str = MeetingsPerm.VIEW) -> list[list[CalendarDay]]:
    """A month grid (weeks Monday first) with the visible meetings of *org*'s subtree on each day."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    qs = meeting_list(actor=actor, perm=perm, org=org, date_from=first, date_to=last).order_by("starts_at", "pk")
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in qs[:2000]:
        by_day.setdefault(meeting.meeting_date, []).append(meeting)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([CalendarDay(d, d.month == month, by_day.get(d, [])) for d in week])
    return weeks


# --- series --------------------------------------------------------------------------------------------

def series_list(*, actor: Any, org: Organization | None = None, perm: str = MeetingsPerm.VIEW) -> QuerySet[MeetingSeries]:
    qs = MeetingSeries.objects.for_actor(actor, perm).select_related("org", "kind", "party_group")
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    return qs


def series_upcoming(*, actor: Any, items: list[MeetingSeries], today: dt.date, per_series: int = 3,
                    perm: str = MeetingsPerm.VIEW) -> dict[int, list[Meeting]]:
    """The next planned meetings of each series (from *today*) the actor may see, in one query."""
    out: dict[int, list[Meeting]] = {}
    if not items:
        return out
    rows = (Meeting.objects.for_actor(actor, perm)
            .filter(series_id__in=[s.pk for s in items], meeting_date__gte=today, status=MeetingStatus.PLANNED)
            .order_by("meeting_date", "pk"))
    for meeting in rows[: len(items) * 24]:
        bucket = out.setdefault(meeting.series_id, [])
        if len(bucket) < per_series:
            bucket.append(meeting)
    return out


def series_get(*, actor: Any, pk: Any, perm: str = MeetingsPerm.VIEW) -> MeetingSeries:
    return get_for_actor(MeetingSeries.objects.select_related("org", "kind", "party_group"), actor, perm, pk=pk)
