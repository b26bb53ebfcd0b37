"""Rows for the authorization matrices: a meeting (with an attachment and a follow-up), a series, a term
and an election per branch of the matrix's world, made once per world.

They are written straight to the tables, without audit entries (like ``development``'s bare pipelines):
the matrices compare the audit log before and after each request, and some build their URLs after
taking the "before" state. The services themselves are tested in this app's own tests.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from dangjian.meetings.tests.fixtures import shanghai

__all__ = [
    "build_world",
    "world_attachment",
    "world_election",
    "world_followup",
    "world_meeting",
    "world_series",
    "world_term",
    "world_upcoming_meeting",
]

START = shanghai(2024, 3, 5, 14)


def _cache(world: Any, name: str) -> dict:
    return world.__dict__.setdefault(f"_meetings_{name}", {})


def _member(world: Any, code: str):
    return getattr(world, "a_member", None) or world.ma if code == "A1" else getattr(world, "b_member", None) or world.mb


def world_meeting(world: Any, code: str) -> int:
    """A planned 主题党日 of branch *code* (topic "<code>会议") on 2024-03-05 14:00–16:00."""
    cache = _cache(world, "meetings")
    if code not in cache:
        from dangjian.meetings.models import Meeting, MeetingKind

        cache[code] = Meeting.objects.create(
            org=world.orgs[code], kind=MeetingKind.objects.get(code="theme_day"), topic=f"{code}会议",
            starts_at=START, ends_at=START + dt.timedelta(hours=2), meeting_date=START.date()).pk
    return cache[code]


def world_upcoming_meeting(world: Any, code: str) -> int:
    """A planned meeting of *code* that starts tomorrow (a check-in code can still be issued for it)."""
    cache = _cache(world, "upcoming")
    if code not in cache:
        from django.utils import timezone

        from dangjian.meetings.models import Meeting, MeetingKind

        start = (timezone.localtime() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        cache[code] = Meeting.objects.create(
            org=world.orgs[code], kind=MeetingKind.objects.get(code="theme_day"), topic=f"{code}明天的会议",
            starts_at=start, ends_at=start + dt.timedelta(hours=2), meeting_date=start.date()).pk
    return cache[code]


def world_attachment(world: Any, code: str) -> dict[str, int]:
    cache = _cache(world, "attachments")
    if code not in cache:
        from dangjian.meetings.models import MeetingAttachment

        attachment = MeetingAttachment(meeting_id=world_meeting(world, code), name=f"{code}.pdf", size=15,
                                       content_type="application/pdf")
        attachment.file.save(f"{code}.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
        attachment.save()
        cache[code] = {"pk": attachment.meeting_id, "aid": attachment.pk}
    return cache[code]


def world_followup(world: Any, code: str) -> dict[str, int]:
    cache = _cache(world, "followups")
    if code not in cache:
        from dangjian.meetings.models import FollowUp

        followup = FollowUp.objects.create(meeting_id=world_meeting(world, code), title=f"{code}事项",
                                           owner=_member(world, code), due_on=dt.date(2024, 3, 31))
        cache[code] = {"pk": followup.meeting_id, "fid": followup.pk}
    return cache[code]


def world_series(world: Any, code: str) -> int:
    cache = _cache(world, "series")
    if code not in cache:
        from dangjian.meetings.models import MeetingKind, MeetingSeries

        cache[code] = MeetingSeries.objects.create(
            org=world.orgs[code], kind=MeetingKind.objects.get(code="theme_day"), topic=f"{code}固定活动",
            day_of_month=10, start_time=dt.time(14, 30), starts_on=dt.date(2024, 1, 1)).pk
    return cache[code]


def world_term(world: Any, code: str) -> int:
    """The current term of *code*: the one the world already has, else one from 2021-06-15 to 2024-06-15."""
    cache = _cache(world, "terms")
    if code not in cache:
        from dangjian.orgs.models import CommitteeTerm

        term = CommitteeTerm.objects.filter(org=world.orgs[code], is_current=True).first()
        if term is None:
            term = CommitteeTerm.objects.create(org=world.orgs[code], number=1, start_date=dt.date(2021, 6, 15),
                                                term_years=3, end_date=dt.date(2024, 6, 15))
        cache[code] = term.pk
    return cache[code]


def world_election(world: Any, code: str) -> int:
    """An election of *code* (2024-06-20) that produced its current term, its member elected secretary."""
    cache = _cache(world, "elections")
    if code not in cache:
        from dangjian.meetings.models import ElectionRecord, ElectionResult
        from dangjian.orgs.models import CommitteeTerm

        term = CommitteeTerm.objects.get(pk=world_term(world, code))
        election = ElectionRecord.objects.create(org=world.orgs[code], held_on=dt.date(2024, 6, 20), entitled=1,
                                                 attending=1, term=term)
        ElectionResult.objects.create(election=election, member=_member(world, code), votes=1, elected=True,
                                      position="secretary")
        cache[code] = election.pk
    return cache[code]


def build_world(world: Any) -> Any:
    """Makes every row above for A1 and B1 up front (for matrices that snapshot every table)."""
    for code in ("A1", "B1"):
        world_attachment(world, code)
        world_followup(world, code)
        world_series(world, code)
        world_election(world, code)
        world_upcoming_meeting(world, code)
    return world
