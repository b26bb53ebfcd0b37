"""Calendar windows of the cadence rules: a month ``2024-03``, a quarter ``2024-Q1`` or a year ``2024``.

Windows are half-open date ranges ``[start, end)`` of calendar days in Asia/Shanghai (meetings carry
their local ``meeting_date``), so a meeting at 23:30 on the last day of a month counts in that month.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.meetings.choices import CadenceUnit
from dangjian.meetings.errors import MeetingsError

__all__ = ["Window", "parse_period", "window_of", "windows_for"]

_MONTHS = {CadenceUnit.MONTH: 1, CadenceUnit.QUARTER: 3, CadenceUnit.YEAR: 12}
_PATTERN = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|[Qq](?P<q>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Window:
    start: dt.date
    end: dt.date  # exclusive
    unit: str

    @property
    def label(self) -> str:
        if self.unit == CadenceUnit.MONTH:
            return f"{self.start:%Y-%m}"
        if self.unit == CadenceUnit.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def window_of(unit: str, day: dt.date) -> Window:
    """The window of *unit* that contains *day*."""
    months = _MONTHS[unit]
    first_month = ((day.month - 1) // months) * months + 1
    start = dt.date(day.year, first_month, 1)
    return Window(start, start + relativedelta(months=months), unit)


def parse_period(text: str | None, *, field: str = "period") -> Window:
    """``2024-03`` → that month, ``2024-Q1`` → that quarter, ``2024`` → that year; else a field error."""
    match = _PATTERN.match((text or "").strip())
    if match:
        year = int(match["y"])
        if match["m"]:
            month = int(match["m"])
            if 1 <= month <= 12 and year >= 1921:
                return window_of(CadenceUnit.MONTH, dt.date(year, month, 1))
        elif match["q"]:
            if year >= 1921:
                return window_of(CadenceUnit.QUARTER, dt.date(year, (int(match["q"]) - 1) * 3 + 1, 1))
        elif year >= 1921:
            return window_of(CadenceUnit.YEAR, dt.date(year, 1, 1))
    raise DomainError.one(MeetingsError.PERIOD_INVALID, field,
                          _("期间格式应为 YYYY-MM（月）、YYYY-Qn（季度）或 YYYY（年）"))


def windows_for(unit: str, period: Window) -> list[Window]:
    """The windows of a rule's *unit* over *period*: every one inside it when the unit is not longer
    than the period (a monthly rule over a quarter: three months), else the one that contains it (a
    yearly rule seen from a month: that year)."""
    if _MONTHS[unit] >= _MONTHS[period.unit]:
        return [window_of(unit, period.start)]
    out, day = [], period.start
    while day < period.end:
        window = window_of(unit, day)
        out.append(window)
        day = window.end
    return out
