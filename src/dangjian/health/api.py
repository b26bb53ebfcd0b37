"""REST endpoints of the health app (组织健康监测): findings in the caller's scope, the rules with their
parameters and citations, changing a rule's parameters, acknowledging a finding, the monitoring table.

Reads go through selectors, writes through services; each operation declares its permission. A finding
or an org outside the caller's scope is "not found" (404 in the path, 422 "unknown" in the input),
exactly like a missing one.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import P, PathEx, Query

from dangjian.core import rules as kit
from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.rules_api import rule_operations
from dangjian.core.rules_api import rule_out as kit_rule_out
from dangjian.core.scoping import SYSTEM
from dangjian.health.choices import HealthPerm
from dangjian.health.errors import HealthError
from dangjian.health.models import Finding
from dangjian.health.rules import get_rule
from dangjian.health.schemas import (
    AcknowledgeIn,
    FindingFilters,
    FindingOut,
    FindingPageOut,
    HealthRuleIn,
    HealthRuleOut,
    MonitorOut,
    MonitorQuery,
)
from dangjian.health.selectors import (
    MonitorRow,
    finding_get,
    finding_list,
    monitor_table,
    rule_setting,
)
from dangjian.health.services import finding_acknowledge, rule_update
from dangjian.health.services.config import RULESET
from dangjian.orgs.api import org_ref_or_error

__all__ = ["finding_out", "monitor_row_out", "router", "rule_out"]

router = Router(app="health")

FindingId = PathEx[int, P(ge=1, le=MAX_ID, description="监测问题 id")]


def _org(org: Any) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def finding_out(f: Finding) -> dict[str, Any]:
    rule = get_rule(f.rule)
    return {
        "id": f.pk, "rule": f.rule, "rule_title": str(rule.title) if rule else f.rule, "org": _org(f.org),
        "subject": {"type": f.subject_type, "id": f.subject_id} if f.subject_type else None,
        "severity": f.severity, "state": f.state, "measured": None if f.measured is None else float(f.measured),
        "message": f.message, "details": f.details or {}, "first_seen": f.first_seen, "last_seen": f.last_seen,
        "resolved_at": f.resolved_at,
        "acknowledged_by": (f.acknowledged_by.get_username() if f.acknowledged_by_id else None),
        "acknowledged_at": f.acknowledged_at, "acknowledged_note": f.acknowledged_note,
    }


def rule_out(rule: kit.Rule, ruleset: kit.Ruleset) -> dict[str, Any]:
    """A health rule in the kit's shape, with its description, whether it runs, whom it notifies."""
    # platform configuration, read like the kit's ruleset.load(): the operation has checked the permission
    s = rule_setting(actor=SYSTEM, code=rule.code)
    return {**kit_rule_out(rule, ruleset), "description": str(s.rule.description), "available": s.available,
            "note": s.rule.unavailable_reason(), "notify_role": s.notify_role, "updated_at": s.updated_at}


def _rate(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def monitor_row_out(row: MonitorRow) -> dict[str, Any]:
    return {
        "org": _org(row.org), "org_type": row.org.org_type, "has_children": bool(row.org.numchild),
        "members": {"total": row.members_total, "full": row.members_full, "probationary": row.members_probationary},
        "structure": {"orgs_active": row.orgs_active, "orgs_with_findings": row.structure_issues,
                      "status": row.structure_status},
        "cadence": {c.code: {"applicable": c.applicable, "short": c.short, "rate": _rate(c.rate), "status": c.status}
                    for c in row.cadence},
        "dues": {"period": row.rollup.dues_period if row.rollup else "",
                 "due": str(row.rollup.dues_due) if row.rollup else "0.00",
                 "paid": str(row.rollup.dues_paid) if row.rollup else "0.00",
                 "rate": _rate(row.dues_rate), "status": row.dues_status},
        "pipelines": {"open": row.pipelines_open, "overdue": row.pipelines_overdue, "status": row.pipelines_status},
        "terms": {"expiring": row.terms_expiring, "expired": row.terms_expired, "status": row.terms_status},
        "findings": {"critical": row.findings_critical, "warning": row.findings_warning, "info": row.findings_info,
                     "by_rule": row.by_rule, "status": row.findings_status},
    }


@router.get(
    "/findings",
    perm=HealthPerm.VIEW,
    response=FindingPageOut,
    operation_id="health_findings_list",
    summary="监测问题清单",
    description="""
        您数据范围内各组织的监测问题，按 id 升序，键集分页（`cursor` + `limit`）。筛选：`rule`（规则代码）、
        `org`（组织代码或 id，含下级组织）、`state`（open / acknowledged / resolved；active = 未消除的）、
        `severity`。规则代码未登记、组织不存在或不在范围内时返回 422。
    """,
)
def health_findings_list(request, filters: Query[FindingFilters]):
    actor = request.auth
    if filters.rule and get_rule(filters.rule) is None:
        raise DomainError.one(HealthError.UNKNOWN_RULE, "rule", _("没有此监测规则"))
    org = org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=HealthPerm.VIEW, by_id=True) \
        if filters.org else None
    qs = finding_list(actor=actor, rule=filters.rule, org=org, state=filters.state, severity=filters.severity)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [finding_out(f) for f in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/findings/{finding_id}/acknowledge",
    perm=HealthPerm.ACKNOWLEDGE,
    response=FindingOut,
    operation_id="health_findings_acknowledge",
    summary="确认监测问题",
    description="""
        负责人确认已知悉一条待处理的监测问题（可附说明）；问题在下次扫描不再出现时自动消除。重复确认不再记录；
        已消除的问题不能确认（422）。记入操作日志 `health.finding_acknowledge`。
    """,
)
def health_findings_acknowledge(request, finding_id: FindingId, payload: AcknowledgeIn):
    actor = request.auth
    finding = finding_get(actor=actor, pk=finding_id, perm=HealthPerm.ACKNOWLEDGE)
    return finding_out(finding_acknowledge(actor=actor, finding=finding, note=payload.note))


rule_operations(
    router, ruleset=RULESET, view_perm=HealthPerm.VIEW, update=rule_update, into=HealthRuleIn, out=HealthRuleOut,
    convert=rule_out,
    list_summary="监测规则",
    list_description="""
        全部监测规则：稳定的规则代码、名称、依据（DOMAIN.md 条目）、当前参数及其范围和默认值、严重程度、
        是否启用、是否可运行（数据来源模块未安装时不运行）和通知的角色。规则适用于整个平台。
    """,
    update_summary="修改监测规则",
    update_description="""
        修改一条规则的参数（只需给出要改的参数；每个参数须在规定范围内，超出范围返回 422，字段为
        `params.<参数名>`）、严重程度、是否启用或通知的角色，须写明依据；记入操作日志 `health.rule_update`，
        随后在后台按新参数重新检查全部组织。
    """,
)


@router.get(
    "/monitor",
    perm=HealthPerm.VIEW,
    response=MonitorOut,
    operation_id="health_monitor",
    summary="组织健康监测表",
    description="""
        `org`（默认：您能看到的最上级组织）的各下级组织及其下属全部组织的指标：党员人数和结构、各类组织生活
        落实率、上月党费收缴率、发展党员（进行中 / 逾期）、换届（即将届满 / 逾期）、未消除的问题（按严重程度和规则），
        每项带 green / amber / red 状态。数据来自扫描时刷新的汇总（`computed_at`）。
    """,
)
def health_monitor(request, query: Query[MonitorQuery]):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=query.org, field="org", perm=HealthPerm.VIEW, by_id=True) \
        if query.org else None
    table = monitor_table(actor=actor, org=org, sort=query.sort)
    return {
        "org": _org(table.org) if table.org else None, "computed_at": table.computed_at, "sort": table.sort,
        "kinds": [{"code": k.code, "name": k.name} for k in table.kinds],
        "total": monitor_row_out(table.total) if table.total else None,
        "rows": [monitor_row_out(r) for r in table.rows],
    }
