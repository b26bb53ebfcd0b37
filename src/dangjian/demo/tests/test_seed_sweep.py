"""Seed sweep of the demo with activity (issue #18): small enterprises over many seeds, sizes and days,
each of which must build to the end, with every planted problem, and leave nothing that the services'
own rules would refuse on its date (:func:`dangjian.demo.checks.planted_problems`). The slow check at
full size (seed 7, 100,000 members) is ``bench/demo_bench.py``.
"""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.demo.activity import add_activity
from dangjian.demo.builder import build_demo
from dangjian.demo.checks import planted_problems

DAYS = (dt.date(2025, 6, 1), dt.date(2024, 12, 31), dt.date(2025, 3, 15), dt.date(2025, 10, 8))
# (seed, members, organisations, day): small enough for CI (about 2 CPU-seconds each), spread over sizes and days
SWEEP = [(seed, 60 + (seed * 137) % 200, 8 + (seed * 7) % 20, DAYS[seed % len(DAYS)]) for seed in range(1, 13)]


@pytest.mark.django_db
@pytest.mark.parametrize(("seed", "members", "orgs", "today"), SWEEP, ids=[f"seed{s[0]}-{s[1]}m" for s in SWEEP])
def test_demo_with_activity_builds_and_every_planted_record_is_valid(seed, members, orgs, today):
    # given a small demo enterprise of this seed and size
    build_demo(members=members, seed=seed, today=today, target_orgs=orgs)
    # when the activity and planted problems are added (the health scan is tested in test_activity)
    result = add_activity(seed=seed, today=today, members=members, scan=False)
    # then the build completed with activity, nothing refused by a service
    assert result.planted.refused == []
    assert result.meetings.held > 0 and result.meetings.attendance > 0 and result.dues.bills > 0
    assert result.pipelines + len(result.planted.skipped) >= 1
    assert result.planted.transfers_in_transit + result.planted.transfers_overdue >= 1
    assert result.planted.lost_contact >= 1
    # and every planted record passes the services' rules on its date
    assert planted_problems(today) == []
    # and what was left out is said in the summary
    if result.planted.skipped:
        assert any(line.startswith("未预置") for line in result.summary_lines())
