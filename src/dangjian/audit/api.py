"""REST endpoint of the operation log (操作日志): entries in the caller's scope, newest first."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Query

from dangjian.audit.choices import AuditAction, AuditPerm
from dangjian.audit.models import AuditEntry
from dangjian.audit.paging import audit_page
from dangjian.audit.schemas import AuditFilters, AuditPageOut
from dangjian.audit.selectors import audit_list
from dangjian.core.api import Router

__all__ = ["router"]

router = Router(app="audit")
_LABELS = dict(AuditAction.choices)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_current_timezone())


def _entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "created_at": entry.created_at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "action_label": str(_LABELS.get(entry.action, entry.action)),
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_repr": entry.target_repr,
        "org_path": entry.org_path,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "ip": entry.ip,
        "channel": entry.channel,
        "algorithm": entry.algorithm,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


@router.get(
    "",
    perm=AuditPerm.VIEW,
    response=AuditPageOut,
    operation_id="audit_list",
    summary="操作日志",
    description="""
        您数据范围内组织的操作日志条目（以及您本人的操作），按序号从新到旧，键集分页（`cursor` + `limit`）。

        筛选：`action`（操作代码）、`actor`（操作人姓名片段）、`target_type`（对象类型，如 `members.member`）、
        `since`（含）/`until`（不含）时间，未带时区的按北京时间。条目按哈希链相连（`prev_hash` → `hash`），
        可用于独立核验。
    """,
)
def audit_list_entries(request, filters: Query[AuditFilters]):
    qs = audit_list(
        actor=request.auth,
        action=filters.action,
        actor_name=filters.actor,
        target_type=filters.target_type,
        since=_aware(filters.since),
        until=_aware(filters.until),
    )
    page = audit_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_entry(e) for e in page.items], "next_cursor": page.next_cursor}
