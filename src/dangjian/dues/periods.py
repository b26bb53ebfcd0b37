"""Billing periods: a month written ``YYYY-MM`` (sorts as text, so ``period <= "2024-06"`` works in SQL)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.dues.errors import DuesError

__all__ = ["Period", "parse_period", "period_of"]

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class Period(tuple):
    """(year, month) with helpers; ``str()`` gives ``YYYY-MM``."""

    def __new__(cls, year: int, month: int):
        return super().__new__(cls, (year, month))

    @property
    def year(self) -> int:
        return self[0]

    @property
    def month(self) -> int:
        return self[1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def add(self, months: int) -> Period:
        i = self.index + months
        return Period(i // 12, i % 12 + 1)

    def months_until(self, other: Period) -> int:
        """Whole months from this period to *other* (0 for the same month)."""
        return other.index - self.index


def period_of(day: dt.date) -> Period:
    return Period(day.year, day.month)


def parse_period(value: Any, *, field: str = "period") -> Period:
    """``"2024-03"`` → Period(2024, 3); a field error naming *field* otherwise (full-width digits allowed)."""
    if isinstance(value, Period):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _PERIOD.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise DomainError.one(DuesError.PERIOD_INVALID, field, _("月份格式应为 YYYY-MM，例如 2024-03"))
    return Period(int(match.group(1)), int(match.group(2)))
