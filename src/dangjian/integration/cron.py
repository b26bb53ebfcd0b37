"""Schedule specs: ``every <n>[s|m|h|d]`` or a five-field cron line (minute hour day month weekday).

Cron fields take ``*``, numbers, ``a-b`` ranges, ``*/n`` or ``a-b/n`` steps and comma lists; weekday
is 0–7 (0 and 7 are Sunday) or ``mon``…``sun``. As in cron, when both day-of-month and weekday are
restricted a day matching either runs. Times are wall-clock times in the site's time zone
(Asia/Shanghai has no daylight saving, so every local time exists exactly once).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.parsing import is_ascii_digits, parse_int

__all__ = ["Spec", "SpecError", "describe_spec", "next_run", "parse_spec"]

_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_SEARCH_DAYS = 366 * 5  # e.g. "29 Feb" recurs within four years


class SpecError(ValueError):
    """The spec cannot be parsed; the message says which part."""


@dataclass(frozen=True)
class Spec:
    interval: int | None = None  # seconds, for "every"
    minutes: tuple[int, ...] = ()
    hours: tuple[int, ...] = ()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Sunday
    day_restricted: bool = False
    weekday_restricted: bool = False


def _field(text: str, low: int, high: int, name: str) -> set[int]:
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            parsed = parse_int(step_text, minimum=1) if is_ascii_digits(step_text) else None
            if parsed is None:
                raise SpecError(f"{name}: bad step in {text!r}")
            step = parsed
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, _, b = part.partition("-")
            start, end = _number(a, name), _number(b, name)
        else:
            start = _number(part, name)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise SpecError(f"{name}: {text!r} is outside {low}-{high}")
        out.update(range(start, end + 1, step))
    return out


def _number(text: str, name: str) -> int:
    text = text.strip().lower()
    if name == "weekday" and text in _DAYS:
        return _DAYS[text]
    if not is_ascii_digits(text) or len(text) > 4:
        raise SpecError(f"{name}: {text!r} is not a number")
    return int(text)


def parse_spec(spec: str) -> Spec:
    text = " ".join((spec or "").strip().lower().split())
    match = _EVERY.match(text)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds < 1:
            raise SpecError("every: the interval must be at least one second")
        return Spec(interval=seconds)
    parts = text.split(" ")
    if len(parts) != 5:
        raise SpecError("expected 'every <n>[s|m|h|d]' or five cron fields: minute hour day month weekday")
    names = ("minute", "hour", "day", "month", "weekday")
    values = [_field(p, lo, hi, n) for p, (lo, hi), n in zip(parts, _RANGES, names, strict=True)]
    weekdays = {d % 7 for d in values[4]}
    return Spec(
        minutes=tuple(sorted(values[0])),
        hours=tuple(sorted(values[1])),
        days=frozenset(values[2]),
        months=frozenset(values[3]),
        weekdays=frozenset(weekdays),
        day_restricted=parts[2] != "*",
        weekday_restricted=parts[4] != "*",
    )


def _day_matches(spec: Spec, day: dt.date) -> bool:
    if day.month not in spec.months:
        return False
    by_day = day.day in spec.days
    by_weekday = (day.isoweekday() % 7) in spec.weekdays
    if spec.day_restricted and spec.weekday_restricted:
        return by_day or by_weekday
    return by_day and by_weekday


def next_run(spec: Spec | str, after: dt.datetime) -> dt.datetime:
    """The first run strictly after *after* (an aware datetime)."""
    if isinstance(spec, str):
        spec = parse_spec(spec)
    if spec.interval is not None:
        return after + dt.timedelta(seconds=spec.interval)
    tz = timezone.get_current_timezone()
    local = timezone.localtime(after, tz)
    day = local.date()
    for _day in range(_SEARCH_DAYS):
        if _day_matches(spec, day):
            for hour in spec.hours:
                for minute in spec.minutes:
                    candidate = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
                    if candidate > local:
                        return candidate
        day += dt.timedelta(days=1)
    raise SpecError("the spec never matches a date")


_MAX_TIMES = 4  # "每天 02:00、14:00" reads well; a longer list is a custom schedule


def _weekday_names() -> list[str]:
    return [_("周日"), _("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六")]


def describe_spec(spec: str) -> str:
    """When a schedule entry runs, in words for the schedule page: "每天 02:30", "每分钟", "每月 1 日 01:00",
    "每周一 08:00"; a spec these do not cover is "自定义周期" (the spec itself is in the advanced detail)."""
    try:
        parsed = parse_spec(spec)
    except SpecError:
        return _("周期设置无效")
    if parsed.interval is not None:
        for unit, one, many in ((86400, _("每天"), _("每 %(n)s 天")), (3600, _("每小时"), _("每 %(n)s 小时")),
                                (60, _("每分钟"), _("每 %(n)s 分钟")), (1, _("每秒"), _("每 %(n)s 秒"))):
            if parsed.interval % unit == 0:
                n = parsed.interval // unit
                return one if n == 1 else many % {"n": n}
    times = [f"{h:02d}:{m:02d}" for h in parsed.hours for m in parsed.minutes]
    if not times or len(times) > _MAX_TIMES:
        return _("自定义周期")
    at = "、".join(times)
    every_month = len(parsed.months) == 12
    if not parsed.day_restricted and not parsed.weekday_restricted and every_month:
        return _("每天 %(time)s") % {"time": at}
    if parsed.weekday_restricted and not parsed.day_restricted and every_month:
        names = _weekday_names()
        days = "、".join(names[d] for d in sorted(parsed.weekdays, key=lambda d: (d == 0, d)))
        return _("每%(days)s %(time)s") % {"days": days, "time": at}
    if parsed.day_restricted and not parsed.weekday_restricted and len(parsed.days) == 1:
        day = next(iter(parsed.days))
        if every_month:
            return _("每月 %(day)s 日 %(time)s") % {"day": day, "time": at}
        if len(parsed.months) == 1:
            return _("每年 %(month)s 月 %(day)s 日 %(time)s") % {"month": next(iter(parsed.months)), "day": day,
                                                            "time": at}
    return _("自定义周期")
