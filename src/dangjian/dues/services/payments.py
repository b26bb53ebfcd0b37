"""Payments (缴费): recorded idempotently by reference, allocated to the oldest open bills."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import ZERO
from dangjian.core.text import normalize_text, text_problem
from dangjian.dues.choices import (
    OPEN_BILL_STATUSES,
    BillStatus,
    PaymentChannel,
)
from dangjian.dues.errors import DuesError
from dangjian.dues.events import PaymentRecorded
from dangjian.dues.models import (
    DuesAllocation,
    DuesBill,
    DuesPayment,
    DuesRuleSet,
)
from dangjian.dues.periods import parse_period
from dangjian.dues.services.common import _date, _money, _require_member
from dangjian.members.models import Member

# --------------------------------------------------------------------------------------------- payments

def _payment_matches(payment: DuesPayment, member: Member, amount: Decimal, extra: Decimal) -> bool:
    return payment.member_id == member.pk and payment.amount == amount and payment.voluntary_extra == extra


def _cash_receipt_number(member: Member, day: Any) -> str:
    """收据号 for cash paid without one: ``XJ<date>-<member id>-<n>``, n counting that member's numbered cash
    payments of the day (two recorded at once collide on the unique key and are answered as one)."""
    prefix = f"XJ{day:%Y%m%d}-{member.pk}-"
    taken = DuesPayment.objects.filter(channel=PaymentChannel.CASH, reference__startswith=prefix).count()
    return f"{prefix}{taken + 1}"


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    member: Member,
    amount: Any,
    reference: Any,
    channel: Any,
    paid_on: Any,
    periods: Iterable[Any] | None = None,
    voluntary_extra: Any = 0,
    note: str = "",
) -> DuesPayment:
    """Records money received from a member and settles their open bills, oldest first.

    - ``reference`` is the channel's transaction number, required except for cash, which gets a receipt
      number ``XJ<date>-<member id>-<n>`` when none is given.
    - Idempotent by (``channel``, ``reference``): posting the same payment again returns the first
      one (with ``replayed = True``) and writes nothing; the same reference with a different member
      or amount is refused.
    - ``amount`` is the total received; ``voluntary_extra`` the part given beyond the bills (no
      limit). The rest must not exceed what the chosen bills (``periods``, default all open ones)
      still owe. A voluntary part at or above the large-payment threshold of the rule set in force
      on ``paid_on`` flags the payment ``is_large`` (DOMAIN §1 "Voluntary extra").
    - Bills are locked with ``select_for_update`` in primary-key order (STYLE §8).

    Permission: ``dues.change`` on the member's branch. Audit: ``dues.payment_record``.
    Event: ``dues.payment_recorded``.
    """
    today = timezone.localdate()
    errors: list[FieldError] = []
    total = _money(amount, "amount", errors, positive=True, code_invalid=DuesError.AMOUNT_INVALID,
                   code_sign=DuesError.AMOUNT_NOT_POSITIVE)
    extra = _money(voluntary_extra if voluntary_extra not in (None, "") else 0, "voluntary_extra", errors,
                   positive=False, code_invalid=DuesError.EXTRA_INVALID, code_sign=DuesError.EXTRA_INVALID)
    ref = normalize_text(str(reference or "").strip())
    problem = text_problem(ref) if ref else None
    if not ref and channel != PaymentChannel.CASH:
        # cash has no channel reference: a receipt number is given below (issue 9, point 8)
        errors.append(FieldError(DuesError.REFERENCE_REQUIRED, "reference", _("非现金缴费请填写流水号")))
    elif len(ref) > DuesPayment._meta.get_field("reference").max_length:
        errors.append(FieldError(DuesError.REFERENCE_REQUIRED, "reference", _("流水号过长")))
    elif problem is not None:  # issue 7, defect 8: control/bidi characters, or nothing visible
        errors.append(FieldError(f"validation.text_{problem[0]}", "reference", problem[1]))
    if channel not in PaymentChannel.values:
        errors.append(FieldError(DuesError.CHANNEL_INVALID, "channel", _("未知的缴费渠道")))
    day = _date(paid_on, "paid_on", errors, today=today)
    wanted: list[str] | None = None
    if periods is not None:
        wanted = []
        for value in periods:
            try:
                wanted.append(str(parse_period(value, field="periods")))
            except DomainError as exc:
                errors += exc.errors
                break
    if total is not None and extra is not None and extra > total:
        errors.append(FieldError(DuesError.EXTRA_EXCEEDS_AMOUNT, "voluntary_extra", _("自愿多交部分不能超过缴纳金额")))
    if errors:
        raise DomainError(errors)
    assert total is not None and extra is not None and day is not None
    _require_member(actor, member)
    if not ref:
        ref = _cash_receipt_number(member, day)

    existing = DuesPayment.objects.filter(channel=channel, reference=ref).first()
    if existing is not None:
        if _payment_matches(existing, member, total, extra):
            existing.replayed = True
            return existing
        raise DomainError.one(DuesError.REFERENCE_CONFLICT, "reference", _("该流水号已用于另一笔缴费"))

    open_bills = DuesBill.objects.select_for_update().filter(member=member, status__in=OPEN_BILL_STATUSES)
    if wanted is not None:
        open_bills = open_bills.filter(period__in=wanted)
    bills = list(open_bills.order_by("pk"))  # lock order: pk (deadlock-free with other writers)
    if wanted is not None:
        missing = sorted(set(wanted) - {b.period for b in bills})
        if missing:
            raise DomainError.one(DuesError.BILL_NOT_FOUND, "periods",
                                  _("以下月份没有待缴账单：%(p)s") % {"p": "、".join(missing)})
    to_bills = total - extra
    owed = sum((b.amount_due - b.paid_amount for b in bills), ZERO)
    if to_bills > 0 and not bills:
        raise DomainError.one(DuesError.NOTHING_DUE, "amount",
                              _("没有待缴账单；如为自愿多交，请将金额填写为自愿多交部分"))
    if to_bills > owed:
        raise DomainError.one(DuesError.AMOUNT_EXCEEDS_DUE, "amount",
                              _("缴纳金额超出应交 %(o)s 元；多出部分请填写为自愿多交") % {"o": owed})
    threshold = (DuesRuleSet.objects.in_force(day).values_list("large_payment_threshold", flat=True).first())
    if threshold is None:
        raise DomainError.one(DuesError.NO_RULE_SET, "paid_on", _("%(d)s 没有施行中的党费标准") % {"d": day})

    try:
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                member=member, org_id=member.org_id, channel=channel, reference=ref, amount=total,
                voluntary_extra=extra, is_large=extra >= threshold, paid_on=day,
                recorded_by=actor if getattr(actor, "pk", None) else None, note=(note or "").strip()[:200],
            )
    except IntegrityError:  # the same reference committed concurrently: answer with that one
        existing = DuesPayment.objects.get(channel=channel, reference=ref)
        if _payment_matches(existing, member, total, extra):
            existing.replayed = True
            return existing
        raise DomainError.one(DuesError.REFERENCE_CONFLICT, "reference", _("该流水号已用于另一笔缴费"))

    remaining = to_bills
    touched: list[DuesBill] = []
    allocations: list[DuesAllocation] = []
    for bill in sorted(bills, key=lambda b: b.period):
        if remaining <= 0:
            break
        take = min(remaining, bill.amount_due - bill.paid_amount)
        if take <= 0:
            continue
        bill.paid_amount += take
        bill.status = BillStatus.PAID if bill.paid_amount >= bill.amount_due else BillStatus.PARTIAL
        bill.paid_on = day if bill.status == BillStatus.PAID else None
        remaining -= take
        touched.append(bill)
        allocations.append(DuesAllocation(payment=payment, bill=bill, amount=take))
    DuesBill.objects.bulk_update(touched, ["paid_amount", "status", "paid_on"])
    DuesAllocation.objects.bulk_create(allocations)
    record(actor=actor, action=AuditAction.DUES_PAYMENT_RECORDED, target=payment, org=member.org,
           after={"amount": total, "voluntary_extra": extra, "is_large": payment.is_large, "channel": channel,
                  "reference": ref, "paid_on": day, "periods": [b.period for b in touched]})
    payment.replayed = False
    events.publish(PaymentRecorded(payment_id=payment.pk, member_id=member.pk, org_ids=(member.org_id,)))
    return payment
