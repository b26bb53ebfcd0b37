"""Transfers not received in time (DOMAIN §6), read through the transfers app's selector."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, SubjectType
from dangjian.health.rules.base import SYSTEM, Param, RawFinding, Rule, ScanContext, register

__all__ = ["TransferOverdue"]


@register
class TransferOverdue(Rule):
    code = RuleCode.TRANSFER_OVERDUE
    title = _("组织关系转接逾期未接收")
    citation = "DOMAIN §6 Responsibility while in transit; Validity of the introduction letter: Member Ed Regs 2019 art. 25"
    basis = "《中国共产党党员教育管理工作条例》(2019) 第二十五条"
    description = _("介绍信已开出、过了有效期仍未接收的转接（有效期由转接规则计算）。转出党组织在接收前仍负责管理，"
                    "故问题记在转出组织。")
    params = (Param("grace_days", _("宽限（天）"), 0, 0, 180, "天"),)
    requires = ("dangjian.transfers.selectors", "transfers_overdue")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.transfers.selectors import transfers_overdue

        last_ok = ctx.today - relativedelta(days=params["grace_days"])
        rows = (transfers_overdue(actor=SYSTEM, today=last_ok)
                .filter(ctx.scope.q("from_org__path", "from_org_id"), from_org__isnull=False)
                .order_by().values_list("pk", "from_org_id", "member__name", "due_on", "to_org__name",
                                        "outside_org_name"))
        for transfer_id, org_id, name, due, to_name, outside in rows.iterator(chunk_size=2000):
            days = (ctx.today - due).days
            to = to_name or outside or "—"
            yield RawFinding(org_id, f"{name} 转往 {to} 的介绍信 {due.isoformat()} 到期，逾期 {days} 天仍未接收", days,
                             SubjectType.TRANSFER, transfer_id, details={"due_on": due.isoformat()})
