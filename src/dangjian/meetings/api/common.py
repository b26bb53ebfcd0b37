"""The meetings router, its path parameters and the response shapes shared by its modules."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import P, PathEx

from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError
from dangjian.meetings import selectors as sel
from dangjian.meetings.choices import AttendanceStatus, MeetingsPerm
from dangjian.meetings.errors import MeetingsError

__all__ = ["ElectionId", "FollowUpId", "MeetingId", "SeriesId", "TermId", "router"]

router = Router(app="meetings")

MeetingId = PathEx[int, P(ge=1, le=MAX_ID, description="会议 id")]
FollowUpId = PathEx[int, P(ge=1, le=MAX_ID, description="决定事项 id")]
SeriesId = PathEx[int, P(ge=1, le=MAX_ID, description="固定活动 id")]
TermId = PathEx[int, P(ge=1, le=MAX_ID, description="届次 id")]
ElectionId = PathEx[int, P(ge=1, le=MAX_ID, description="选举记录 id")]


# ------------------------------------------------------------------------------------------ shapes

def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def _member(member: Any) -> dict[str, Any]:
    return {"id": member.pk, "name": member.name}


def _meeting(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk, "org": _org(m.org), "party_group": _org(m.party_group),
        "kind": {"code": m.kind.code, "name": m.kind.name}, "topic": m.topic, "agenda": list(m.agenda or []),
        "place": m.place, "online_url": m.online_url, "starts_at": m.starts_at, "ends_at": m.ends_at,
        "meeting_date": m.meeting_date, "status": m.status, "recorded_at": m.recorded_at,
        "cancel_reason": m.cancel_reason, "series_id": m.series_id,
    }


def _followup(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "title": f.title, "owner": _member(f.owner), "due_on": f.due_on, "done_on": f.done_on}


def _meeting_detail(actor: Any, m: Any) -> dict[str, Any]:
    attendance = sel.meeting_attendance(actor=actor, meeting=m)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for a in attendance:
        counts[a.status] += 1
    return {
        **_meeting(m), "minutes": m.minutes, "counts": counts,
        "attendance": [{"member": _member(a.member), "status": a.status, "reason": a.reason,
                        "self_confirmed_at": a.self_confirmed_at} for a in attendance],
        "attachments": [{"id": f.pk, "name": f.name, "size": f.size,
                         "url": reverse("meetings:attachment_download", kwargs={"pk": m.pk, "aid": f.pk})}
                        for f in sel.meeting_attachments(actor=actor, meeting=m)],
        "followups": [_followup(f) for f in sel.meeting_followups(actor=actor, meeting=m)],
    }


def _term(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "number": t.number, "start_date": t.start_date, "term_years": t.term_years,
            "end_date": t.end_date, "postponed_until": t.postponed_until, "postponement_doc": t.postponement_doc}


def _election(actor: Any, e: Any) -> dict[str, Any]:
    return {
        "id": e.pk, "org": _org(e.org), "held_on": e.held_on, "entitled": e.entitled, "attending": e.attending,
        "term": _term(e.term),
        "results": [{"member": _member(r.member), "votes": r.votes, "elected": r.elected, "position": r.position}
                    for r in sel.election_results(actor=actor, election=e)],
        "approved_by": _org(e.approved_by), "approved_on": e.approved_on, "approval_doc": e.approval_doc,
    }


def _series(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "org": _org(s.org), "kind": {"code": s.kind.code, "name": s.kind.name}, "topic": s.topic,
            "day_of_month": s.day_of_month, "interval_months": s.interval_months, "start_time": s.start_time,
            "duration_minutes": s.duration_minutes, "starts_on": s.starts_on, "until": s.until}


def _group(actor: Any, org: Any, code: str | None):
    """The party group of *org* named by *code* (None when no code); an unknown group is a 422."""
    if not code:
        return None
    group = next((g for g in sel.org_groups(actor=actor, org=org, perm=MeetingsPerm.CHANGE) if g.code == code.strip()),
                 None)
    if group is None:
        raise DomainError.one(MeetingsError.GROUP_NOT_IN_ORG, "party_group", _("该党小组不属于本支部"))
    return group


def _attendance(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump() for item in items]


# ------------------------------------------------------------------------------------- reference data
