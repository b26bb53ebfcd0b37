"""Schedule specs: intervals and five-field cron lines in the site's time zone (Asia/Shanghai)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dangjian.integration.cron import SpecError, describe_spec, next_run, parse_spec

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("_case", "spec", "after", "expected"),
    [
        ("every_seconds", "every 60s", at(2025, 1, 1, 8, 0, 30), at(2025, 1, 1, 8, 1, 30)),
        ("every_bare_seconds", "every 90", at(2025, 1, 1, 8, 0), at(2025, 1, 1, 8, 1, 30)),
        ("every_hours", "every 2h", at(2025, 1, 1, 23, 0), at(2025, 1, 2, 1, 0)),
        ("nightly_later_today", "30 2 * * *", at(2025, 1, 1, 1, 0), at(2025, 1, 1, 2, 30)),
        ("nightly_tomorrow", "30 2 * * *", at(2025, 1, 1, 2, 30), at(2025, 1, 2, 2, 30)),
        ("monthly_first", "0 1 1 * *", at(2025, 1, 1, 1, 0, 1), at(2025, 2, 1, 1, 0)),
        ("monthly_year_end", "0 1 1 * *", at(2025, 12, 15, 0, 0), at(2026, 1, 1, 1, 0)),
        ("leap_day", "0 0 29 2 *", at(2025, 3, 1), at(2028, 2, 29, 0, 0)),
        ("weekdays_by_name", "0 9 * * mon-fri", at(2025, 1, 3, 10, 0), at(2025, 1, 6, 9, 0)),  # Fri → Mon
        ("sunday_as_7", "0 9 * * 7", at(2025, 1, 1), at(2025, 1, 5, 9, 0)),
        ("dom_or_dow", "0 9 15 * mon", at(2025, 1, 7, 10, 0), at(2025, 1, 13, 9, 0)),  # Mon 13th before 15th
        ("steps_and_lists", "*/20 8,18 * * *", at(2025, 1, 1, 8, 40), at(2025, 1, 1, 18, 0)),
    ],
)
def test_next_run(_case, spec, after, expected):
    assert next_run(spec, after) == expected


def test_next_run_from_utc_uses_local_wall_clock():
    after = dt.datetime(2025, 1, 1, 17, 0, tzinfo=dt.UTC)  # 01:00 in Shanghai
    assert next_run("30 2 * * *", after) == at(2025, 1, 2, 2, 30)


@pytest.mark.parametrize(
    ("_case", "spec", "message"),
    [
        ("empty", "", "five cron fields"),
        ("four_fields", "0 1 * *", "five cron fields"),
        ("minute_range", "61 * * * *", "minute"),
        ("bad_weekday", "0 0 * * funday", "weekday"),
        ("zero_step", "*/0 * * * *", "step"),
        ("reversed_range", "0 5-2 * * *", "hour"),
        ("zero_interval", "every 0s", "at least"),
        ("never", "0 0 31 2 *", "never"),
    ],
)
def test_bad_specs_are_refused_with_the_part(_case, spec, message):
    with pytest.raises(SpecError, match=message):
        next_run(parse_spec(spec), at(2025, 1, 1))


@pytest.mark.parametrize(
    ("_case", "spec", "words"),
    [
        ("every_minute", "every 60s", "每分钟"),
        ("every_15_seconds", "every 15s", "每 15 秒"),
        ("every_2_hours", "every 2h", "每 2 小时"),
        ("daily", "30 2 * * *", "每天 02:30"),
        ("twice_daily", "0 8,20 * * *", "每天 08:00、20:00"),
        ("monthly", "0 1 1 * *", "每月 1 日 01:00"),
        ("weekly", "0 8 * * mon", "每周一 08:00"),
        ("weekdays", "0 8 * * 1-5", "每周一、周二、周三、周四、周五 08:00"),
        ("yearly", "0 0 1 7 *", "每年 7 月 1 日 00:00"),
        ("custom", "*/5 * * * *", "自定义周期"),
        ("invalid", "at noon", "周期设置无效"),
    ],
)
def test_describe_spec_says_when_in_words(_case, spec, words):
    # the schedule page shows this; the spec itself only in its advanced detail (issue 9 §3)
    assert describe_spec(spec) == words
