"""The rules of DOMAIN §6 as data, and their evaluation.

Every number lives in a :class:`~dangjian.transfers.models.TransferRule` row seeded from
:data:`DEFAULT_RULES` (code, parameters, citation, confidence); an administrator may change them —
the letter validity must be changeable, DOMAIN §6 marks it low-confidence (disputed item 7). The check
functions are pure: they take the rule and the dates and return a :class:`RuleViolation` or ``None``,
so each rule is tested at its boundaries without a database.

Counting (民法典 art. 201, as the development rules do): a period of days, months or years starts the
day after the event and ends on the corresponding date, ``dateutil.relativedelta`` giving the month's
last day when the target month is shorter. So a letter issued on 1 March with 90 days of validity
is valid through 30 May (``issued_on + 90 days``) and overdue from 31 May; contact lost on
31 August has lasted 6 months on 28 February.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dangjian.core.errors import FieldError
from dangjian.core.rules import ErrorCodes, Param, Rule, RuleDefaults
from dangjian.transfers.errors import RuleViolation, TransfersError

__all__ = [
    "DEFAULT_RULES",
    "RULES",
    "RULE_ERRORS",
    "RuleCode",
    "check_consistency",
    "check_letter_valid",
    "check_mobile_away",
    "check_removal",
    "check_restoration",
    "check_suspension",
    "check_validity_days",
    "letter_due_on",
    "load_rules",
    "removal_possible_on",
    "rule_violation",
    "suspension_possible_on",
    "validate_params",
]


class RuleCode:
    LETTER_VALIDITY = "letter_validity"
    MOBILE_MAX_AWAY = "mobile_max_away"
    LOST_CONTACT_SUSPENSION = "lost_contact_suspension"
    SUSPENSION_REMOVAL = "suspension_removal"


def _rule(code: str, title: str, params: dict[str, int], citation: str, confidence: str = "high") -> Rule:
    """A transfers rule: every parameter a whole number of days, months or years, 1 to 3650."""
    return Rule(code, title, params, citation, confidence,
                schema=tuple(Param(name, PARAM_WORDS.get(name, name), value, 1, 3650, _l(UNITS.get(name, "")))
                             for name, value in params.items()),
                basis=citation.partition(": ")[2])


# What the pages call each parameter (its unit is the word after the number).
PARAM_WORDS = {"days": _l("默认有效期（天）"), "max_days": _l("最长有效期（天）"), "months": _l("月数"),
               "years": _l("年数")}
UNITS = {"days": "天", "max_days": "天", "months": "个月", "years": "年"}


DEFAULT_RULES: tuple[Rule, ...] = (
    _rule(RuleCode.LETTER_VALIDITY, "组织关系介绍信有效期", {"days": 90, "max_days": 180},
         "DOMAIN §6 介绍信有效期: 地方实践及问答（常见不超过 3 个月，跨省可至 6 个月；待核实事项 7）", "low"),
    _rule(RuleCode.MOBILE_MAX_AWAY, "外出不足 6 个月的保留组织关系、作为流动党员管理", {"months": 6},
         "DOMAIN §6 流动党员: 中组部流动党员管理意见(2006)及地方规定; 转接时机: 《中国共产党党员教育管理工作条例》"
         "(2019) 第二十五条（外出 6 个月以上应转接组织关系）", "medium"),
    _rule(RuleCode.LOST_CONTACT_SUSPENSION, "失去联系满 6 个月、经查找仍无法联系的停止党籍", {"months": 6},
         "DOMAIN §6 失联: 《中国共产党党员教育管理工作条例》(2019) 第二十四条"),
    _rule(RuleCode.SUSPENSION_REMOVAL, "停止党籍满 2 年仍无法联系的按自行脱党除名，期间可恢复党籍", {"years": 2},
         "DOMAIN §6 失联: 《中国共产党党员教育管理工作条例》(2019) 第二十四条"),
)


RULE_ERRORS = ErrorCodes(
    unknown=TransfersError.RULE_PARAMS_INVALID, type=TransfersError.RULE_PARAMS_INVALID,
    range=TransfersError.RULE_PARAMS_INVALID, inconsistent=TransfersError.RULE_PARAMS_INVALID,
    reason=TransfersError.REQUIRED, unknown_rule=TransfersError.INVALID)


def check_consistency(rule: Rule, merged: dict[str, Any]) -> list[FieldError]:
    """A default letter validity above its maximum."""
    if "max_days" in merged and merged["days"] > merged["max_days"]:
        return [FieldError(TransfersError.RULE_PARAMS_INVALID, "params", _("参数 days 不能大于 max_days"))]
    return []


# the effective rules (load_rules: the defaults with the administrator's changes, one query) and the
# problems of a parameter change (validate_params(code, params) → messages)
RULES = RuleDefaults(DEFAULT_RULES, "transfers.TransferRule", RULE_ERRORS, check_consistency, one_field=True)
load_rules, validate_params = RULES.load, RULES.problems


# --- evaluation ---------------------------------------------------------------------------------------


def rule_violation(rule: Rule, field_name: str, message: str, *, possible_on: dt.date | None = None) -> RuleViolation:
    text = _("%(message)s（规则 %(code)s：%(title)s；%(citation)s）") % {
        "message": message, "code": rule.code, "title": rule.title, "citation": rule.citation,
    }
    return RuleViolation(f"{TransfersError.RULE}.{rule.code}", field_name, text, rule=rule.code,
                         citation=rule.citation, possible_on=possible_on)


def _d(day: dt.date) -> str:
    return day.isoformat()


def letter_due_on(issued_on: dt.date, days: int) -> dt.date:
    """The last day an introduction letter is valid: *days* counted from the day after issue."""
    return issued_on + dt.timedelta(days=days)


def check_validity_days(rule: Rule, *, days: int) -> RuleViolation | None:
    """DOMAIN §6 "Validity of the introduction letter": 1 day up to the configured maximum (6 months)."""
    if 1 <= days <= rule["max_days"]:
        return None
    return rule_violation(rule, "validity_days", _("介绍信有效期应为 1 至 %(n)s 天") % {"n": rule["max_days"]})


def check_letter_valid(rule: Rule, *, due_on: dt.date, received_on: dt.date) -> RuleViolation | None:
    """DOMAIN §6: a letter is received within its validity (through ``due_on``); later the sending
    branch, still responsible, reissues it or cancels the transfer."""
    if not rule.enabled or received_on <= due_on:
        return None
    return rule_violation(rule, "received_on", _("介绍信有效期至 %(d)s，已过期，请派出党组织重新开具介绍信") % {
        "d": _d(due_on)})


def check_mobile_away(rule: Rule, *, left_on: dt.date, expected_return: dt.date,
                      reason: str) -> RuleViolation | None:
    """DOMAIN §6 "Mobile members" / "When to transfer": away < 6 months keeps the relationship (流动党员);
    6 months or more means transferring it, unless the member cannot — then the reason is recorded."""
    limit = left_on + relativedelta(months=rule["months"])
    if not rule.enabled or expected_return < limit or reason.strip():
        return None
    return rule_violation(rule, "expected_return", _(
        "外出 %(n)s 个月以上（%(d)s 及以后返回）应转接组织关系；确实无法转接的，请在“原因”中写明") % {
        "n": rule["months"], "d": _d(limit)})


def suspension_possible_on(rule: Rule, lost_since: dt.date) -> dt.date:
    return lost_since + relativedelta(months=rule["months"])


def check_suspension(rule: Rule, *, lost_since: dt.date, on: dt.date, searched: bool) -> list[RuleViolation]:
    """DOMAIN §6 "Lost contact": out of contact ≥ 6 months **and** still unreachable after searching."""
    if not rule.enabled:
        return []
    problems = []
    earliest = suspension_possible_on(rule, lost_since)
    if on < earliest:
        problems.append(rule_violation(rule, "effective_on", _(
            "自 %(l)s 失去联系未满 %(n)s 个月，%(d)s 起方可停止党籍") % {
            "l": _d(lost_since), "n": rule["months"], "d": _d(earliest)}, possible_on=earliest))
    if not searched:
        problems.append(rule_violation(rule, "searches", _(
            "停止党籍前须经党组织查找：请先记录 %(l)s 以后的查找情况") % {"l": _d(lost_since)}))
    return problems


def removal_possible_on(rule: Rule, suspended_on: dt.date) -> dt.date:
    return suspended_on + relativedelta(years=rule["years"])


def check_restoration(rule: Rule, *, suspended_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §6 "Lost contact": restoration is possible within 2 years of the suspension; from the
    second anniversary on, the member is removed instead (the two windows do not overlap)."""
    deadline = removal_possible_on(rule, suspended_on)
    if not rule.enabled or on < deadline:
        return None
    return rule_violation(rule, "effective_on", _(
        "停止党籍（%(s)s）已满 %(n)s 年（%(d)s），不能恢复党籍，应按自行脱党除名") % {
        "s": _d(suspended_on), "n": rule["years"], "d": _d(deadline)})


def check_removal(rule: Rule, *, suspended_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §6 "Lost contact": still unreachable 2 years after the suspension → removed as self-departed."""
    earliest = removal_possible_on(rule, suspended_on)
    if not rule.enabled or on >= earliest:
        return None
    return rule_violation(rule, "effective_on", _(
        "停止党籍（%(s)s）未满 %(n)s 年，%(d)s 起方可按自行脱党除名；此前恢复联系的可恢复党籍") % {
        "s": _d(suspended_on), "n": rule["years"], "d": _d(earliest)}, possible_on=earliest)
