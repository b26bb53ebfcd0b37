"""Member-register rules: lost-contact members and members whose organisation is not a branch (DOMAIN §2, §6)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, Severity, SubjectType
from dangjian.health.rules.base import Param, RawFinding, Rule, ScanContext, register
from dangjian.members.choices import INACTIVE_STATUSES, MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType

__all__ = ["LostContact", "NoBranch"]


def _months_between(start, end) -> int:
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


@register
class LostContact(Rule):
    code = RuleCode.LOST_CONTACT
    title = _("失去联系的党员")
    citation = "DOMAIN §6 Lost contact: Member Ed Regs 2019 art. 24"
    basis = "《中国共产党党员教育管理工作条例》(2019) 第二十四条"
    description = _("党籍状态为“失联”的党员。失联满设定月数（默认 6 个月）且经查找仍无法联系的，应停止党籍：此时升级为严重。"
                    "失联起算日取转接模块记录的“失去联系”状态变更。")
    params = (Param("escalate_after_months", _("升级为严重的失联月数"), 6, 1, 36, "个月"),)

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        members = Member.objects.filter(ctx.scope.q("org__path", "org_id"), status=MemberStatus.LOST).order_by()
        if apps.is_installed("dangjian.transfers"):
            # the start of the current 失联 status: the latest change into it (transfers' status machine)
            members = members.annotate(since=Max("status_changes__effective_on",
                                                 filter=Q(status_changes__to_status=MemberStatus.LOST)))
            rows = members.values_list("pk", "org_id", "since")
        else:  # pragma: no cover - transfers is part of the platform
            rows = members.values_list("pk", "org_id", "pk")
        limit = params["escalate_after_months"]
        for member_id, org_id, since in rows.iterator(chunk_size=2000):
            since = since if hasattr(since, "isoformat") else None
            if since is None:
                yield RawFinding(org_id, "党员失去联系（未登记失联日期）", None, SubjectType.MEMBER, member_id)
                continue
            months = _months_between(since, ctx.today)
            due = ctx.today >= since + relativedelta(months=limit)
            msg = f"自 {since.isoformat()} 失去联系，已 {months} 个月"
            if due:
                msg += f"，已满 {limit} 个月，应按规定查找并作出停止党籍处理"
            yield RawFinding(org_id, msg, months, SubjectType.MEMBER, member_id,
                             severity=Severity.CRITICAL if due else None, details={"since": since.isoformat()})


@register
class NoBranch(Rule):
    code = RuleCode.NO_BRANCH
    title = _("组织关系不在党支部的党员")
    citation = "DOMAIN §2 Duty to form a Party organization (every member in a branch): Constitution arts. 8, 30"
    basis = "《中国共产党章程》第八条、第三十条"
    description = _("在册党员的所在组织不是正常状态的党支部（如挂在党委、党总支、党小组或已撤销的组织下）。")
    notify_role = "org_dept"

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        rows = (Member.objects.filter(ctx.scope.q("org__path", "org_id")).exclude(status__in=INACTIVE_STATUSES)
                .exclude(org__org_type=OrgType.BRANCH, org__status=OrgStatus.ACTIVE).order_by()
                .values_list("pk", "org_id", "org__org_type", "org__status"))
        for member_id, org_id, org_type, status in rows.iterator(chunk_size=2000):
            if status != OrgStatus.ACTIVE:
                msg = "所在组织已撤销"
            else:
                msg = f"所在组织是{OrgType(org_type).label}，不是党支部"
            yield RawFinding(org_id, msg, None, SubjectType.MEMBER, member_id)
