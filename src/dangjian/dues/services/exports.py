"""Recording a reconciliation export in the operation log."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.dues.periods import parse_period
from dangjian.orgs.models import Organization

# --------------------------------------------------------------------------------------------- exports

@transaction.atomic
def reconciliation_export_record(*, actor: Any, month: Any, org: Organization | None, fmt: str) -> None:
    """Records that finance data (payments of a month) left the system. Audit: ``dues.export``."""
    p = parse_period(month, field="month")
    record(actor=actor, action=AuditAction.DUES_EXPORTED, org=org,
           after={"month": str(p), "org": org.pk if org else None, "format": fmt})
