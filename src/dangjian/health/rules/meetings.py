"""Organisational-life cadence (DOMAIN §4), read through the meetings app's cadence selectors.

The minimums per org type and meeting kind are the meetings app's cadence rules (data, each citing
DOMAIN §4); this rule reports, per organisation and kind, the last *completed* window of each rule's
unit (last month for monthly rules, last quarter, last year) that fell short — "not held" at the rule's
severity, "held but not recorded yet" (planned meetings past their end without being recorded as held)
as information — with the meetings app's own decision (``window_status``). Per unit: one aggregate query
(``cadence_counts``: held / unrecorded per org and kind in the window) for every org in scope.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, Severity, SubjectType
from dangjian.health.rules.base import SYSTEM, Param, RawFinding, Rule, ScanContext, register
from dangjian.health.rules.orgs import OrgNode, org_nodes
from dangjian.orgs.models import Organization

__all__ = ["CadenceShortfall", "last_completed_window"]


def last_completed_window(unit: str, today: dt.date):
    from dangjian.meetings.periods import window_of

    current = window_of(unit, today)
    return window_of(unit, current.start - dt.timedelta(days=1))


@register
class CadenceShortfall(Rule):
    code = RuleCode.CADENCE_SHORTFALL
    title = _("组织生活未按规定频次开展")
    citation = "DOMAIN §4 Organizational life frequencies (minimums per kind: the meetings cadence rules)"
    basis = "组织生活频次要求（《中国共产党支部工作条例（试行）》(2018) 第十一至十九条，见“组织生活频次要求”）"
    description = _("按组织生活频次要求（会议模块中按组织类别和会议类型维护），上一个完整周期（上月、上季度、上年）"
                    "召开次数不足的：未召开为警告；计划会议已过时间但未登记召开的，报告为提示（已召开未登记）。")
    params = (Param("report_unrecorded", _("报告“已召开未登记”（1 是，0 否）"), 1, 0, 1),)
    requires = ("dangjian.meetings.selectors.cadence", "cadence_counts")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.meetings.choices import ComplianceStatus
        from dangjian.meetings.compliance import window_status
        from dangjian.meetings.selectors.cadence import cadence_counts, cadence_rules

        rules = cadence_rules(actor=SYSTEM)
        if not rules:
            return
        by_type: dict[str, list[OrgNode]] = defaultdict(list)
        for node in org_nodes(ctx):
            if node.active:
                by_type[node.org_type].append(node)
        within = Organization.objects.get(path=ctx.scope.path) if ctx.scope.kind == "subtree" else None
        org_ids = list(ctx.scope.ids) if ctx.scope.kind == "ids" else None
        for unit in sorted({r.unit for r in rules}):
            period = last_completed_window(unit, ctx.today)
            unit_rules = [r for r in rules if r.unit == unit and by_type.get(r.org_type)]
            if not unit_rules:
                continue
            counts = cadence_counts(actor=SYSTEM, window=period, kind_ids={r.kind_id for r in unit_rules},
                                    now=ctx.now, within=within, org_ids=org_ids)
            for rule in unit_rules:
                for node in by_type[rule.org_type]:
                    if node.established_on is not None and node.established_on >= period.start:
                        continue  # not expected to meet a window it did not exist for
                    held, unrecorded = counts.get((node.pk, rule.kind_id), (0, 0))
                    if held >= rule.min_count:
                        continue
                    status = window_status(period, rule.min_count, held, unrecorded, ctx.today)
                    if status == ComplianceStatus.NOT_HELD:
                        severity = None
                        msg = f"{period.label} {rule.kind.name}应召开 {rule.min_count} 次，已召开 {held} 次"
                    elif status == ComplianceStatus.UNRECORDED and params["report_unrecorded"]:
                        severity = Severity.INFO
                        msg = (f"{period.label} {rule.kind.name}应召开 {rule.min_count} 次，已登记召开 {held} 次，"
                               f"另有 {unrecorded} 次计划会议已过时间未登记（已召开未登记？）")
                    else:
                        continue
                    yield RawFinding(
                        node.pk, msg, held, SubjectType.MEETING_KIND, rule.kind_id, severity=severity,
                        details={"kind": rule.kind.code, "period": period.label, "status": str(status),
                                 "required": rule.min_count, "held": held, "unrecorded": unrecorded},
                    )
