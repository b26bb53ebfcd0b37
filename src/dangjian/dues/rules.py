"""The dues calculator (党费计算): pure functions over a compiled rule set (DOMAIN §1).

:func:`compile_rule_set` reads a :class:`DuesRuleSet` and its brackets once into an immutable
:class:`RuleBook`; :meth:`RuleBook.calculate` then does no I/O, so bill generation compiles once and
computes a million amounts without a query each. :func:`calculate` is the convenience entry point
(the page, the API and the CLI use it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import ZERO, MoneyError, parse_money, quantize_money, round_money
from dangjian.dues.choices import DuesCategory, ReliefKind
from dangjian.dues.errors import DuesError
from dangjian.dues.models import DuesRuleSet

__all__ = [
    "Bracket",
    "Calculation",
    "RuleBook",
    "apply_relief",
    "calculate",
    "compile_rule_set",
    "parse_base",
    "parse_category",
    "rule_book_for",
    "rule_book_in_force",
    "yuan",
]


def yuan(amount: Decimal) -> str:
    """An amount of yuan with thousands separators and two places: 10,000.00."""
    return f"{quantize_money(amount):,.2f}"


@dataclass(frozen=True)
class Bracket:
    category: str
    lower: Decimal | None
    upper: Decimal | None
    rate: Decimal | None
    fixed_amount: Decimal | None
    label: str
    citation: str

    def contains(self, base: Decimal) -> bool:
        # lower exclusive, upper inclusive: "upper bound belongs to the lower bracket" (DOMAIN §1)
        return (self.lower is None or base > self.lower) and (self.upper is None or base <= self.upper)


@dataclass(frozen=True)
class Calculation:
    """The monthly amount due by the rules, and which rule gave it."""

    amount: Decimal
    category: str
    base: Decimal | None
    rate: Decimal | None
    bracket: str
    citation: str
    rule_set_id: int
    rule_set_name: str
    rule_set_version: str
    capped: bool
    standard_amount: Decimal  # before the cap (equal to amount when not capped)

    @property
    def formula(self) -> str:
        """How the amount came about, for people: "基数 10,000.00 元 × 2% = 200.00 元" (issue 9, point 8),
        the cap when it applied, or the fixed monthly amount."""
        if self.rate is None or self.base is None:
            return _("固定金额：每月 %(amount)s 元") % {"amount": yuan(self.amount)}
        percent = format((self.rate * 100).normalize(), "f")
        text = _("基数 %(base)s 元 × %(percent)s%% = %(amount)s 元") % {
            "base": yuan(self.base), "percent": percent, "amount": yuan(self.standard_amount)}
        if self.capped:
            text += _("，按每月上限 %(cap)s 元") % {"cap": yuan(self.amount)}
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": str(self.amount),
            "rate": None if self.rate is None else str(self.rate.normalize()),
            "category": self.category,
            "base": None if self.base is None else str(self.base),
            "bracket": self.bracket,
            "citation": self.citation,
            "rule_set": {"name": self.rule_set_name, "version": self.rule_set_version},
            "capped": self.capped,
        }


@dataclass(frozen=True)
class RuleBook:
    """A rule set compiled for calculation: settings plus brackets per category."""

    rule_set_id: int
    name: str
    version: str
    base_mode: str
    rounding_step: Decimal
    rounding_mode: str
    monthly_cap: Decimal | None
    large_payment_threshold: Decimal
    arrears_warn_months: int
    arrears_severe_months: int
    arrears_limit_months: int
    brackets: dict[str, tuple[Bracket, ...]] = field(default_factory=dict)

    def categories(self) -> list[str]:
        return [c for c in DuesCategory.values if c in self.brackets]

    def is_fixed(self, category: str) -> bool:
        rows = self.brackets.get(category, ())
        return bool(rows) and rows[0].fixed_amount is not None

    def bracket_for(self, category: str, base: Decimal | None) -> Bracket:
        rows = self.brackets.get(category)
        if not rows:
            raise DomainError.one(DuesError.CATEGORY_UNKNOWN, "category",
                                  _("人员类别“%(c)s”在党费标准 %(v)s 中没有规定") % {"c": category, "v": self.version})
        if rows[0].fixed_amount is not None:
            return rows[0]
        if base is None:
            raise DomainError.one(DuesError.BASE_REQUIRED, "base", _("该类别按基数计算，请填写月基数"))
        for bracket in rows:
            if bracket.contains(base):
                return bracket
        raise DomainError.one(DuesError.RULE_SET_INVALID, "base",  # a gap in the brackets: data error
                              _("党费标准 %(v)s 没有覆盖基数 %(b)s 的档次") % {"v": self.version, "b": base})

    def amount(self, category: str, base: Decimal | None) -> tuple[Decimal, Decimal | None, bool, Bracket]:
        """(amount, rate, capped, bracket) for one month: the arithmetic of :meth:`calculate` without
        building a result object (bill generation calls it a million times). Fixed categories ignore the
        base; percentages apply to the whole base, rounded per the rule set, then limited by the monthly
        cap (DOMAIN §1 "Monthly cap")."""
        bracket = self.bracket_for(category, base)
        if bracket.fixed_amount is not None:
            return quantize_money(bracket.fixed_amount), None, False, bracket
        standard = round_money(base * bracket.rate, self.rounding_step, self.rounding_mode)  # type: ignore[operator]
        if self.monthly_cap is not None and standard > self.monthly_cap:
            return quantize_money(self.monthly_cap), bracket.rate, True, bracket
        return standard, bracket.rate, False, bracket

    def calculate(self, category: str, base: Decimal | None) -> Calculation:
        """The monthly amount with the rule that gave it (see :meth:`amount`)."""
        amount, _rate, capped, bracket = self.amount(category, base)
        standard = amount
        if capped:
            standard = round_money(base * bracket.rate, self.rounding_step, self.rounding_mode)  # type: ignore[operator]
        return self._result(category, base, bracket, amount, standard, capped=capped)

    def _result(self, category, base, bracket, amount, standard, *, capped) -> Calculation:
        return Calculation(
            amount=amount,
            category=category,
            base=None if bracket.fixed_amount is not None else base,
            rate=bracket.rate,
            bracket=bracket.label,
            citation=bracket.citation,
            rule_set_id=self.rule_set_id,
            rule_set_name=self.name,
            rule_set_version=self.version,
            capped=capped,
            standard_amount=standard,
        )


def compile_rule_set(rule_set: DuesRuleSet) -> RuleBook:
    """Two queries at most (the brackets; the rule set is given)."""
    by_category: dict[str, list[Bracket]] = {}
    for row in rule_set.brackets.all().order_by("category", "lower"):
        by_category.setdefault(row.category, []).append(
            Bracket(row.category, row.lower, row.upper, row.rate, row.fixed_amount, row.label, row.citation)
        )
    for rows in by_category.values():
        rows.sort(key=lambda b: (b.lower is not None, b.lower or ZERO))
    return RuleBook(
        rule_set_id=rule_set.pk,
        name=rule_set.name,
        version=rule_set.version,
        base_mode=rule_set.base_mode,
        rounding_step=rule_set.rounding_step,
        rounding_mode=rule_set.rounding_mode,
        monthly_cap=rule_set.monthly_cap,
        large_payment_threshold=rule_set.large_payment_threshold,
        arrears_warn_months=rule_set.arrears_warn_months,
        arrears_severe_months=rule_set.arrears_severe_months,
        arrears_limit_months=rule_set.arrears_limit_months,
        brackets={c: tuple(rows) for c, rows in by_category.items()},
    )


def rule_book_for(on: dt.date) -> RuleBook:
    """The rule set in force on *on*, compiled; a field error on ``on`` when none is."""
    rule_set = DuesRuleSet.objects.in_force(on).first()
    if rule_set is None:
        raise DomainError.one(DuesError.NO_RULE_SET, "on", _("%(d)s 没有施行中的党费标准") % {"d": on})
    return compile_rule_set(rule_set)


def rule_book_in_force(on: dt.date | None = None) -> RuleBook | None:
    """The rule set in force on *on* (default today), compiled; None when none is. The rules are public
    regulations, the same for every reader."""
    rule_set = DuesRuleSet.objects.in_force(on or timezone.localdate()).first()
    return compile_rule_set(rule_set) if rule_set else None


def parse_category(value: Any) -> str:
    text = str(value or "").strip()
    if text not in DuesCategory.values:
        raise DomainError.one(DuesError.CATEGORY_UNKNOWN, "category",
                              _("未知的人员类别“%(c)s”，可选：%(all)s") % {"c": text, "all": "、".join(DuesCategory.values)})
    return text


def parse_base(value: Any, *, field_name: str = "base", required: bool = True) -> Decimal | None:
    """A monthly base in yuan: numeric, at most 2 decimals, not negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError.one(DuesError.BASE_REQUIRED, field_name, _("请填写月基数"))
        return None
    try:
        base = parse_money(value)
    except MoneyError as exc:
        raise DomainError.one(DuesError.BASE_INVALID, field_name,
                              _("基数须为数字，最多两位小数") if exc.code == "precision" else _("基数不是有效的金额"))
    if base < 0:
        raise DomainError.one(DuesError.BASE_NEGATIVE, field_name, _("基数不能为负数"))
    return base


def calculate(
    category: Any,
    base: Any = None,
    *,
    on: dt.date | None = None,
    rule_set: DuesRuleSet | RuleBook | None = None,
) -> Calculation:
    """Monthly dues for *category* and *base* under the rule set in force on *on* (default today).

    Raises :class:`DomainError` naming ``category`` or ``base`` for bad input. Both are checked
    (and both reported) before the rules are read.
    """
    errors: list[FieldError] = []
    cat = base_value = None
    try:
        cat = parse_category(category)
    except DomainError as exc:
        errors += exc.errors
    try:
        base_value = parse_base(base, required=False)
    except DomainError as exc:
        errors += exc.errors
    if errors:
        raise DomainError(errors)
    if isinstance(rule_set, RuleBook):
        book = rule_set
    elif rule_set is not None:
        book = compile_rule_set(rule_set)
    else:
        book = rule_book_for(on or timezone.localdate())
    return book.calculate(cat, base_value)


def apply_relief(amount: Decimal, kind: str | None, relief_amount: Decimal | None) -> Decimal:
    """Amount due after hardship relief: nothing when waived, at most the approved amount when reduced."""
    if kind == ReliefKind.WAIVE:
        return ZERO
    if kind == ReliefKind.REDUCE and relief_amount is not None:
        return min(amount, quantize_money(relief_amount))
    return amount
