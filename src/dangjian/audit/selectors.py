"""Reads of the operation log; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.core.pagination import decode_cursor, encode_cursor

__all__ = ["AUDIT_VIEW", "AuditPage", "audit_entries", "audit_list", "audit_page", "audit_target_types"]

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


@dataclass
class AuditPage:
    items: list[AuditEntry]
    next_cursor: str | None
    limit: int


def audit_page(queryset: QuerySet[AuditEntry], *, cursor: str | None, limit: int = 50,
               max_limit: int = 200) -> AuditPage:
    """Keyset page by ``seq``, newest first: constant cost at any depth (DESIGN "Scale")."""
    limit = max(1, min(int(limit or 50), max_limit))
    before = decode_cursor(cursor)
    qs = queryset.order_by("-seq")
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(items=rows, next_cursor=encode_cursor(rows[-1].seq) if more and rows else None, limit=limit)


def audit_target_types() -> list[str]:
    """The target types entries can carry: the project's model labels (no query over the log)."""
    return sorted(
        model._meta.label_lower for model in apps.get_models() if model.__module__.startswith("dangjian.")
    )


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
