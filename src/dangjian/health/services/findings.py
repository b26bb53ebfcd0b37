"""Writes on findings made by people: acknowledging one."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError
from dangjian.health.choices import FindingState, HealthPerm
from dangjian.health.errors import HealthError
from dangjian.health.models import Finding

__all__ = ["finding_acknowledge"]


@transaction.atomic
def finding_acknowledge(*, actor: Any, finding: Finding, note: str = "") -> Finding:
    """确认: the person responsible has seen an open finding and is dealing with it. The finding stays
    until the next scan no longer produces it (then it is resolved); acknowledging again is a no-op.

    Permission: ``health.acknowledge`` on the finding's org (out of scope: 404, like a missing one);
    ``actor=None`` is the system.
    A resolved finding cannot be acknowledged (field ``state``). Audit: ``health.finding_acknowledge``.
    """
    qs = Finding.objects.all() if actor is None else Finding.objects.for_actor(actor, HealthPerm.ACKNOWLEDGE)
    locked = qs.select_for_update().filter(pk=finding.pk).first()
    if locked is None:
        raise Http404("not found")
    if locked.state == FindingState.ACKNOWLEDGED:
        return locked
    if locked.state != FindingState.OPEN:
        raise DomainError.one(HealthError.NOT_OPEN, "state", _("该问题已消除，无需确认"))
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError.one(HealthError.INVALID, "note", _("确认说明最多 200 个字符"))
    before = {"state": locked.state}
    locked.state = FindingState.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_note = note
    locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "acknowledged_note"])
    record(actor=actor, action=AuditAction.HEALTH_FINDING_ACKNOWLEDGED, target=locked, org=finding.org,
           before=before, after={"state": locked.state, "rule": locked.rule, "note": note})
    return locked
