"""Reads of the operation log; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dangjian.audit.models import AuditEntry

__all__ = ["AUDIT_VIEW", "audit_entries", "audit_list"]

AUDIT_VIEW = "audit.view"


def audit_entries(
    *,
    actor: Any,
    action: str | None = None,
    actor_name: str | None = None,
    target_type: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    perm: str = AUDIT_VIEW,
) -> QuerySet[AuditEntry]:
    """Entries in the actor's scope (their subtree's orgs and their own actions), filtered.

    Dates are local calendar days (Asia/Shanghai), both ends inclusive.
    """
    qs = AuditEntry.objects.for_actor(actor, perm)
    if action:
        qs = qs.filter(action=action)
    if actor_name:
        qs = qs.filter(actor_name__icontains=actor_name.strip())
    if target_type:
        qs = qs.filter(target_type=target_type.strip())
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def audit_list(
    *,
    actor: Any,
    action: str | None = None,
    actor_name: str | None = None,
    target_type: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Like :func:`audit_entries`, bounded by instants: ``since`` inclusive, ``until`` exclusive (the API)."""
    qs = audit_entries(actor=actor, action=action, actor_name=actor_name, target_type=target_type)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs
