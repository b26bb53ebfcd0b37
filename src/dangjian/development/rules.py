"""The regulation minimums of member development as data (DOMAIN §5), and their evaluation.

Every number lives in a :class:`~dangjian.development.models.DevelopmentRule` row seeded from
:data:`DEFAULT_RULES` (code, parameters, severity, citation); an administrator may tighten them, as
provincial, SASAC and group rules often do. The check functions here are pure: they take the rule
and the dates or counts and return a :class:`RuleViolation` (or ``None``), so each rule is tested at
its boundaries without a database. Services collect the violations and refuse the step when one is
blocking; warnings are stored on the step and shown on the timeline.

Date arithmetic uses ``dateutil.relativedelta``: "1 year after 2024-02-29" is 2025-02-28 and
"18 years after 2004-02-29" is 2022-02-28 — when the target month has no corresponding day, the
period ends on the month's last day (民法典 art. 202), and leap years need no special case.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dangjian.core.errors import FieldError
from dangjian.core.rules import ErrorCodes, Param, Rule, RuleDefaults, RuleSet
from dangjian.development.choices import NoticeUnit, Severity, StepCode
from dangjian.development.errors import DevelopmentError, RuleViolation

__all__ = [
    "DEFAULT_RULES",
    "RULES",
    "RULE_ERRORS",
    "Rule",
    "RuleCode",
    "RuleSet",
    "add_months",
    "approval_deadlines",
    "check_activist_wait",
    "check_approval_deadline",
    "check_candidate_cultivation",
    "check_consistency",
    "check_contacts",
    "check_conversion_meeting",
    "check_extension",
    "check_introducers",
    "check_meeting_after_prereview",
    "check_min_age",
    "check_notice",
    "check_oath",
    "check_quorum",
    "check_talk",
    "check_training",
    "count_notice_days",
    "load_rules",
    "notice_possible_on",
    "probation_end",
    "rule_violation",
    "validate_params",
    "vote_passes",
]


class RuleCode:
    MIN_AGE = "min_age"
    TALK_DEADLINE = "talk_deadline"
    ACTIVIST_MIN_WAIT = "activist_min_wait"
    ACTIVIST_ASSESSMENT = "activist_assessment"
    CULTIVATION_CONTACTS = "cultivation_contacts"
    CANDIDATE_MIN_CULTIVATION = "candidate_min_cultivation"
    INTRODUCERS = "introducers"
    POLITICAL_REVIEW = "political_review"
    TRAINING_MINIMUM = "training_minimum"
    PUBLIC_NOTICE = "public_notice"
    MEETING_AFTER_PREREVIEW = "meeting_after_prereview"
    MEETING_QUORUM = "meeting_quorum"
    VOTE_MAJORITY = "vote_majority"
    ADMISSION_APPROVAL_DEADLINE = "admission_approval_deadline"
    OATH_DEADLINE = "oath_deadline"
    PROBATION_LENGTH = "probation_length"
    CONVERSION_PROMPTLY = "conversion_promptly"
    PROBATION_EXTENSION = "probation_extension"
    CONVERSION_APPROVAL_DEADLINE = "conversion_approval_deadline"


PARAM_WORDS: dict[str, tuple[str, str]] = {  # what the pages call each parameter, and its unit
    "years": (_l("年数"), _l("年")), "months": (_l("月数"), _l("个月")), "days": (_l("天数"), _l("天")),
    "min": (_l("最少人数"), _l("人")), "max": (_l("最多人数"), _l("人")), "count": (_l("人数"), _l("人")),
    "class_hours": (_l("学时"), _l("学时")), "unit": (_l("计算方式"), ""), "steps": (_l("须公示的步骤"), ""),
    "numerator": (_l("比例分子"), ""), "denominator": (_l("比例分母"), ""),
    "max_months": (_l("最长月数"), _l("个月")), "min_months": (_l("最短月数"), _l("个月")),
    "times": (_l("次数"), _l("次")),
}


def _schema(params: dict[str, Any]) -> tuple[Param, ...]:
    """The parameter schema of a development rule, from its defaults: counts and periods are
    non-negative integers, ``unit`` a notice unit, ``steps`` a list of step codes; each named and with
    its unit as the pages show it (:data:`PARAM_WORDS`)."""
    out = []
    for name, value in params.items():
        label, unit = PARAM_WORDS.get(name, (name, ""))
        if name == "unit":
            out.append(Param(name, label, value, None, None, choices=tuple(NoticeUnit.values),
                             choice_labels=tuple(NoticeUnit.choices)))
        elif isinstance(value, list):
            out.append(Param(name, label, tuple(value), None, None, many=True, choices=tuple(StepCode.values),
                             choice_labels=tuple(StepCode.choices)))
        else:
            out.append(Param(name, label, value, 0, None, unit))
    return tuple(out)


def _rule(code: str, title: str, params: dict[str, Any], severity: str, citation: str,
          confidence: str = "high") -> Rule:
    return Rule(code, title, params, citation, confidence, severity=severity, schema=_schema(params),
                basis=_basis(citation))


def _basis(citation: str) -> str:
    """The regulation and article of a citation "DOMAIN §n topic: <regulation, article>"."""
    return citation.partition(": ")[2]


DEFAULT_RULES: tuple[Rule, ...] = (
    _rule(RuleCode.MIN_AGE, "年满十八岁", {"years": 18}, Severity.BLOCK,
         "DOMAIN §5 最低年龄: 党章第一条; 《发展党员工作细则》(2014) 第五条"),
    _rule(RuleCode.TALK_DEADLINE, "一个月内派人谈话", {"months": 1}, Severity.WARN,
         "DOMAIN §5 谈话: 《发展党员工作细则》(2014) 第七条"),
    _rule(RuleCode.ACTIVIST_MIN_WAIT, "申请后确定积极分子的最短间隔", {"months": 0}, Severity.BLOCK,
         "DOMAIN §5 确定积极分子: 《发展党员工作细则》(2014) 第八、九条（全国无最短间隔，地方常见 3–6 个月）",
         "high"),
    _rule(RuleCode.ACTIVIST_ASSESSMENT, "每半年考察一次积极分子", {"months": 6}, Severity.WARN,
         "DOMAIN §5 积极分子考察: 《发展党员工作细则》(2014) 第十一条"),
    _rule(RuleCode.CULTIVATION_CONTACTS, "一至两名正式党员作培养联系人", {"min": 1, "max": 2}, Severity.BLOCK,
         "DOMAIN §5 培养联系人: 《发展党员工作细则》(2014) 第十条"),
    _rule(RuleCode.CANDIDATE_MIN_CULTIVATION, "培养教育一年以上方可列为发展对象", {"years": 1}, Severity.BLOCK,
         "DOMAIN §5 积极分子→发展对象: 《发展党员工作细则》(2014) 第十三条"),
    _rule(RuleCode.INTRODUCERS, "两名正式党员作入党介绍人", {"count": 2}, Severity.BLOCK,
         "DOMAIN §5 入党介绍人: 党章第五条; 《发展党员工作细则》(2014) 第十四条"),
    _rule(RuleCode.POLITICAL_REVIEW, "政治审查合格方可发展", {}, Severity.BLOCK,
         "DOMAIN §5 政治审查: 《发展党员工作细则》(2014) 第十六条"),
    _rule(RuleCode.TRAINING_MINIMUM, "集中培训不少于三天或二十四学时", {"days": 3, "class_hours": 24}, Severity.BLOCK,
         "DOMAIN §5 集中培训: 《发展党员工作细则》(2014) 第十七条"),
    _rule(RuleCode.PUBLIC_NOTICE, "公示期", {
        "days": 5, "unit": NoticeUnit.WORKING,
        "steps": [StepCode.CANDIDATE_CONFIRM, StepCode.PREREVIEW, StepCode.CONVERSION_MEETING],
    }, Severity.BLOCK,
         "DOMAIN §5 公示 与 待核实事项 3: 地方及高校规定常见不少于 5 个工作日（2014 年全国文本未见时长，部分单位 7 天）",
         "low"),
    _rule(RuleCode.MEETING_AFTER_PREREVIEW, "预审通过后一个月内召开支部党员大会", {"months": 1}, Severity.WARN,
         "DOMAIN §5 预审后的支部大会: 地方及高校规定; 修订文本说法（待核实事项 2）", "medium"),
    _rule(RuleCode.MEETING_QUORUM, "到会有表决权的党员超过应到会人数的半数",
         {"numerator": 1, "denominator": 2}, Severity.BLOCK,
         "DOMAIN §5 接收表决 / §3 法定人数: 《发展党员工作细则》(2014) 第二十条、第三十三条"),
    _rule(RuleCode.VOTE_MAJORITY, "赞成人数超过应到会有表决权正式党员的半数",
         {"numerator": 1, "denominator": 2}, Severity.BLOCK,
         "DOMAIN §5 接收表决: 《发展党员工作细则》(2014) 第二十、二十一条; 党章第五条"),
    _rule(RuleCode.ADMISSION_APPROVAL_DEADLINE, "三个月内审批，特殊情况延长不超过六个月",
         {"months": 3, "max_months": 6}, Severity.BLOCK,
         "DOMAIN §5 审批期限: 《发展党员工作细则》(2014) 第四章（条号待核实，待核实事项 5）"),
    _rule(RuleCode.OATH_DEADLINE, "批准后一个月内组织入党宣誓", {"months": 1}, Severity.WARN,
         "DOMAIN §5 入党宣誓: 《发展党员工作细则》(2014) 第五章; 修订文本说法（待核实事项 2）", "medium"),
    _rule(RuleCode.PROBATION_LENGTH, "预备期一年，自支部大会通过之日起算", {"years": 1}, Severity.BLOCK,
         "DOMAIN §5 预备期: 党章第七条; 《发展党员工作细则》(2014) 第三十一、三十二条"),
    _rule(RuleCode.CONVERSION_PROMPTLY, "预备期满后及时讨论转正", {"months": 1}, Severity.WARN,
         "DOMAIN §5 转正: 《发展党员工作细则》(2014) 第三十二条（“及时讨论”；一个月为本平台默认）", "low"),
    _rule(RuleCode.PROBATION_EXTENSION, "延长预备期只能一次，最短半年，最长一年",
         {"min_months": 6, "max_months": 12, "times": 1}, Severity.BLOCK,
         "DOMAIN §5 转正: 党章第七条; 《发展党员工作细则》(2014) 第三十二、三十三条"),
    _rule(RuleCode.CONVERSION_APPROVAL_DEADLINE, "转正三个月内审批", {"months": 3, "max_months": 3}, Severity.BLOCK,
         "DOMAIN §5 转正: 《发展党员工作细则》(2014) 第三十三条"),
)


def check_consistency(rule: Rule, merged: dict[str, Any]) -> list[FieldError]:
    """Cross-parameter problems of a development rule's merged parameters."""
    problems = []
    if merged.get("denominator") == 0:
        problems.append(_("参数 denominator 不能为 0"))
    if "min" in merged and merged["min"] > merged["max"]:
        problems.append(_("参数 min 不能大于 max"))
    if "min_months" in merged and merged["min_months"] > merged["max_months"]:
        problems.append(_("参数 min_months 不能大于 max_months"))
    if "max_months" in merged and "months" in merged and merged["months"] > merged["max_months"]:
        problems.append(_("参数 months 不能大于 max_months"))
    return [FieldError(DevelopmentError.RULE_PARAMS_INVALID, "params", p) for p in problems]


RULE_ERRORS = ErrorCodes(
    unknown=DevelopmentError.RULE_PARAMS_INVALID, type=DevelopmentError.RULE_PARAMS_INVALID,
    range=DevelopmentError.RULE_PARAMS_INVALID, inconsistent=DevelopmentError.RULE_PARAMS_INVALID,
    reason=DevelopmentError.REQUIRED, unknown_rule=DevelopmentError.INVALID)


# the effective rules (load_rules: the defaults with the administrator's changes, one query) and the
# problems of a parameter change (validate_params(code, params) → messages)
RULES = RuleDefaults(DEFAULT_RULES, "development.DevelopmentRule", RULE_ERRORS, check_consistency, one_field=True)
load_rules, validate_params = RULES.load, RULES.problems


# --- evaluation ---------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    return day + relativedelta(months=months)


def rule_violation(rule: Rule, field_name: str, message: str, *, possible_on: dt.date | None = None) -> RuleViolation:
    text = _("%(message)s（规则 %(code)s：%(title)s；%(citation)s）") % {
        "message": message, "code": rule.code, "title": rule.title, "citation": rule.citation,
    }
    return RuleViolation(f"{DevelopmentError.RULE}.{rule.code}", field_name, text, rule=rule.code,
                         citation=rule.citation, possible_on=possible_on, warning=not rule.blocks)


def _d(day: dt.date) -> str:
    return day.isoformat()


def check_min_age(rule: Rule, *, birth_date: dt.date, applied_on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Minimum age": 18 full years on the application date (the birthday itself counts)."""
    if not rule.enabled:
        return None
    eligible = birth_date + relativedelta(years=rule["years"])
    if applied_on >= eligible:
        return None
    return rule_violation(rule, "applied_on", _("申请时未满 %(n)s 周岁，%(d)s 起方可递交入党申请") % {
        "n": rule["years"], "d": _d(eligible)}, possible_on=eligible)


def check_talk(rule: Rule, *, applied_on: dt.date, talk_on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Talk with the applicant": within 1 month of the application (late → warning)."""
    deadline = add_months(applied_on, rule["months"])
    if not rule.enabled or talk_on <= deadline:
        return None
    return rule_violation(rule, "on", _("谈话晚于收到申请后 %(n)s 个月（应于 %(d)s 前）") % {
        "n": rule["months"], "d": _d(deadline)})


def check_activist_wait(rule: Rule, *, applied_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Confirming an activist": no national minimum wait (default 0 months); local rules set one."""
    earliest = add_months(applied_on, rule["months"])
    if not rule.enabled or on >= earliest:
        return None
    return rule_violation(rule, "on", _("递交申请满 %(n)s 个月后，%(d)s 起方可确定为入党积极分子") % {
        "n": rule["months"], "d": _d(earliest)}, possible_on=earliest)


def check_candidate_cultivation(rule: Rule, *, activist_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Activist → development object": ``on >= activist_on + 1 year``."""
    earliest = activist_on + relativedelta(years=rule["years"])
    if not rule.enabled or on >= earliest:
        return None
    return rule_violation(rule, "on", _("列为入党积极分子（%(a)s）后培养教育不满 %(n)s 年，%(d)s 起方可列为发展对象") % {
        "a": _d(activist_on), "n": rule["years"], "d": _d(earliest)}, possible_on=earliest)


def check_contacts(rule: Rule, *, count: int) -> RuleViolation | None:
    """DOMAIN §5 "Cultivation contacts": 1–2 full members."""
    if not rule.enabled or rule["min"] <= count <= rule["max"]:
        return None
    return rule_violation(rule, "contacts", _("应指定 %(a)s 至 %(b)s 名正式党员作培养联系人（现为 %(n)s 名）") % {
        "a": rule["min"], "b": rule["max"], "n": count})


def check_introducers(rule: Rule, *, count: int) -> RuleViolation | None:
    """DOMAIN §5 "Introducers": exactly two full members."""
    if not rule.enabled or count == rule["count"]:
        return None
    return rule_violation(rule, "introducers", _("应有 %(a)s 名正式党员作入党介绍人（现为 %(n)s 名）") % {
        "a": rule["count"], "n": count})


def check_training(rule: Rule, *, days: int | None, class_hours: int | None) -> RuleViolation | None:
    """DOMAIN §5 "Concentrated training": ≥ 3 days **or** ≥ 24 class hours."""
    if not rule.enabled or (days or 0) >= rule["days"] or (class_hours or 0) >= rule["class_hours"]:
        return None
    return rule_violation(rule, "training_days", _("集中培训不足 %(d)s 天且不足 %(h)s 学时（现为 %(dd)s 天、%(hh)s 学时）") % {
        "d": rule["days"], "h": rule["class_hours"], "dd": days or 0, "hh": class_hours or 0})


def count_notice_days(start: dt.date, end: dt.date, unit: str) -> int:
    """Days of a notice period, both ends included: Monday–Friday when *unit* is ``working``.

    Public holidays and make-up working days are not modelled; a unit that needs them sets the
    rule to calendar days or lengthens it.
    """
    if end < start:
        return 0
    total = (end - start).days + 1
    if unit == NoticeUnit.CALENDAR:
        return total
    weeks, rest = divmod(total, 7)
    extra = sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
    return weeks * 5 + extra


def notice_possible_on(start: dt.date, rule: Rule) -> dt.date:
    """The first day a step may follow a notice that starts on *start*: the day after its last day."""
    need = rule["days"]
    day = start
    counted = 0
    while True:
        if rule["unit"] == NoticeUnit.CALENDAR or day.weekday() < 5:
            counted += 1
            if counted >= need:
                return day + dt.timedelta(days=1)
        day += dt.timedelta(days=1)


def check_notice(rule: Rule, *, code: str, start: dt.date | None, end: dt.date | None,
                 on: dt.date) -> list[RuleViolation]:
    """DOMAIN §5 "Public notice" (disputed item 3): at the configured steps a notice of at least the
    configured length must have ended before the step's date."""
    if not rule.enabled or code not in rule["steps"]:
        return []
    unit_label = NoticeUnit(rule["unit"]).label
    if start is None or end is None:
        return [rule_violation(rule, "notice_start" if start is None else "notice_end",
                           _("本步骤前须公示不少于 %(n)s 个%(u)s，请填写公示起止日期") % {"n": rule["days"], "u": unit_label})]
    problems = []
    if count_notice_days(start, end, rule["unit"]) < rule["days"]:
        earliest_end = notice_possible_on(start, rule) - dt.timedelta(days=1)
        problems.append(rule_violation(rule, "notice_end", _("公示期不足 %(n)s 个%(u)s（至少应公示至 %(e)s），%(d)s 起方可办理本步骤") % {
            "n": rule["days"], "u": unit_label, "e": _d(earliest_end), "d": _d(earliest_end + dt.timedelta(days=1))},
            possible_on=earliest_end + dt.timedelta(days=1)))
    elif on <= end:
        problems.append(rule_violation(rule, "on", _("公示期至 %(e)s 结束，%(d)s 起方可办理本步骤") % {
            "e": _d(end), "d": _d(end + dt.timedelta(days=1))}, possible_on=end + dt.timedelta(days=1)))
    return problems


def _more_than(count: int, total: int, rule: Rule) -> bool:
    """``count > total × numerator / denominator`` in integers ("more than half" by default)."""
    return count * rule["denominator"] > total * rule["numerator"]


def check_quorum(rule: Rule, *, entitled: int, attending: int) -> RuleViolation | None:
    """DOMAIN §5 "Admission vote": voting members present must be more than half of those entitled."""
    if not rule.enabled or _more_than(attending, entitled, rule):
        return None
    return rule_violation(rule, "attending", _("到会有表决权的正式党员 %(a)s 人，未超过应到会 %(e)s 人的 %(n)s/%(d)s，会议无效") % {
        "a": attending, "e": entitled, "n": rule["numerator"], "d": rule["denominator"]})


def vote_passes(rule: Rule, *, entitled: int, votes_for: int) -> bool:
    """DOMAIN §5 "Admission vote": votes for > half of the **full members entitled to attend** (not of
    those present). A resolution that fails is recorded as not passed, not refused."""
    return (not rule.enabled) or _more_than(votes_for, entitled, rule)


def approval_deadlines(rule: Rule, meeting_on: dt.date) -> tuple[dt.date, dt.date]:
    """(normal deadline, absolute deadline) of a higher-committee approval after a branch resolution."""
    return add_months(meeting_on, rule["months"]), add_months(meeting_on, rule["max_months"])


def check_approval_deadline(rule: Rule, *, meeting_on: dt.date, on: dt.date,
                            extension_reason: str = "") -> RuleViolation | None:
    """DOMAIN §5 "Approval deadline": within 3 months of the branch resolution; in special cases (a
    written reason) later, but never beyond 6 months — then the admission procedure is redone."""
    if not rule.enabled:
        return None
    normal, absolute = approval_deadlines(rule, meeting_on)
    if on <= normal:
        return None
    if on > absolute:
        return rule_violation(rule, "on", _("支部大会决议（%(m)s）后已超过 %(n)s 个月（最迟 %(d)s），不得审批，须重新履行接收程序") % {
            "m": _d(meeting_on), "n": rule["max_months"], "d": _d(absolute)})
    if not extension_reason.strip():
        return rule_violation(rule, "extension_reason", _("审批晚于支部大会决议后 %(n)s 个月（%(d)s），须写明延长审批的特殊情况") % {
            "n": rule["months"], "d": _d(normal)})
    return None


def check_meeting_after_prereview(rule: Rule, *, prereview_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Branch meeting after pre-review": usually within 1 month (warning)."""
    deadline = add_months(prereview_on, rule["months"])
    if not rule.enabled or on <= deadline:
        return None
    return rule_violation(rule, "on", _("支部党员大会晚于预审通过后 %(n)s 个月（应于 %(d)s 前）") % {
        "n": rule["months"], "d": _d(deadline)})


def check_oath(rule: Rule, *, approved_on: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Oath": organised after approval, generally within 1 month (warning)."""
    deadline = add_months(approved_on, rule["months"])
    if not rule.enabled or on <= deadline:
        return None
    return rule_violation(rule, "on", _("入党宣誓晚于批准后 %(n)s 个月（应于 %(d)s 前）") % {
        "n": rule["months"], "d": _d(deadline)})


def probation_end(rule: Rule, *, admission_meeting_on: dt.date, extension_months: int = 0) -> dt.date:
    """DOMAIN §5 "Probation": 1 year from the branch meeting that passed the admission, plus any
    extension. This is also the date the member becomes full (party age counts from it)."""
    return admission_meeting_on + relativedelta(years=rule["years"], months=extension_months)


def check_conversion_meeting(rule: Rule, *, end: dt.date, on: dt.date) -> RuleViolation | None:
    """DOMAIN §5 "Probation": the conversion meeting is not held before the probation ends."""
    if not rule.enabled or on >= end:
        return None
    return rule_violation(rule, "on", _("预备期至 %(d)s 期满，%(d)s 起方可讨论转正") % {"d": _d(end)}, possible_on=end)


def check_extension(rule: Rule, *, months: int | None, previous: int) -> RuleViolation | None:
    """DOMAIN §5 "Conversion": extend once, by at least 6 months and at most 1 year."""
    if not rule.enabled:
        return None
    if previous >= rule["times"]:
        return rule_violation(rule, "conversion_outcome", _("预备期只能延长 %(n)s 次，已延长过") % {"n": rule["times"]})
    if months is None or not rule["min_months"] <= months <= rule["max_months"]:
        return rule_violation(rule, "extension_months", _("延长预备期应为 %(a)s 至 %(b)s 个月") % {
            "a": rule["min_months"], "b": rule["max_months"]})
    return None
