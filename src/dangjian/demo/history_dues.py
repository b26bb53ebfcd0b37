"""The demo's dues history: profiles with bases, a year of monthly bills and the payments of most members.

- profiles: every billable member gets a category (retirees' branches 离退休, else 在职) and a base in
  the range their category pays on; each row is checked against the rule set in force exactly as
  ``dues.services.profile_set`` checks it (``RuleBook.bracket_for``), written in bulk, one audit entry
  (``dues.profile_bulk_set``) per batch;
- bills: ``dues.services.bills_generate`` itself, once per month of the last twelve (it streams and
  writes in bulk, and is the only place bill amounts are computed);
- payments: most members paid every past month on a day of that month (the current month: about
  half so far); about one in sixty has stopped paying 3–7 months ago, and a few are a month behind.
  Each payment settles exactly the outstanding amount of one open bill — the case
  ``payment_record`` accepts — with a unique channel reference; written in bulk with its allocation
  and the bill settled, one audit entry (``dues.payment_bulk_record``) per batch.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.demo.writer import allocate_ids, insert_rows, stored_datetime
from dangjian.dues.choices import (
    BILLABLE_STATUSES,
    OPEN_BILL_STATUSES,
    BillStatus,
    DuesCategory,
    PaymentChannel,
)
from dangjian.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesProfile
from dangjian.dues.periods import Period, period_of
from dangjian.dues.rules import rule_book_in_force
from dangjian.dues.services import bills_generate
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member

__all__ = ["ARREARS_SHARE", "DuesHistory", "write_dues_history"]

BILL_MONTHS = 12
ARREARS_SHARE = 1 / 60      # members who stopped paying 3–7 months ago
BEHIND_SHARE = 0.04         # members a month behind (not yet an alert)
_PROFILE_COLUMNS = ("id", "created_at", "updated_at", "member_id", "category", "declared_base", "declared_on",
                    "base_amount", "base_year", "previous_base")
_PAYMENT_COLUMNS = ("id", "member_id", "org_id", "channel", "reference", "amount", "voluntary_extra", "is_large",
                    "paid_on", "recorded_by_id", "note", "created_at")
_ALLOCATION_COLUMNS = ("id", "payment_id", "bill_id", "amount")
_CHANNELS = (PaymentChannel.WECHAT, PaymentChannel.PAYROLL, PaymentChannel.ONLINE, PaymentChannel.ALIPAY,
             PaymentChannel.BANK, PaymentChannel.CASH)

Progress = Callable[[str, int, int], None]


@dataclass
class DuesHistory:
    profiles: int = 0
    bills: int = 0
    payments: int = 0
    members_in_arrears: int = 0
    audit_entries: int = 0
    periods: list[str] = field(default_factory=list)


def _member_rng(seed: int, member_key: str) -> random.Random:
    # keyed by who the member is (branch, name, birth date), never a database key or a keyed hash: the same
    # for a seed on any database and installation
    return random.Random(f"dangjian-demo:{seed}:dues:{member_key}")


def write_profiles(*, seed: int, today: dt.date, audit: Callable[[str, dict], None], batch_size: int,
                   result: DuesHistory) -> None:
    book = rule_book_in_force(today)
    if book is None:
        return
    now = stored_datetime(timezone.now())
    declared_on = today.replace(month=1, day=1)
    members = (Member.objects.filter(status__in=BILLABLE_STATUSES, dues_profile__isnull=True).order_by("pk")
               .values_list("pk", "org__code", "name", "birth_date", "org__name"))
    batch: list[tuple] = []

    def flush() -> None:
        ids = allocate_ids(DuesProfile, len(batch))
        insert_rows(DuesProfile, _PROFILE_COLUMNS, [(pk, now, now, *row) for pk, row in zip(ids, batch, strict=True)])
        result.profiles += len(batch)
        audit(AuditAction.DUES_PROFILES_BULK_SET, {"count": len(batch), "first_id": ids[0], "last_id": ids[-1]})
        result.audit_entries += 1
        batch.clear()

    for member_id, org_code, name, birth, org_name in members.iterator(chunk_size=5000):
        rng = _member_rng(seed, f"{org_code}:{name}:{birth}")
        retired = "离退休" in org_name
        category = DuesCategory.RETIRED if retired else DuesCategory.IN_SERVICE
        if retired:
            base = Decimal(rng.randrange(2600, 8000, 10))
        else:
            base = Decimal(rng.randrange(3500, 18000, 10))
        book.bracket_for(category, base)  # profile_set's check: the category exists, the base fits a bracket
        previous = (base * Decimal("0.97")).quantize(Decimal("1"))
        batch.append((member_id, str(category), base, declared_on, base, today.year, previous))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()


def write_bills(*, today: dt.date, result: DuesHistory, progress: Progress | None) -> None:
    current = period_of(today)
    for k in range(BILL_MONTHS - 1, -1, -1):
        period = current.add(-k)
        run = bills_generate(actor=None, period=str(period), today=today)
        result.bills += run.created
        result.periods.append(str(period))
        if progress:
            progress("bills", BILL_MONTHS - k, BILL_MONTHS)


def _pay_day(period: Period, rng: random.Random, today: dt.date) -> dt.date | None:
    day = period.first_day + dt.timedelta(days=rng.randint(2, 24))
    return day if day <= today else None


def write_payments(*, seed: int, today: dt.date, audit: Callable[[str, dict], None], batch_size: int,
                   result: DuesHistory) -> None:
    current = period_of(today)
    now = stored_datetime(timezone.now())
    bills = (DuesBill.objects.filter(status__in=OPEN_BILL_STATUSES, amount_due__gt=0).order_by("member_id", "period")
             .values_list("pk", "member_id", "org_id", "period", "amount_due", "paid_amount", "member__org__code",
                          "member__name", "member__birth_date"))
    payments: list[tuple] = []
    allocations: list[tuple[int, Decimal]] = []   # (bill, amount), parallel to payments
    settled: list[tuple[dt.date, int]] = []
    state: dict[str, object] = {"member": None, "stop": None, "rng": None}
    # members who lost contact pay nothing from that month on (issue #18)
    lost: dict[int, Period] = {}
    for member_id, lost_on in (Member.objects.filter(status=MemberStatus.LOST, status_changes__to_status=MemberStatus.LOST)
                               .values_list("pk", "status_changes__effective_on")):
        lost[member_id] = min(period_of(lost_on), lost.get(member_id, period_of(lost_on)))

    def flush() -> None:
        if not payments:
            return
        ids = allocate_ids(DuesPayment, len(payments))
        insert_rows(DuesPayment, _PAYMENT_COLUMNS, [(pk, *row) for pk, row in zip(ids, payments, strict=True)])
        allocation_ids = allocate_ids(DuesAllocation, len(allocations))
        insert_rows(DuesAllocation, _ALLOCATION_COLUMNS,
                    [(pk, payment, bill, amount)
                     for pk, payment, (bill, amount) in zip(allocation_ids, ids, allocations, strict=True)])
        table = connection.ops.quote_name(DuesBill._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET paid_amount = amount_due, status = %s, paid_on = %s WHERE id = %s",
                               [(BillStatus.PAID.value, day, bill) for day, bill in settled])
        result.payments += len(ids)
        audit(AuditAction.DUES_PAYMENTS_BULK_RECORDED, {"count": len(ids), "amount": str(sum(a for _b, a in allocations)),
                                           "first_id": ids[0], "last_id": ids[-1]})
        result.audit_entries += 1
        payments.clear()
        allocations.clear()
        settled.clear()

    for bill_id, member_id, org_id, period_text, due, paid, org_code, name, birth in bills.iterator(chunk_size=5000):
        if state["member"] != member_id:
            rng = _member_rng(seed, f"{org_code}:{name}:{birth}")
            roll = rng.random()
            if roll < ARREARS_SHARE:
                stop = current.add(-rng.randint(3, 7))   # the oldest unpaid month
                result.members_in_arrears += 1
            elif roll < ARREARS_SHARE + BEHIND_SHARE:
                stop = current.add(-1)
            else:
                stop = current if rng.random() < 0.5 else current.add(1)
            state.update(member=member_id, stop=min(stop, lost.get(member_id, stop)), rng=rng,
                         channel=rng.choice(_CHANNELS))
        rng = state["rng"]  # type: ignore[assignment]
        period = Period(int(period_text[:4]), int(period_text[5:7]))
        if period >= state["stop"]:  # type: ignore[operator]
            continue
        day = _pay_day(period, rng, today)  # type: ignore[arg-type]
        if day is None:
            continue
        amount = due - paid
        if amount <= 0:  # payment_record: a payment settles what is still owed, never more
            continue
        channel = str(state["channel"])
        payments.append((member_id, org_id, channel, f"DEMO{seed}-{member_id}-{period_text}", amount, Decimal(0),
                         False, day, None, "", now))
        allocations.append((bill_id, amount))
        settled.append((day, bill_id))
        if len(payments) >= batch_size:
            flush()
    flush()


def write_dues_history(*, seed: int, today: dt.date, audit: Callable[[str, dict], None], batch_size: int = 10_000,
                       progress: Progress | None = None) -> DuesHistory:
    """Profiles, twelve months of bills and the payments (see the module docstring)."""
    result = DuesHistory()
    write_profiles(seed=seed, today=today, audit=audit, batch_size=batch_size, result=result)
    write_bills(today=today, result=result, progress=progress)
    write_payments(seed=seed, today=today, audit=audit, batch_size=batch_size, result=result)
    return result
