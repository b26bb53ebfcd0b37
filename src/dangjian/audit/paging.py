"""Keyset pages of the operation log, by ``seq`` newest first: constant cost at any depth (DESIGN "Scale").
A calculation over a queryset the caller already scoped (``audit.selectors.audit_entries`` / ``audit_list``)."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from dangjian.audit.models import AuditEntry
from dangjian.core.pagination import decode_cursor, encode_cursor

__all__ = ["AuditPage", "audit_page"]


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
