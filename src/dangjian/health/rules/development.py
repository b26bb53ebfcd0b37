"""Member development deadlines (DOMAIN §5), read through the development app's pipeline selector.

The deadlines themselves (talk within a month, approval within three, conversion promptly after
probation …) are the development app's rules; these two rules only report what is past them.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, SubjectType
from dangjian.health.rules.base import SYSTEM, Param, RawFinding, Rule, ScanContext, register

__all__ = ["ProbationOverdue", "StepOverdue"]


@register
class StepOverdue(Rule):
    code = RuleCode.STEP_OVERDUE
    title = _("发展党员步骤逾期")
    citation = "DOMAIN §5 (step deadlines of the development rules: talk 1 month, approval 3 months, oath 1 month …)"
    basis = "《中国共产党发展党员工作细则》(2014) 各步骤期限（谈话一个月、审批三个月、宣誓一个月等）"
    description = _("发展程序的下一步已过期限（期限由发展党员规则计算）。预备期已满未转正的由“预备期满未转正”报告。")
    params = (Param("grace_days", _("宽限（天）"), 0, 0, 90, "天"),)
    requires = ("dangjian.development.selectors", "pipeline_list")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.development.choices import Stage, StepCode
        from dangjian.development.selectors import pipeline_list

        last_ok = ctx.today - relativedelta(days=params["grace_days"])
        rows = (pipeline_list(actor=SYSTEM, overdue=True, today=last_ok)
                .filter(ctx.scope.q("applicant__org__path", "applicant__org_id"))
                .exclude(stage=Stage.PROBATIONARY, probation_end__lt=ctx.today)
                .order_by().values_list("pk", "applicant__org_id", "applicant__name", "next_step", "next_due"))
        labels = dict(StepCode.choices)
        for pipeline_id, org_id, name, step, due in rows.iterator(chunk_size=2000):
            days = (ctx.today - due).days
            step_name = labels.get(step, step)
            yield RawFinding(org_id, f"{name}：“{step_name}”应于 {due.isoformat()} 前完成，已逾期 {days} 天", days,
                             SubjectType.PIPELINE, pipeline_id, details={"step": step, "due": due.isoformat()})


@register
class ProbationOverdue(Rule):
    code = RuleCode.PROBATION_OVERDUE
    title = _("预备期满未转正")
    citation = "DOMAIN §5 Probation / Conversion (discussed promptly when probation ends): Constitution art. 7; " \
               "Dev Rules 2014 art. 32"
    basis = "《中国共产党章程》第七条；《中国共产党发展党员工作细则》(2014) 第三十二条"
    description = _("预备党员预备期已满（含延长的预备期），超过设定月数仍未讨论转正。默认 1 个月，与发展党员规则"
                    "“预备期满后及时讨论转正”一致。")
    params = (Param("grace_months", _("预备期满后讨论转正的期限（月）"), 1, 0, 12, "个月"),)
    requires = ("dangjian.development.selectors", "pipeline_list")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.development.choices import Stage
        from dangjian.development.selectors import pipeline_list

        grace = params["grace_months"]
        rows = (pipeline_list(actor=SYSTEM, stage=Stage.PROBATIONARY)
                .filter(ctx.scope.q("applicant__org__path", "applicant__org_id"), probation_end__lt=ctx.today)
                .order_by().values_list("pk", "applicant__org_id", "applicant__name", "probation_end"))
        for pipeline_id, org_id, name, end in rows.iterator(chunk_size=2000):
            deadline = end + relativedelta(months=grace)
            if ctx.today <= deadline:
                continue
            days = (ctx.today - end).days
            yield RawFinding(org_id, f"{name}：预备期已于 {end.isoformat()} 期满 {days} 天，尚未转正", days,
                             SubjectType.PIPELINE, pipeline_id,
                details={"probation_end": end.isoformat()})
