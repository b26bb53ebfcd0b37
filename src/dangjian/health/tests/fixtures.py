"""Health test fixtures: members in bulk through the register's validated bulk service, and a scan
helper whose clock moves forward on every run (STYLE §14)."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from tests.fixtures import make_id_number

__all__ = ["TODAY", "add_members", "health", "open_findings"]

TODAY = dt.date(2025, 6, 15)
_SEQ = itertools.count(1)


def add_members(org, n: int, *, category: str = "full", status: str = "normal") -> int:
    """*n* members in *org* through ``members_bulk_create`` (validated, audited once)."""
    from dangjian.members.services import members_bulk_create

    if n <= 0:
        return 0
    rows = []
    for _ in range(n):
        k = next(_SEQ)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=k)
        gender = "M" if k % 2 else "F"
        rows.append({
            "name": f"成员{k}", "gender": gender, "birth_date": birth,
            "id_number": make_id_number(birth, 100 + k % 800, gender=gender, area="110102"),
            "category": category, "joined_on": dt.date(2010, 7, 1),
            "full_member_on": dt.date(2011, 7, 1) if category == "full" else None, "org": org, "status": status,
        })
    return members_bulk_create(actor=None, rows=rows)


def open_findings(rule: str, **filters: Any) -> list:
    from dangjian.health.models import Finding

    return list(Finding.objects.filter(rule=rule, state__in=["open", "acknowledged"], **filters)
                .select_related("org").order_by("org__path", "subject_type", "subject_id"))


class Scanner:
    """``health.scan(today=…)`` runs the scan with a clock one minute later than the previous run (or at
    ``now=`` when given: a later scan must then be later still)."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def scan(self, *, today: dt.date = TODAY, **kwargs: Any):
        from dangjian.health.services import findings_scan

        given = kwargs.pop("now", None)
        self.now = given if given is not None else self.now + dt.timedelta(minutes=1)
        result = findings_scan(today=today, now=self.now, **kwargs)
        assert result.ok, [r.error for r in result.runs if r.error]
        return result

    def codes(self, rule: str, **filters: Any) -> list[tuple]:
        """(org code, subject type, measured, severity) of the open findings of *rule*."""
        return [(f.org.code, f.subject_type, None if f.measured is None else float(f.measured), f.severity)
                for f in open_findings(rule, **filters)]


@pytest.fixture
def health(db):
    return Scanner()
