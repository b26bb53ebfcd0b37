"""Calculations of the dues domain that read no data on behalf of a user (issue 8, point 7): what a
member owes this month, and how old and how serious arrears are. The selectors read (scoped by the
actor); these functions take what the selectors returned, or a member the caller already holds through
a scoped selector.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from dangjian.core.money import quantize_money
from dangjian.dues.choices import AlertLevel
from dangjian.dues.models import DuesProfile, DuesRelief
from dangjian.dues.periods import parse_period, period_of
from dangjian.dues.rules import Calculation, RuleBook, apply_relief, rule_book_in_force
from dangjian.members.models import Member

__all__ = ["ArrearsRow", "Due", "alert_level", "arrears_rows", "member_due"]


@dataclass(frozen=True)
class Due:
    """What a member owes for a month under the rules and any relief in force on *on*."""

    on: dt.date
    calculation: Calculation
    relief: DuesRelief | None
    amount: Decimal


def member_due(*, member: Member, profile: DuesProfile | None, on: dt.date | None = None) -> Due | None:
    """The monthly amount for *member* on day *on*: the rules in force that day (so the version of that
    month), the *profile*'s base, and a hardship relief when ``valid_from <= on <= valid_to`` (both days
    inclusive). None without a profile or a rule set. The caller holds *member* and *profile* through
    scoped selectors."""
    on = on or timezone.localdate()
    book = rule_book_in_force(on)
    if profile is None or book is None:
        return None
    calc = book.calculate(profile.category, profile.base_amount)
    relief = (
        DuesRelief.objects.filter(member=member, revoked_on__isnull=True, valid_from__lte=on, valid_to__gte=on)
        .order_by("-valid_from")
        .first()
    )
    amount = apply_relief(calc.amount, relief.kind, relief.amount) if relief else calc.amount
    return Due(on=on, calculation=calc, relief=relief, amount=amount)


def alert_level(age_months: int, book: RuleBook) -> str:
    """Alert for an oldest unpaid month *age_months* old (thresholds are rule-set data, DOMAIN §1
    "Non-payment for 6 months"): warn, severe, then the Constitution art. 9 limit."""
    if age_months >= book.arrears_limit_months:
        return AlertLevel.LIMIT
    if age_months >= book.arrears_severe_months:
        return AlertLevel.SEVERE
    if age_months >= book.arrears_warn_months:
        return AlertLevel.WARN
    return AlertLevel.NONE


@dataclass(frozen=True)
class ArrearsRow:
    member: Member
    unpaid_months: int
    oldest_unpaid: str
    age_months: int
    owed: Decimal
    level: str


def arrears_rows(members: list[Member], *, as_of: dt.date | None = None, book: RuleBook | None = None
                 ) -> list[ArrearsRow]:
    """Adds age and alert level to rows of :func:`~dangjian.dues.selectors.arrears_list` (no query when
    *book* is given)."""
    as_of = as_of or timezone.localdate()
    book = book or rule_book_in_force(as_of)
    current = period_of(as_of)
    out = []
    for m in members:
        age = parse_period(m.oldest_unpaid).months_until(current)
        out.append(ArrearsRow(m, m.unpaid_months, m.oldest_unpaid, age, quantize_money(m.owed),
                              alert_level(age, book) if book else AlertLevel.NONE))
    return out
