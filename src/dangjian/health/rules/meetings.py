"""Organisational-life cadence (DOMAIN §4), read through the meetings app's compliance selector.

The minimums per org type and meeting kind are the meetings app's cadence rules (data, each citing
DOMAIN §4); this rule reports, per organisation and kind, the last *completed* window of each rule's
unit (last month for monthly rules, last quarter, last year) that fell short: "not held" at the rule's
severity, "held but not recorded yet" (planned meetings past their end without being recorded as held)
as information.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, Severity, SubjectType
from dangjian.health.rules.base import SYSTEM, Param, RawFinding, Rule, ScanContext, register
from dangjian.orgs.choices import OrgStatus
from dangjian.orgs.models import Organization

__all__ = ["CadenceShortfall", "last_completed_window"]


@dataclass(frozen=True)
class _Org:
    pk: int
    path: str
    org_type: str
    established_on: dt.date | None


def last_completed_window(unit: str, today: dt.date):
    from dangjian.meetings.periods import window_of

    current = window_of(unit, today)
    return window_of(unit, current.start - dt.timedelta(days=1))


@register
class CadenceShortfall(Rule):
    code = RuleCode.CADENCE_SHORTFALL
    title = _("组织生活未按规定频次开展")
    citation = "DOMAIN §4 Organizational life frequencies (minimums per kind: the meetings cadence rules)"
    description = _("按组织生活频次要求（会议模块中按组织类别和会议类型维护），上一个完整周期（上月、上季度、上年）"
                    "召开次数不足的：未召开为警告；计划会议已过时间但未登记召开的，报告为提示（已召开未登记）。")
    params = (Param("report_unrecorded", _("报告“已召开未登记”（1 是，0 否）"), 1, 0, 1),)
    requires = ("dangjian.meetings.selectors.cadence", "cadence_compliance")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.meetings.choices import ComplianceStatus
        from dangjian.meetings.selectors.cadence import cadence_compliance, cadence_rules

        rules = cadence_rules()
        if not rules:
            return
        org_types = sorted({r.org_type for r in rules})
        # what the selector reads of an org (pk, org_type), without a model instance per row
        orgs = [_Org(*row) for row in Organization.objects.filter(
            ctx.scope.q("path", "pk"), status=OrgStatus.ACTIVE, org_type__in=org_types).order_by("path")
            .values_list("pk", "path", "org_type", "established_on").iterator(chunk_size=5000)]
        if not orgs:
            return
        # one call per unit over the whole scope: the path range of each root (never a list of 60,000 ids)
        groups = self._groups(ctx, orgs)
        for unit in sorted({r.unit for r in rules}):
            period = last_completed_window(unit, ctx.today)
            types = {r.org_type for r in rules if r.unit == unit}
            for within, members in groups:
                # not expected to meet a window the org did not exist for
                due = [o for o in members if o.org_type in types
                       and (o.established_on is None or o.established_on < period.start)]
                if not due:
                    continue
                result = cadence_compliance(actor=SYSTEM, orgs=due, period=period, now=ctx.now, within=within,
                                            units={unit})
                for org in due:
                    for rc in result[org.pk].rules:
                        yield from self._finding(org, rc, period, params, ComplianceStatus)

    @staticmethod
    def _groups(ctx: ScanContext, orgs: list[_Org]) -> list[tuple[Organization | None, list[_Org]]]:
        if ctx.scope.kind == "ids":
            return [(None, orgs)]
        if ctx.scope.kind == "subtree":
            root = Organization.objects.get(path=ctx.scope.path)
            return [(root, orgs)]
        roots = {o.path: o for o in Organization.objects.filter(depth=1).only("pk", "path", "depth")}
        grouped: dict[str, list[_Org]] = {}
        for org in orgs:
            grouped.setdefault(org.path[:Organization.steplen], []).append(org)
        return [(roots[prefix], members) for prefix, members in grouped.items() if prefix in roots]

    @staticmethod
    def _finding(org, rc, period, params, ComplianceStatus) -> Iterator[RawFinding]:
        status = rc.status
        if status == ComplianceStatus.NOT_HELD:
            severity = None
            msg = "%(w)s%(k)s应召开 %(r)s 次，已召开 %(h)s 次"
        elif status == ComplianceStatus.UNRECORDED and params["report_unrecorded"]:
            severity = Severity.INFO
            msg = "%(w)s%(k)s应召开 %(r)s 次，已登记召开 %(h)s 次，另有 %(u)s 次计划会议已过时间未登记（已召开未登记？）"
        else:
            return
        windows = ",".join(w.window.label for w in rc.windows if w.status == status)
        yield RawFinding(
            org.pk,
            msg % {"w": windows + " ", "k": rc.rule.kind.name, "r": rc.required, "h": rc.held, "u": rc.unrecorded},
            rc.held, SubjectType.MEETING_KIND, rc.rule.kind_id, severity=severity,
            details={"kind": rc.rule.kind.code, "period": period.label, "status": str(status),
                     "required": rc.required, "held": rc.held, "unrecorded": rc.unrecorded},
        )
