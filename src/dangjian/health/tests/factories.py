"""Plain rows for tests that need a finding to exist but not the scan that found it (the authorization
matrices: no audit entry, so the state they compare is not disturbed)."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from dangjian.health.choices import RuleCode, Severity
from dangjian.health.models import Finding

__all__ = ["finding_at", "world_finding"]


def finding_at(org: Any) -> int:
    """The pk of the open ``org.no_secretary`` finding at *org* (made on first use)."""
    now = timezone.now()
    finding, _created = Finding.objects.get_or_create(
        rule=RuleCode.NO_SECRETARY, org=org, subject_type="", subject_id=0,
        defaults={"severity": Severity.WARNING, "message": "本届委员会无在任书记", "first_seen": now, "last_seen": now})
    return finding.pk


def world_finding(world: Any, code: str) -> int:
    """:func:`finding_at` the org *code* of a matrix world."""
    return finding_at(world.orgs[code])
