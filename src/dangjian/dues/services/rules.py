"""Dues rule sets and brackets (党费标准): audited edits of a version."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import CENT, MoneyError, parse_money
from dangjian.dues.choices import (
    RoundingMode,
)
from dangjian.dues.errors import DuesError
from dangjian.dues.models import (
    DuesBracket,
    DuesRuleSet,
)
from dangjian.dues.services.common import _money, _require_global

# --------------------------------------------------------------------------------------------- rules

_RULE_SET_FIELDS = ("name", "effective_to", "citation", "base_mode", "rounding_step", "rounding_mode", "monthly_cap",
                    "large_payment_threshold", "arrears_warn_months", "arrears_severe_months", "arrears_limit_months")
_ROUNDING_STEPS = (CENT, Decimal("0.1"), Decimal("1"))


def _rule_snapshot(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


@transaction.atomic
def rule_set_update(*, actor: Any, rule_set: DuesRuleSet, reason: str = "", **fields: Any) -> DuesRuleSet:
    """Changes the settings of a rule set (rounding step 0.01/0.1/1 yuan and mode, cap, large-payment
    threshold, base mode, arrears alert months, end date). Bills already issued keep their amounts.

    Permission: ``dues.change`` with system-wide scope. Audit: ``dues.rules_change``.
    """
    unknown = set(fields) - set(_RULE_SET_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule set fields: {sorted(unknown)}")
    _require_global(actor)
    rule_set = DuesRuleSet.objects.select_for_update().get(pk=rule_set.pk)
    before = _rule_snapshot(rule_set, fields)
    errors: list[FieldError] = []
    for name, value in fields.items():
        if name in ("rounding_step", "monthly_cap", "large_payment_threshold") and value is not None:
            value = _money(value, name, errors, positive=True, code_invalid=DuesError.RULE_SET_INVALID,
                           code_sign=DuesError.RULE_SET_INVALID)
        setattr(rule_set, name, value)
    if "rounding_step" in fields and rule_set.rounding_step not in _ROUNDING_STEPS:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "rounding_step", _("计算精度只能是 0.01、0.1 或 1 元")))
    if rule_set.rounding_mode not in RoundingMode.values:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "rounding_mode", _("未知的舍入方式")))
    if not (0 < rule_set.arrears_warn_months <= rule_set.arrears_severe_months <= rule_set.arrears_limit_months):
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "arrears_warn_months",
                                 _("欠缴提醒月数须满足：提醒 ≤ 严重 ≤ 期限")))
    if errors:
        raise DomainError(errors)
    rule_set.save(update_fields=[*fields, "updated_at"])
    record(actor=actor, action=AuditAction.DUES_RULES_CHANGED, target=rule_set, before=before,
           after=_rule_snapshot(rule_set, fields), reason=reason)
    return rule_set


@transaction.atomic
def bracket_update(*, actor: Any, bracket: DuesBracket, fixed_amount: Any = None, rate: Any = None,
                   reason: str = "") -> DuesBracket:
    """Sets a fixed amount (e.g. the province's farmer amount, within ``fixed_min``–``fixed_max``) or a
    rate. Permission: ``dues.change`` system-wide. Audit: ``dues.rules_change``."""
    _require_global(actor)
    bracket = DuesBracket.objects.select_for_update().get(pk=bracket.pk)
    before = {"fixed_amount": bracket.fixed_amount, "rate": bracket.rate}
    errors: list[FieldError] = []
    if bracket.fixed_amount is not None and fixed_amount is not None:
        value = _money(fixed_amount, "fixed_amount", errors, positive=True, code_invalid=DuesError.RULE_SET_INVALID,
                       code_sign=DuesError.RULE_SET_INVALID)
        if value is not None and ((bracket.fixed_min is not None and value < bracket.fixed_min)
                                  or (bracket.fixed_max is not None and value > bracket.fixed_max)):
            errors.append(FieldError(DuesError.FIXED_AMOUNT_OUT_OF_RANGE, "fixed_amount",
                                     _("固定金额须在 %(lo)s–%(hi)s 元之间") % {"lo": bracket.fixed_min,
                                                                         "hi": bracket.fixed_max}))
        bracket.fixed_amount = value
    elif bracket.rate is not None and rate is not None:
        try:
            bracket.rate = parse_money(rate, places=4)
        except MoneyError as exc:
            errors.append(FieldError(DuesError.RULE_SET_INVALID, "rate", exc.message))
        else:
            if not 0 < bracket.rate < 1:
                errors.append(FieldError(DuesError.RULE_SET_INVALID, "rate", _("比例须在 0 与 1 之间")))
    else:
        errors.append(FieldError(DuesError.RULE_SET_INVALID, "fixed_amount" if bracket.fixed_amount is not None
                                 else "rate", _("该档次不能这样修改")))
    if errors:
        raise DomainError(errors)
    bracket.save(update_fields=["fixed_amount", "rate"])
    DuesRuleSet.objects.filter(pk=bracket.rule_set_id).update(updated_at=timezone.now())
    record(actor=actor, action=AuditAction.DUES_RULES_CHANGED, target=bracket, before=before,
           after={"fixed_amount": bracket.fixed_amount, "rate": bracket.rate}, reason=reason)
    return bracket
