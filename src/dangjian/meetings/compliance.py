"""Cadence compliance decisions (DOMAIN §4): the status of one window of a cadence rule from its counts,
and the worst of several statuses. Pure calculations: no query, no actor. The counts come from
``meetings.selectors.cadence`` (the monitoring table) and the health scan (``health.rules.meetings``)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dangjian.meetings.choices import ComplianceStatus
from dangjian.meetings.periods import Window

__all__ = ["STATUS_RANK", "window_status", "worst_status"]

# worst first: what a summary of several windows shows
STATUS_RANK = {ComplianceStatus.NOT_HELD: 3, ComplianceStatus.UNRECORDED: 2, ComplianceStatus.OPEN: 1,
               ComplianceStatus.MET: 0}


def window_status(window: Window, required: int, held: int, unrecorded: int, today: dt.date) -> str:
    """The status of one window of a rule: met; held but not all recorded yet (planned meetings whose time
    has passed would make up the minimum); still open; or not held once the window is over."""
    if held >= required:
        return ComplianceStatus.MET
    if held + unrecorded >= required:
        return ComplianceStatus.UNRECORDED
    if today < window.end:
        return ComplianceStatus.OPEN
    return ComplianceStatus.NOT_HELD


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of *statuses* (met when there is none)."""
    return max(statuses, key=STATUS_RANK.__getitem__, default=ComplianceStatus.MET)
