"""Reads of the dues domain; every one takes the acting user and starts from a scoped queryset (STYLE §3)."""
from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from dangjian.core.money import ZERO, quantize_money
from dangjian.core.scoping import ScopeKind, get_for_actor, path_range_q, resolver
from dangjian.dues.choices import OPEN_BILL_STATUSES, AlertLevel, BillStatus, DuesPerm
from dangjian.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesProfile, DuesRelief, DuesRuleSet
from dangjian.dues.periods import Period, parse_period, period_of
from dangjian.dues.rules import RuleBook, rule_book_in_force
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

__all__ = [
    "RECONCILIATION_COLUMNS",
    "CollectionRate",
    "arrears_list",
    "bill_list",
    "collection_rate",
    "collection_rates",
    "dues_can_change",
    "dues_manages",
    "dues_member_get",
    "member_outstanding",
    "my_member",
    "payment_list",
    "profile_of",
    "reconciliation_rows",
    "relief_list",
    "rule_set_list",
]

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def rule_set_list(*, actor: Any) -> QuerySet[DuesRuleSet]:
    """Every version of the dues rules, newest first, with its brackets. The rules are public regulations:
    every signed-in user reads them (the calculator); nobody else."""
    if not getattr(actor, "is_authenticated", False):
        return DuesRuleSet.objects.none()
    return DuesRuleSet.objects.prefetch_related("brackets").order_by("-effective_from")


def dues_member_get(*, actor: Any, pk: Any, perm: str = DuesPerm.VIEW) -> Member:
    """A member whose dues the actor may see (their own record included); 404 otherwise."""
    return get_for_actor(Member.objects.select_related("org"), actor, perm, pk=pk)


def dues_can_change(*, actor: Any, member: Member) -> bool:
    """Whether *actor* may record payments and set the profile of *member* (``dues.change`` in scope)."""
    return Member.objects.for_actor(actor, DuesPerm.CHANGE).filter(pk=member.pk).exists()


def dues_manages(*, actor: Any) -> bool:
    """Whether *actor* looks after other members' dues (``dues.view`` beyond their own record, or
    ``dues.change`` anywhere): they land on the bills; a plain member lands on their own dues."""
    if resolver().has_perm_anywhere(actor, DuesPerm.CHANGE):
        return True
    return any(grant.kind != ScopeKind.SELF for grant in resolver().grants(actor, DuesPerm.VIEW))


def my_member(*, actor: Any) -> Member | None:
    """The member record linked to *actor*'s account (always visible to its owner, STYLE §4), or None."""
    if not getattr(actor, "pk", None):
        return None
    return Member.objects.for_actor(actor, DuesPerm.VIEW).filter(user=actor).select_related("org").first()


def member_outstanding(*, actor: Any, member: Member, as_of: dt.date | None = None) -> tuple[Decimal, int]:
    """What *member* still owes on the bills up to the month of *as_of* (default today), and for how many
    months, as far as the actor sees them (the member's own included). One aggregate query."""
    current = str(period_of(as_of or timezone.localdate()))
    row = (DuesBill.objects.for_actor(actor, DuesPerm.VIEW)
           .filter(member=member, status__in=OPEN_BILL_STATUSES, period__lte=current)
           .aggregate(owed=Coalesce(Sum(F("amount_due") - F("paid_amount"), output_field=_MONEY), Value(ZERO),
                                    output_field=_MONEY), months=Count("pk")))
    return quantize_money(row["owed"]), row["months"]


def profile_of(*, actor: Any, member: Member, perm: str = DuesPerm.VIEW) -> DuesProfile | None:
    """The member's dues profile when the actor may see it (their own included), else None."""
    return DuesProfile.objects.for_actor(actor, perm).filter(member=member).first()


def bill_list(
    *,
    actor: Any,
    org: Organization | None = None,
    period: str | None = None,
    status: str | None = None,
    member: Member | None = None,
    member_id: int | None = None,
    perm: str = DuesPerm.VIEW,
) -> QuerySet[DuesBill]:
    qs = DuesBill.objects.for_actor(actor, perm)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    if period:
        qs = qs.filter(period=str(parse_period(period)))
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member=member)
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    return qs.select_related("member", "org")


def payment_list(*, actor: Any, org: Organization | None = None, member: Member | None = None,
                 perm: str = DuesPerm.VIEW) -> QuerySet[DuesPayment]:
    qs = DuesPayment.objects.for_actor(actor, perm)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    if member is not None:
        qs = qs.filter(member=member)
    return qs.select_related("member")


def relief_list(*, actor: Any, member: Member | None = None, perm: str = DuesPerm.VIEW) -> QuerySet[DuesRelief]:
    qs = DuesRelief.objects.for_actor(actor, perm)
    if member is not None:
        qs = qs.filter(member=member)
    return qs.select_related("approved_by")


# ------------------------------------------------------------------------------------------ arrears

_LEVEL_THRESHOLD = {
    AlertLevel.WARN: "arrears_warn_months",
    AlertLevel.SEVERE: "arrears_severe_months",
    AlertLevel.LIMIT: "arrears_limit_months",
}


def arrears_list(
    *,
    actor: Any,
    org: Organization | None = None,
    as_of: dt.date | None = None,
    min_level: str | None = None,
    book: RuleBook | None = None,
) -> QuerySet[Member]:
    """Members with open bills up to the month of *as_of*, annotated in one grouped query with
    ``unpaid_months`` (open bills), ``oldest_unpaid`` (``YYYY-MM``) and ``owed`` (yuan).

    ``min_level`` keeps only members whose oldest unpaid month is at least that alert level's age:
    the age of a month is the whole months from it to the month of *as_of* (a bill of March is
    3 months old in June). Ordered by member pk (keyset pagination).
    """
    as_of = as_of or timezone.localdate()
    current = period_of(as_of)
    open_q = Q(dues_bills__status__in=OPEN_BILL_STATUSES, dues_bills__period__lte=str(current))
    qs = Member.objects.for_actor(actor, DuesPerm.VIEW)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    qs = qs.filter(open_q).annotate(
        unpaid_months=Count("dues_bills", filter=open_q),
        oldest_unpaid=Min("dues_bills__period", filter=open_q),
        owed=Coalesce(Sum(F("dues_bills__amount_due") - F("dues_bills__paid_amount"), filter=open_q,
                          output_field=_MONEY), Value(ZERO), output_field=_MONEY),
    )
    if min_level and min_level != AlertLevel.NONE:
        book = book or rule_book_in_force(as_of)
        if book is not None:
            months = getattr(book, _LEVEL_THRESHOLD[min_level])
            qs = qs.filter(oldest_unpaid__lte=str(current.add(-months)))
    return qs.select_related("org").order_by("pk")


# ------------------------------------------------------------------------------------------ collection

@dataclass(frozen=True)
class CollectionRate:
    period: str
    bills: int
    paid_bills: int
    due: Decimal
    paid: Decimal

    @property
    def rate(self) -> Decimal | None:
        """Collected share of the amount due (0–1, 4 places); None when nothing was due."""
        if not self.due:
            return None
        return (self.paid / self.due).quantize(Decimal("0.0001"))


def _rate_aggregates(prefix: str = "", condition: Q | None = None) -> dict[str, Any]:
    cond = condition if condition is not None else Q()
    settled = Q(status__in=[BillStatus.PAID, BillStatus.WAIVED])
    return {
        f"{prefix}bills": Count("pk", filter=cond),
        f"{prefix}paid_bills": Count("pk", filter=cond & settled),
        f"{prefix}due": Coalesce(Sum("amount_due", filter=cond), Value(ZERO), output_field=_MONEY),
        f"{prefix}paid": Coalesce(Sum("paid_amount", filter=cond), Value(ZERO), output_field=_MONEY),
    }


def collection_rate(*, actor: Any, org: Organization | None, period: Any) -> CollectionRate:
    """Collection for *org*'s subtree (None: all the actor sees) in one month, in ONE aggregate query
    over the scoped bills."""
    p = str(parse_period(period))
    qs = DuesBill.objects.for_actor(actor, DuesPerm.VIEW).filter(period=p)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    row = qs.aggregate(**_rate_aggregates())
    return CollectionRate(p, row["bills"], row["paid_bills"], quantize_money(row["due"]), quantize_money(row["paid"]))


def collection_rates(*, actor: Any, orgs: list[Organization], period: Any) -> dict[int, CollectionRate]:
    """:func:`collection_rate` for several orgs (e.g. the children on an org page) in ONE query: siblings
    (the usual case) are grouped by their path prefix; orgs at mixed depths use conditional sums."""
    p = str(parse_period(period))
    if not orgs:
        return {}
    any_q = Q(pk__in=[])
    for o in orgs:
        any_q |= path_range_q("org__path", o.path)
    base = DuesBill.objects.for_actor(actor, DuesPerm.VIEW).filter(any_q, period=p)
    empty = CollectionRate(p, 0, 0, ZERO, ZERO)
    if len({o.depth for o in orgs}) == 1:
        by_prefix = {o.path: o.pk for o in orgs}
        out = dict.fromkeys(by_prefix.values(), empty)
        rows = (
            base.annotate(prefix=Substr("org__path", 1, len(orgs[0].path)))
            .values("prefix")
            .annotate(**_rate_aggregates())
            .order_by()
            .values_list("prefix", "bills", "paid_bills", "due", "paid")
        )
        for prefix, bills, paid_bills, due, paid in rows:
            if prefix in by_prefix:
                out[by_prefix[prefix]] = CollectionRate(p, bills, paid_bills, quantize_money(due), quantize_money(paid))
        return out
    aggregates: dict[str, Any] = {}
    for o in orgs:
        aggregates.update(_rate_aggregates(f"o{o.pk}_", path_range_q("org__path", o.path)))
    row = base.aggregate(**aggregates)
    return {
        o.pk: CollectionRate(p, row[f"o{o.pk}_bills"], row[f"o{o.pk}_paid_bills"],
                             quantize_money(row[f"o{o.pk}_due"]), quantize_money(row[f"o{o.pk}_paid"]))
        for o in orgs
    }


# ------------------------------------------------------------------------------------------ reconciliation

RECONCILIATION_COLUMNS = ("党员", "所在支部", "所属月份", "应交金额", "本笔缴纳", "自愿多交", "流水号", "缴费渠道",
                          "缴纳日期", "大额党费")


def reconciliation_rows(
    *,
    actor: Any,
    month: Any,
    org: Organization | None = None,
    chunk_size: int = 2000,
) -> Iterator[tuple]:
    """Finance reconciliation for payments received in *month*: one row per bill a payment settled
    (member, branch, period, due, paid, extra, reference, channel, date, large flag) and one row for
    each voluntary part. Streams in primary-key order; scoped to the actor's ``dues.view``.
    """
    p: Period = parse_period(month, field="month")
    payments = DuesPayment.objects.for_actor(actor, DuesPerm.VIEW).filter(
        paid_on__gte=p.first_day, paid_on__lte=p.last_day
    )
    if org is not None:
        payments = payments.filter(path_range_q("org__path", org.path))
    labels = {value: str(label) for value, label in DuesPayment._meta.get_field("channel").choices}
    head = ("payment__member__name", "payment__org__name", "payment__reference", "payment__channel",
            "payment__paid_on", "payment__is_large")
    settled = (
        DuesAllocation.objects.filter(payment__in=payments.values("pk"))
        .order_by("payment_id", "bill__period")
        .values_list("payment_id", *head, "bill__period", "bill__amount_due", "amount")
        .iterator(chunk_size=chunk_size)
    )
    voluntary = (
        payments.filter(voluntary_extra__gt=0)
        .order_by("pk")
        .values_list("pk", "member__name", "org__name", "reference", "channel", "paid_on", "is_large",
                     "voluntary_extra")
        .iterator(chunk_size=chunk_size)
    )
    bill_rows = ((pk, 0, (name, org_name, period, due, amount, ZERO, ref, channel, day, large))
                 for pk, name, org_name, ref, channel, day, large, period, due, amount in settled)
    extra_rows = ((pk, 1, (name, org_name, "自愿多交", None, ZERO, extra, ref, channel, day, large))
                  for pk, name, org_name, ref, channel, day, large, extra in voluntary)
    for _pk, _kind, row in heapq.merge(bill_rows, extra_rows, key=lambda r: (r[0], r[1])):
        *first, channel, day, large = row
        yield (*first, labels.get(channel, channel), day, "是" if large else "否")
