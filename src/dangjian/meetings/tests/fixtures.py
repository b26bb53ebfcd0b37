"""Meetings fixtures: a branch roll, the seeded kinds, meetings built through the services (STYLE §14)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

__all__ = ["SHANGHAI", "at", "branch", "kinds", "meeting_factory", "shanghai"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime on the Asia/Shanghai wall clock (the project time zone)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def at():
    return shanghai


@pytest.fixture
def kinds(db):
    from dangjian.meetings.models import MeetingKind

    return {k.code: k for k in MeetingKind.objects.all()}


@pytest.fixture
def branch(tree, member_factory):
    """Branch A1 with three full members (two in party group A1G1) and one probationary member; one
    member in B1."""
    full = [member_factory("A1", name=f"甲一党员{i}", party_group=tree["A1G1"] if i < 2 else None) for i in range(3)]
    probationary = member_factory("A1", name="甲一预备党员", category="probationary", full_member_on=None,
                                  joined_on=dt.date(2024, 1, 5))
    other = member_factory("B1", name="乙一党员")
    return SimpleNamespace(tree=tree, full=full, probationary=probationary, other=other,
                           roll=[*full, probationary])


@pytest.fixture
def meeting_factory(tree, kinds):
    """``meeting_factory("A1", "theme_day", start, held=True, attendance=[...])`` through the services."""
    from dangjian.meetings.services import meeting_create

    def make(org_code: Any = "A1", kind: str = "theme_day", start: dt.datetime | None = None, *,
             hours: int = 2, held: bool = False, actor: Any = None, **extra: Any):
        start = start or shanghai(2024, 3, 5, 14)
        extra.setdefault("topic", "学习贯彻会议精神")
        org = tree[org_code] if isinstance(org_code, str) else org_code
        return meeting_create(actor=actor, org=org, kind=kinds[kind], starts_at=start,
                              ends_at=start + dt.timedelta(hours=hours), held=held, **extra)

    return make
