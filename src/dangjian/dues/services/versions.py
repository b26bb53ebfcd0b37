"""New versions of the dues rules (党费标准新版本): added as data by those who configure dues, checked,
audited, never by a migration (issue 8, point 5).

A version takes effect on the first day of a month and stays in force until the next version starts:
adding one closes the open-ended version before it on the day before. A version may only follow the
latest one (an effective date on or before another version's start, or inside a closed version's
period, overlaps it), may not leave a month without rules, and may not reach back into months whose
bills were already issued under the old rules (bills keep the amounts they were issued with).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import CENT, MoneyError, parse_money
from dangjian.core.scoping import resolver
from dangjian.core.text import normalize_text, text_problem
from dangjian.dues.choices import BaseMode, DuesCategory, DuesPerm, RoundingMode
from dangjian.dues.errors import DuesError
from dangjian.dues.models import DuesBill, DuesBracket, DuesRuleSet
from dangjian.dues.periods import period_of

__all__ = ["BRACKET_FIELDS", "VERSION_FIELDS", "rule_set_add", "rule_set_can_configure", "rule_set_template"]

VERSION_FIELDS = ("version", "name", "effective_from", "citation", "base_mode", "rounding_step", "rounding_mode",
                  "monthly_cap", "large_payment_threshold", "arrears_warn_months", "arrears_severe_months",
                  "arrears_limit_months")
BRACKET_FIELDS = ("category", "lower", "upper", "rate", "fixed_amount", "fixed_min", "fixed_max", "citation")
ROUNDING_STEPS = (CENT, Decimal("0.1"), Decimal("1"))
MAX_ARREARS_MONTHS = 24  # the alert months are steps towards the 6-month rule (DOMAIN §1); 2 years is ample
MAX_BRACKETS = 60


def rule_set_can_configure(actor: Any) -> bool:
    """Whether *actor* may add dues rule-set versions (``dues.configure``; the rules are platform-wide)."""
    return resolver().has_perm_anywhere(actor, DuesPerm.CONFIGURE)


def rule_set_template(rule_set: DuesRuleSet | None) -> dict[str, Any]:
    """The values of *rule_set* as the input of :func:`rule_set_add` (version, name and date left empty),
    so that a new version is written by changing only what changed."""
    if rule_set is None:
        return {"brackets": []}
    data = {name: getattr(rule_set, name) for name in VERSION_FIELDS}
    data.update(version="", name="", effective_from=None)
    order = {c: i for i, c in enumerate(DuesCategory.values)}
    rows = sorted(rule_set.brackets.all(), key=lambda b: (order.get(b.category, 99), b.lower is not None,
                                                          b.lower or Decimal(0)))
    data["brackets"] = [{name: getattr(b, name) for name in BRACKET_FIELDS} for b in rows]
    return data


# ------------------------------------------------------------------------------------------ parsing

def _text(data: Mapping[str, Any], name: str, errors: list[FieldError], *, max_length: int, label: str) -> str:
    value = normalize_text(str(data.get(name) or "").strip())
    problem = text_problem(value)
    if problem is not None:  # control or direction characters, or nothing visible (issue 7, defect 8)
        errors.append(FieldError(f"validation.text_{problem[0]}", name, problem[1]))
    elif not value:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, name, _("请填写%(label)s") % {"label": label}))
    elif len(value) > max_length:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, name,
                                 _("%(label)s最多 %(n)s 个字") % {"label": label, "n": max_length}))
    return value


def _decimal(value: Any, field: str, errors: list[FieldError], *, places: int = 2, code: str,
             message: str | None = None) -> Decimal | None:
    """None when empty; a field error (and None) when not a number with at most *places* decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_money(value, places=places)
    except MoneyError as exc:
        errors.append(FieldError(code, field, message or exc.message))
        return None


def _int(data: Mapping[str, Any], name: str, errors: list[FieldError]) -> int | None:
    value = data.get(name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append(FieldError(DuesError.RULE_SET_INVALID, name, _("请填写整数月数")))
        return None
    if not 1 <= number <= MAX_ARREARS_MONTHS:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, name,
                                 _("月数应在 1–%(max)s 之间") % {"max": MAX_ARREARS_MONTHS}))
        return None
    return number


def _effective_from(value: Any, errors: list[FieldError]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if value in (None, ""):
        errors.append(FieldError(DuesError.EFFECTIVE_DATE_INVALID, "effective_from", _("请填写施行日期")))
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(FieldError(DuesError.EFFECTIVE_DATE_INVALID, "effective_from", _("日期格式应为 YYYY-MM-DD")))
            return None
    if value.day != 1:
        # bills are computed under the rules in force on the first day of their month
        errors.append(FieldError(DuesError.EFFECTIVE_DATE_INVALID, "effective_from",
                                 _("施行日期应为某月 1 日（账单按每月 1 日施行的标准计算）")))
        return None
    return value


def _settings(data: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": _text(data, "version", errors, max_length=20, label=_("版本号")),
        "name": _text(data, "name", errors, max_length=200, label=_("名称")),
        "citation": _text(data, "citation", errors, max_length=2000, label=_("依据")),
        "effective_from": _effective_from(data.get("effective_from"), errors),
    }
    base_mode = str(data.get("base_mode") or "")
    if base_mode not in BaseMode.values:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "base_mode", _("未知的基数核定方式")))
    rounding_mode = str(data.get("rounding_mode") or "")
    if rounding_mode not in RoundingMode.values:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "rounding_mode", _("未知的舍入方式")))
    out.update(base_mode=base_mode, rounding_mode=rounding_mode)
    step = _decimal(data.get("rounding_step"), "rounding_step", errors, code=DuesError.RULE_SET_INVALID)
    if step not in ROUNDING_STEPS and not any(e.field == "rounding_step" for e in errors):
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "rounding_step", _("计算精度只能是 0.01、0.1 或 1 元")))
    out["rounding_step"] = step
    for name in ("monthly_cap", "large_payment_threshold"):
        amount = _decimal(data.get(name), name, errors, code=DuesError.RULE_SET_INVALID)
        if amount is None and name == "large_payment_threshold" and not any(e.field == name for e in errors):
            errors.append(FieldError(DuesError.RULE_SET_INVALID, name, _("请填写大额党费标准")))
        elif amount is not None and amount <= 0:
            errors.append(FieldError(DuesError.RULE_SET_INVALID, name, _("金额必须大于零")))
        out[name] = amount
    months = [_int(data, name, errors) for name in ("arrears_warn_months", "arrears_severe_months",
                                                    "arrears_limit_months")]
    if None not in months and not months[0] <= months[1] <= months[2]:  # type: ignore[operator]
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "arrears_warn_months",
                                 _("欠缴提醒月数须满足：提醒 ≤ 严重 ≤ 期限")))
    out.update(arrears_warn_months=months[0], arrears_severe_months=months[1], arrears_limit_months=months[2])
    return out


def _bracket_rows(rows: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Each row parsed; every error names ``brackets.<index>.<field>`` (index from 0, as in the request)
    and says the row number (from 1) in its message."""
    if not isinstance(rows, list | tuple) or not rows:
        errors.append(FieldError(DuesError.BRACKETS_INVALID, "brackets", _("请至少填写一个档次")))
        return []
    if len(rows) > MAX_BRACKETS:
        errors.append(FieldError(DuesError.BRACKETS_INVALID, "brackets",
                                 _("档次最多 %(n)s 行") % {"n": MAX_BRACKETS}))
        return []
    out = []
    for index, raw in enumerate(rows):
        row_errors: list[FieldError] = []

        def error(name: str, message: str, code: str = DuesError.BRACKET_INVALID, *, _index=index,
                  _errors=row_errors) -> None:
            _errors.append(FieldError(code, f"brackets.{_index}.{name}",
                                      _("第 %(n)s 行：%(message)s") % {"n": _index + 1, "message": message}))

        raw = raw if isinstance(raw, Mapping) else {}
        category = str(raw.get("category") or "").strip()
        if category not in DuesCategory.values:
            error("category", _("未知的人员类别“%(c)s”") % {"c": category}, DuesError.CATEGORY_UNKNOWN)
        values = {name: _decimal(raw.get(name), f"brackets.{index}.{name}", row_errors,
                                 places=4 if name == "rate" else 2, code=DuesError.BRACKET_INVALID,
                                 message=_("第 %(n)s 行：不是有效的数字") % {"n": index + 1})
                  for name in ("lower", "upper", "rate", "fixed_amount", "fixed_min", "fixed_max")}
        citation = normalize_text(str(raw.get("citation") or "").strip())
        problem = text_problem(citation)
        if problem is not None:
            error("citation", problem[1], f"validation.text_{problem[0]}")
        elif not citation:
            error("citation", _("请填写依据"))
        elif len(citation) > 300:
            error("citation", _("依据最多 300 个字"))
        bad = {e.field.rsplit(".", 1)[1] for e in row_errors if e.field}
        if values["fixed_amount"] is not None:
            for name in ("lower", "upper", "rate"):
                if values[name] is not None:
                    error(name, _("固定金额的档次不填基数范围和比例"))
            low, high, amount = values["fixed_min"], values["fixed_max"], values["fixed_amount"]
            if amount <= 0:
                error("fixed_amount", _("固定金额必须大于零"))
            elif low is not None and high is not None and low > high:
                error("fixed_min", _("固定金额下限不能高于上限"))
            elif (low is not None and amount < low) or (high is not None and amount > high):
                error("fixed_amount", _("固定金额须在 %(lo)s–%(hi)s 元之间") % {"lo": low or "0", "hi": high or "—"})
        elif "fixed_amount" not in bad:
            for name in ("fixed_min", "fixed_max"):
                if values[name] is not None:
                    error(name, _("按比例的档次不填固定金额范围"))
            rate = values["rate"]
            if rate is None and "rate" not in bad:
                error("rate", _("请填写比例或固定金额"))
            elif rate is not None and not 0 < rate < 1:
                error("rate", _("比例须大于 0 且小于 1（如 0.015 即 1.5%）"))
            for name in ("lower", "upper"):
                if values[name] is not None and values[name] < 0:
                    error(name, _("基数不能为负数"))
            if (values["lower"] is not None and values["upper"] is not None
                    and values["lower"] >= values["upper"]):
                error("upper", _("基数上限须高于下限"))
        errors += row_errors
        out.append({"index": index, "category": category, "citation": citation, **values, "ok": not row_errors})
    return out


def _check_categories(rows: list[dict[str, Any]], errors: list[FieldError]) -> None:
    """Every category present; per category either one fixed amount or rate brackets that run without a
    gap or overlap from an open lower end to an open upper end, ascending."""
    labels = dict(DuesCategory.choices)
    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_category.setdefault(row["category"], []).append(row)
    missing = [c for c in DuesCategory.values if c not in by_category]
    if missing:
        errors.append(FieldError(DuesError.CATEGORY_MISSING, "brackets",
                                 _("以下人员类别没有档次：%(c)s") % {"c": "、".join(str(labels[c]) for c in missing)}))
    for category, group in by_category.items():
        if category not in labels or not all(r["ok"] for r in group):
            continue
        label = labels[category]
        fixed = [r for r in group if r["fixed_amount"] is not None]
        if fixed and len(group) > 1:
            errors.append(FieldError(DuesError.BRACKETS_NOT_CONTIGUOUS, f"brackets.{group[1]['index']}.category",
                                     _("第 %(n)s 行：“%(c)s”按固定金额缴纳，只能有一行") % {
                                         "n": group[1]["index"] + 1, "c": label}))
            continue
        if fixed:
            continue
        ordered = sorted(group, key=lambda r: (r["lower"] is not None, r["lower"] or 0))
        previous_upper: Decimal | None = None
        for position, row in enumerate(ordered):
            n = row["index"] + 1
            if position == 0 and row["lower"] is not None:
                errors.append(FieldError(DuesError.BRACKETS_NOT_CONTIGUOUS, f"brackets.{row['index']}.lower",
                                         _("第 %(n)s 行：“%(c)s”最低一档的基数下限应留空（从 0 起）") % {"n": n, "c": label}))
            elif position > 0 and row["lower"] != previous_upper:
                errors.append(FieldError(DuesError.BRACKETS_NOT_CONTIGUOUS, f"brackets.{row['index']}.lower",
                                         _("第 %(n)s 行：“%(c)s”的基数下限应等于上一档的上限 %(u)s 元") % {
                                             "n": n, "c": label, "u": previous_upper or "—"}))
            last = position == len(ordered) - 1
            if last and row["upper"] is not None:
                errors.append(FieldError(DuesError.BRACKETS_NOT_CONTIGUOUS, f"brackets.{row['index']}.upper",
                                         _("第 %(n)s 行：“%(c)s”最高一档的基数上限应留空") % {"n": n, "c": label}))
            elif not last and row["upper"] is None:
                errors.append(FieldError(DuesError.BRACKETS_NOT_CONTIGUOUS, f"brackets.{row['index']}.upper",
                                         _("第 %(n)s 行：“%(c)s”只有最高一档的基数上限可以留空") % {"n": n, "c": label}))
            previous_upper = row["upper"]


def _check_dates(effective_from: dt.date, versions: list[DuesRuleSet], today: dt.date,
                 errors: list[FieldError]) -> DuesRuleSet | None:
    """The version the new one follows (closed the day before it when open-ended), or field errors on
    ``effective_from``: overlap with another version, a month without rules, months already billed."""
    latest = versions[0] if versions else None
    field = "effective_from"
    for other in versions:
        ends = other.effective_to
        if effective_from <= other.effective_from or (ends is not None and effective_from <= ends):
            errors.append(FieldError(DuesError.VERSION_OVERLAP, field, _(
                "与党费标准 %(v)s（%(start)s 起%(end)s）的施行期重叠：新版本只能在最新版本施行之后开始") % {
                "v": other.version, "start": other.effective_from.isoformat(),
                "end": _("，至 %(d)s") % {"d": ends.isoformat()} if ends else ""}))
            return None
    if latest is not None and latest.effective_to is not None and effective_from > latest.effective_to + dt.timedelta(1):
        errors.append(FieldError(DuesError.VERSION_GAP, field, _(
            "党费标准 %(v)s 至 %(d)s 停止施行，新版本应从次日起施行，中间不能没有标准") % {
            "v": latest.version, "d": latest.effective_to.isoformat()}))
        return None
    month = period_of(effective_from)
    if month <= period_of(today):
        billed = DuesBill.objects.filter(period__gte=str(month)).order_by().values_list("period", flat=True).first()
        if billed is not None:
            errors.append(FieldError(DuesError.VERSION_BILLS_ISSUED, field, _(
                "%(p)s 的党费账单已按现行标准生成，新版本只能从尚未生成账单的月份起施行") % {"p": billed}))
            return None
    return latest


def _snapshot(rule_set: DuesRuleSet, brackets: Iterable[DuesBracket]) -> dict[str, Any]:
    data = {name: getattr(rule_set, name) for name in (*VERSION_FIELDS, "effective_to")}
    data["brackets"] = [{name: getattr(b, name) for name in BRACKET_FIELDS} for b in brackets]
    return data


# ------------------------------------------------------------------------------------------ the service

@transaction.atomic
def rule_set_add(*, actor: Any, data: Mapping[str, Any], reason: str = "") -> DuesRuleSet:
    """Adds a version of the dues rules: settings (*data*'s keys as :data:`VERSION_FIELDS`; rates as
    fractions, e.g. ``"0.015"``) and ``brackets``, a list of rows with :data:`BRACKET_FIELDS` (a rate
    with ``lower``/``upper`` bounds, lower exclusive and upper inclusive, or a ``fixed_amount``). The
    open-ended version before it stops the day before ``effective_from``.

    Every value is checked before anything is written; all problems come back together as field errors
    (``brackets.<index>.<field>`` for a bracket row). Permission: ``dues.configure``. Audit:
    ``dues.rule_set_add`` (the new version with its brackets) and, when a version is closed,
    ``dues.rules_change`` on it. Rule sets are locked while checked, so two versions added at once
    cannot both take the same month.
    """
    if actor is not None and not rule_set_can_configure(actor):
        raise PermissionDenied(DuesPerm.CONFIGURE)
    errors: list[FieldError] = []
    values = _settings(data, errors)
    rows = _bracket_rows(data.get("brackets"), errors)
    if rows and all(r["ok"] for r in rows):
        _check_categories(rows, errors)
    # lock every version (in pk order), then read them afresh: a concurrent add waits here and then sees ours
    list(DuesRuleSet.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    versions = list(DuesRuleSet.objects.order_by("-effective_from"))
    if values["version"] and any(v.version == values["version"] for v in versions):
        errors.append(FieldError(DuesError.VERSION_TAKEN, "version",
                                 _("版本号“%(v)s”已被使用") % {"v": values["version"]}))
    previous = None
    if values["effective_from"] is not None:
        previous = _check_dates(values["effective_from"], versions, timezone.localdate(), errors)
    if errors:
        raise DomainError(errors)
    rule_set = DuesRuleSet(**values)
    rule_set.full_clean()
    rule_set.save()
    brackets = DuesBracket.objects.bulk_create([
        DuesBracket(rule_set=rule_set, category=r["category"], lower=r["lower"], upper=r["upper"], rate=r["rate"],
                    fixed_amount=r["fixed_amount"], fixed_min=r["fixed_min"], fixed_max=r["fixed_max"],
                    citation=r["citation"])
        for r in rows
    ])
    record(actor=actor, action=AuditAction.DUES_RULE_SET_ADDED, target=rule_set, before=None,
           after=_snapshot(rule_set, brackets), reason=reason)
    if previous is not None and previous.effective_to is None:
        previous.effective_to = values["effective_from"] - dt.timedelta(days=1)
        previous.save(update_fields=["effective_to", "updated_at"])
        record(actor=actor, action=AuditAction.DUES_RULES_CHANGED, target=previous, before={"effective_to": None},
               after={"effective_to": previous.effective_to},
               reason=_("新版本 %(v)s 自 %(d)s 起施行") % {"v": rule_set.version, "d": rule_set.effective_from})
    return rule_set
