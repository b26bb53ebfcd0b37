"""Helpers shared by the dues services: scope checks, date and money fields, the rule book of a date."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import ZERO, MoneyError, parse_money, quantize_money
from dangjian.core.scoping import ScopeKind, path_range_q, resolver
from dangjian.dues.choices import (
    DuesPerm,
)
from dangjian.dues.errors import DuesError
from dangjian.dues.models import (
    DuesProfile,
    DuesRuleSet,
)
from dangjian.dues.rules import (
    RuleBook,
    compile_rule_set,
    parse_base,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

# --------------------------------------------------------------------------------------------- helpers

def _require_member(actor: Any, member: Member, perm: str = DuesPerm.CHANGE) -> None:
    """404 (not 403) when the member is outside the actor's scope: IDs cannot be probed (STYLE §4)."""
    if actor is None:
        return
    if not Member.objects.for_actor(actor, perm).filter(pk=member.pk).exists():
        raise Http404("not found")


def _require_global(actor: Any) -> None:
    if actor is None:
        return
    if not any(g.kind == ScopeKind.ALL for g in resolver().grants(actor, DuesPerm.CHANGE)):
        raise DomainError.one(DuesError.RULES_NEED_GLOBAL_SCOPE, None, _("只有全系统范围的党费管理权限可以修改党费标准"))


def _date(value: Any, field: str, errors: list[FieldError], *, today: dt.date, required: bool = True,
          not_future: bool = True) -> dt.date | None:
    if value is None or value == "":
        if required:
            errors.append(FieldError(DuesError.DATE_INVALID, field, _("请填写日期")))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(FieldError(DuesError.DATE_INVALID, field, _("日期格式应为 YYYY-MM-DD")))
            return None
    if not_future and value > today:
        errors.append(FieldError(DuesError.DATE_IN_FUTURE, field, _("日期不能晚于今天")))
    return value


def _money(value: Any, field: str, errors: list[FieldError], *, positive: bool, code_invalid: str,
           code_sign: str) -> Decimal | None:
    try:
        amount = parse_money(value)
    except MoneyError as exc:
        code = DuesError.AMOUNT_PRECISION if exc.code == "precision" else code_invalid
        errors.append(FieldError(code, field, exc.message))
        return None
    if (positive and amount <= 0) or (not positive and amount < 0):
        errors.append(FieldError(code_sign, field, _("金额必须大于零") if positive else _("金额不能为负数")))
        return None
    return amount


def _rule_book_on(on: dt.date, field: str) -> RuleBook:
    rule_set = DuesRuleSet.objects.in_force(on).first()
    if rule_set is None:
        raise DomainError.one(DuesError.NO_RULE_SET, field, _("%(d)s 没有施行中的党费标准") % {"d": on})
    return compile_rule_set(rule_set)


def quarter_average(incomes: Iterable[Any]) -> Decimal:
    """Self-employed base: the previous quarter's average monthly net income (DOMAIN §1, Dues Rules 2008
    art. 4), rounded to the cent. Exactly three monthly figures, none negative."""
    values = list(incomes)
    if len(values) != 3:
        raise DomainError.one(DuesError.QUARTER_INCOMES_INVALID, "quarter_incomes", _("请填写上一季度三个月的纯收入"))
    amounts = [parse_base(v, field_name="quarter_incomes") for v in values]
    return quantize_money(sum(amounts, ZERO) / 3)


def _profile_snapshot(profile: DuesProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "category": profile.category,
        "declared_base": profile.declared_base,
        "declared_on": profile.declared_on,
        "base_amount": profile.base_amount,
        "base_year": profile.base_year,
    }


def _fix_bases(members, year: int) -> int:
    return DuesProfile.objects.filter(member__in=members.values("pk"), base_year__lt=year).update(
        previous_base=F("base_amount"), base_amount=F("declared_base"), base_year=year, updated_at=timezone.now()
    )


def _members_in_scope(actor: Any, org: Organization | None):
    qs = Member.objects.all() if actor is None else Member.objects.for_actor(actor, DuesPerm.CHANGE)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    return qs
