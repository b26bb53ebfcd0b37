"""Committee terms: how close a term is to its end, and where it stands with reminders and an approved
postponement (DOMAIN §3). Pure calculations on a term and a date: no query, no actor."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings

from dangjian.orgs.models import CommitteeTerm

__all__ = [
    "TERM_REMINDER_MONTHS",
    "TERM_REMINDER_OFFSETS",
    "TermState",
    "TermStateCode",
    "TermStatus",
    "term_reminder_offsets",
    "term_state",
    "term_status",
]

# DOMAIN §3 "Reminder lead time": the higher organisation reminds a branch about 6 months before its
# term ends; after the end date with no new term the election is overdue ("On-time elections").
TERM_REMINDER_MONTHS = 6


@dataclass(frozen=True)
class TermStatus:
    """How close a committee term is to its end (DOMAIN §3): ``ok``, ``due`` (< 6 months) or ``expired``."""

    level: str
    days_left: int

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)


def term_status(term: CommitteeTerm, today: dt.date) -> TermStatus:
    days = term.days_left(today)
    if days < 0:
        return TermStatus("expired", days)
    if term.end_date < today + relativedelta(months=TERM_REMINDER_MONTHS):
        return TermStatus("due", days)
    return TermStatus("ok", days)


# --- term status with reminder stages and postponement (DOMAIN §3) ---------------------------------------

# DOMAIN §3 "Reminder lead time": the higher organisation reminds about 6 months before the end; the
# default alerts are at 6, 3 and 1 months. Configurable with ``DANGJIAN_TERM_REMINDER_MONTHS``.
TERM_REMINDER_OFFSETS = (6, 3, 1)


def term_reminder_offsets() -> tuple[int, ...]:
    """The reminder offsets in months, largest first (settings override the DOMAIN §3 default)."""
    offsets = getattr(settings, "DANGJIAN_TERM_REMINDER_MONTHS", TERM_REMINDER_OFFSETS)
    return tuple(sorted({int(m) for m in offsets if int(m) > 0}, reverse=True))


class TermStateCode:
    CURRENT = "current"  # 任期内
    EXPIRING = "expiring"  # 即将届满 (a reminder offset reached)
    EXPIRED = "expired"  # 已届满未换届 (no approved postponement, or past it)
    POSTPONED = "postponed"  # 经批准延期换届, not yet past the postponement


@dataclass(frozen=True)
class TermState:
    """Where a committee term stands (DOMAIN §3): ``status`` (current / expiring / expired / postponed),
    the days to the effective end (negative once past it), the reminder offset reached (6, 3, 1 months by
    default; None before the first) and the effective end (the postponement when approved)."""

    status: str
    days_left: int
    reminder_months: int | None
    effective_end: dt.date

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)


def term_state(term: CommitteeTerm, today: dt.date, offsets: tuple[int, ...] | None = None) -> TermState:
    """A term's status on *today*. A reminder offset of *m* months is reached from ``end − m months``
    (inclusive); the term expires the day after its effective end (DOMAIN §3 "On-time elections":
    ``today > term_end`` with no approved extension is overdue)."""
    offsets = offsets if offsets is not None else term_reminder_offsets()
    end = term.effective_end
    days = (end - today).days
    reached = [m for m in offsets if today >= end - relativedelta(months=m)]
    stage = min(reached) if reached else None
    if today > end:
        return TermState(TermStateCode.EXPIRED, days, stage, end)
    if term.postponed_until is not None:
        return TermState(TermStateCode.POSTPONED, days, stage, end)
    if stage is not None:
        return TermState(TermStateCode.EXPIRING, days, stage, end)
    return TermState(TermStateCode.CURRENT, days, None, end)
