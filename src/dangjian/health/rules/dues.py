"""Dues arrears (DOMAIN §1 "Non-payment for 6 months"), read through the dues app's arrears selector."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import RuleCode, Severity, SubjectType
from dangjian.health.rules.base import SYSTEM, RawFinding, Rule, ScanContext, register

__all__ = ["DuesArrears"]


@register
class DuesArrears(Rule):
    code = RuleCode.DUES_ARREARS
    title = _("党费欠缴临近六个月")
    citation = "DOMAIN §1 Non-payment for 6 months: Constitution art. 9; Dues Rules 2008 art. 12"
    basis = "《中国共产党章程》第九条；《关于中国共产党党费收缴、使用和管理的规定》(2008) 第十二条"
    description = _("最早未缴月份已达党费标准中的提醒月数的党员。提醒、严重、期限三档月数取自现行党费标准"
                    "（dues 规则集，管理员在党费模块中修改）：提醒为警告，严重及达到期限为严重。")
    requires = ("dangjian.dues.selectors", "arrears_list")

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        from dangjian.dues.calc import alert_level
        from dangjian.dues.choices import AlertLevel
        from dangjian.dues.periods import parse_period, period_of
        from dangjian.dues.rules import rule_book_in_force
        from dangjian.dues.selectors import arrears_list

        book = rule_book_in_force(ctx.today)
        if book is None:
            return
        current = period_of(ctx.today)
        rows = (arrears_list(actor=SYSTEM, as_of=ctx.today, min_level=AlertLevel.WARN, book=book)
                .filter(ctx.scope.q("org__path", "org_id"))
                .values_list("pk", "org_id", "unpaid_months", "oldest_unpaid", "owed"))
        for member_id, org_id, unpaid, oldest, owed in rows.iterator(chunk_size=2000):
            age = parse_period(oldest).months_until(current)
            level = alert_level(age, book)
            severity = Severity.WARNING if level == AlertLevel.WARN else Severity.CRITICAL
            yield RawFinding(
                org_id,
                f"自 {oldest} 起欠缴党费 {unpaid} 个月（最早欠缴已 {age} 个月，"
                f"期限 {book.arrears_limit_months} 个月），欠缴 {owed} 元",
                age, SubjectType.MEMBER, member_id, severity=severity,
                details={"oldest_unpaid": oldest, "unpaid_months": unpaid, "level": str(level), "owed": str(owed)},
            )
