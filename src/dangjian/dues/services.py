"""Writes of the dues domain: validated, atomic, audited in the same transaction (STYLE §2).

Permission for every service here is ``dues.change`` on the member's branch (rule sets: a system-wide
grant). ``actor=None`` is the system (scheduled jobs, migrations, tests).
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import CENT, ZERO, MoneyError, parse_money, quantize_money
from dangjian.core.scoping import ScopeKind, path_range_q, resolver
from dangjian.core.text import normalize_text, text_problem
from dangjian.dues.choices import (
    BILLABLE_STATUSES,
    FLOATING_BASE_CATEGORIES,
    OPEN_BILL_STATUSES,
    BaseMode,
    BillStatus,
    DuesCategory,
    DuesPerm,
    PaymentChannel,
    ReliefKind,
    RoundingMode,
)
from dangjian.dues.errors import DuesError
from dangjian.dues.events import BillsGenerated, DuesProfileChanged, PaymentRecorded
from dangjian.dues.models import (
    DuesAllocation,
    DuesBill,
    DuesBracket,
    DuesPayment,
    DuesProfile,
    DuesRelief,
    DuesRuleSet,
)
from dangjian.dues.periods import parse_period, period_of
from dangjian.dues.rules import (
    RuleBook,
    apply_relief,
    compile_rule_set,
    parse_base,
    parse_category,
)
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

__all__ = [
    "BillRun",
    "bases_fix_year",
    "bills_generate",
    "bracket_update",
    "payment_record",
    "profile_set",
    "quarter_average",
    "reconciliation_export_record",
    "relief_approve",
    "relief_revoke",
    "rule_set_update",
]


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


# --------------------------------------------------------------------------------------------- profiles

@transaction.atomic
def profile_set(
    *,
    actor: Any,
    member: Member,
    category: Any,
    base: Any = None,
    quarter_incomes: Iterable[Any] | None = None,
    on: dt.date | None = None,
    reason: str = "",
) -> DuesProfile:
    """Sets a member's dues category and declares their monthly base as of *on* (default today).

    - Fixed-amount categories need no base. Self-employed members may give ``quarter_incomes``
      (three months) instead of a base.
    - 2017 annual mode (the rule set in force on *on*): a pay change is recorded as declared and
      takes effect at the next annual fixing; the first declaration of the year, a category change
      and floating-base categories (annual salary, self-employed) take effect at once.
    - 2008 monthly mode: the base moves at once.

    Permission: ``dues.change`` on the member's branch. Audit: ``dues.profile_set``.
    """
    today = timezone.localdate()
    on = on or today
    errors: list[FieldError] = []
    try:
        cat = parse_category(category)
    except DomainError as exc:
        errors += exc.errors
        cat = None
    base_value: Decimal | None = None
    try:
        if quarter_incomes is not None and cat == DuesCategory.SELF_EMPLOYED:
            base_value = quarter_average(quarter_incomes)
        else:
            base_value = parse_base(base, required=False)
    except DomainError as exc:
        errors += exc.errors
    if errors:
        raise DomainError(errors)
    _require_member(actor, member)
    book = _rule_book_on(on, "on")
    if book.is_fixed(cat):
        base_value = None
    elif base_value is None:
        book.bracket_for(cat, None)  # raises BASE_REQUIRED (or CATEGORY_UNKNOWN) naming the field
    else:
        book.bracket_for(cat, base_value)  # the category exists in the rules

    profile = DuesProfile.objects.select_for_update().filter(member=member).first()
    before = _profile_snapshot(profile)
    if profile is None:
        profile = DuesProfile(member=member)
    fixed_now = (
        profile.pk is None
        or book.base_mode == BaseMode.MONTHLY
        or cat != profile.category
        or cat in FLOATING_BASE_CATEGORIES
        or profile.base_year is None
        or profile.base_year < on.year
    )
    if fixed_now and profile.base_year is not None and profile.base_year < on.year:
        profile.previous_base = profile.base_amount
    profile.category = cat
    profile.declared_base = base_value
    profile.declared_on = on
    if fixed_now:
        profile.base_amount = base_value
        profile.base_year = on.year
    profile.full_clean(exclude=["member"])
    profile.save()
    record(actor=actor, action=AuditAction.DUES_PROFILE_SET, target=profile, org=member.org, before=before,
           after=_profile_snapshot(profile), reason=reason)
    events.publish(DuesProfileChanged(member_id=member.pk))
    return profile


@transaction.atomic
def bases_fix_year(*, actor: Any, year: int, org: Organization | None = None) -> int:
    """Annual base fixing (DOMAIN §1 "Salary change", Dues Notice 2017 §1(1)): every profile not yet
    fixed for *year* takes its declared base as the base for the year, in one UPDATE. Idempotent.

    Permission: ``dues.change`` (scoped). Audit: ``dues.bases_fix`` with the count.
    """
    if org is not None:
        require_org_in_scope(actor=actor, org=org, perm=DuesPerm.CHANGE)
    fixed = _fix_bases(_members_in_scope(actor, org), year)
    if fixed:
        record(actor=actor, action=AuditAction.DUES_BASES_FIXED, org=org, after={"year": year, "count": fixed})
    return fixed


def _fix_bases(members, year: int) -> int:
    return DuesProfile.objects.filter(member__in=members.values("pk"), base_year__lt=year).update(
        previous_base=F("base_amount"), base_amount=F("declared_base"), base_year=year, updated_at=timezone.now()
    )


def _members_in_scope(actor: Any, org: Organization | None):
    qs = Member.objects.all() if actor is None else Member.objects.for_actor(actor, DuesPerm.CHANGE)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    return qs


# --------------------------------------------------------------------------------------------- relief

def _next_higher_committee(member: Member) -> Organization | None:
    """The nearest committee (党委) above the member's branch: it approves hardship relief."""
    org = member.org
    prefixes = [org.path[:i] for i in range(Organization.steplen, len(org.path), Organization.steplen)]
    return (
        Organization.objects.filter(path__in=prefixes, org_type=OrgType.COMMITTEE).order_by("-depth").first()
    )


@transaction.atomic
def relief_approve(
    *,
    actor: Any,
    member: Member,
    kind: Any,
    valid_from: Any,
    valid_to: Any,
    approved_by: Organization,
    approved_on: Any,
    amount: Any = None,
    document: str = "",
    reason: str = "",
) -> DuesRelief:
    """Records a hardship reduction or waiver approved by the next-higher Party committee (DOMAIN §1,
    Dues Rules 2008 art. 7). ``amount`` is what the member pays a month while reduced.

    Permission: ``dues.change`` on the approving committee. Audit: ``dues.relief_approve``.
    """
    today = timezone.localdate()
    errors: list[FieldError] = []
    if kind not in ReliefKind.values:
        errors.append(FieldError(DuesError.RELIEF_KIND_INVALID, "kind", _("减免方式应为少交或免交")))
    value = ZERO
    if kind == ReliefKind.REDUCE:
        value = _money(amount, "amount", errors, positive=True, code_invalid=DuesError.RELIEF_AMOUNT_INVALID,
                       code_sign=DuesError.RELIEF_AMOUNT_INVALID)
    start = _date(valid_from, "valid_from", errors, today=today, not_future=False)
    end = _date(valid_to, "valid_to", errors, today=today, not_future=False)
    approved = _date(approved_on, "approved_on", errors, today=today)
    if start and end and end < start:
        errors.append(FieldError(DuesError.RELIEF_RANGE_INVALID, "valid_to", _("有效期截止日不能早于起始日")))
    expected = _next_higher_committee(member)
    if expected is None or approved_by is None or approved_by.pk != expected.pk:
        errors.append(FieldError(DuesError.RELIEF_APPROVER_INVALID, "approved_by",
                                 _("党费减免须由上一级党委批准（%(o)s）") % {"o": expected.name if expected else "—"}))
    if errors:
        raise DomainError(errors)
    _require_member(actor, member)
    require_org_in_scope(actor=actor, org=approved_by, perm=DuesPerm.CHANGE)
    overlap = DuesRelief.objects.filter(member=member, revoked_on__isnull=True, valid_from__lte=end,
                                        valid_to__gte=start).exists()
    if overlap:
        raise DomainError.one(DuesError.RELIEF_OVERLAP, "valid_from", _("与该党员已批准的减免有效期重叠"))
    relief = DuesRelief.objects.create(member=member, kind=kind, amount=value, valid_from=start, valid_to=end,
                                       approved_by=approved_by, approved_on=approved, document=document.strip(),
                                       reason=reason.strip())
    record(actor=actor, action=AuditAction.DUES_RELIEF_APPROVED, target=relief, org=member.org,
           after={"kind": kind, "amount": value, "valid_from": start, "valid_to": end,
                  "approved_by": approved_by.pk, "approved_on": approved, "document": relief.document},
           reason=reason)
    return relief


@transaction.atomic
def relief_revoke(*, actor: Any, relief: DuesRelief, on: dt.date, reason: str = "") -> DuesRelief:
    """Ends a relief early: it no longer applies from *on*. Bills already issued keep their amount.

    Permission: ``dues.change``. Audit: ``dues.relief_revoke``.
    """
    relief = DuesRelief.objects.select_for_update().select_related("member__org").get(pk=relief.pk)
    _require_member(actor, relief.member)
    relief.revoked_on = on
    relief.save(update_fields=["revoked_on", "updated_at"])
    record(actor=actor, action=AuditAction.DUES_RELIEF_REVOKED, target=relief, org=relief.member.org,
           after={"revoked_on": on}, reason=reason)
    return relief


# --------------------------------------------------------------------------------------------- bills

@dataclass(frozen=True)
class BillRun:
    period: str
    created: int
    without_profile: int
    bases_fixed: int
    rule_version: str


_BILL_COLUMNS = ("member_id", "org_id", "period", "category", "base_amount", "rate", "standard_amount", "capped",
                 "relief_id", "amount_due", "paid_amount", "status", "paid_on", "rule_set_id", "rule_version",
                 "created_at")


def _lock_period(period: str) -> None:
    """Serialises runs for one month (PostgreSQL advisory lock, released at commit): a second run waits,
    then sees the first one's bills and skips those members. SQLite transactions are serial anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"dues.bills:{period}".encode())])


def _insert_bills(rows: list[tuple]) -> int:
    """Writes a batch of bills. PostgreSQL: ``COPY`` (no model instances: ~10x faster than an INSERT with
    16 parameters a row, which is what makes a million bills fit the minute). Elsewhere: bulk_create."""
    if connection.vendor == "postgresql":
        columns = ", ".join(DuesBill._meta.get_field(name).column for name in _BILL_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {DuesBill._meta.db_table} ({columns}) FROM STDIN"  # names from the model, not input
        ) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        DuesBill.objects.bulk_create([DuesBill(**dict(zip(_BILL_COLUMNS, row, strict=True))) for row in rows],
                                     ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def bills_generate(
    *,
    actor: Any,
    period: Any,
    org: Organization | None = None,
    today: dt.date | None = None,
    batch_size: int = 10000,
) -> BillRun:
    """Issues the month's bill to every billable member (in *org*'s subtree when given) who has none.

    Idempotent: a member has at most one bill per period (unique constraint) and members already
    billed are skipped, so a rerun creates nothing; concurrent runs for a month are serialised.
    Streams members in batches (one query to read, one COPY/INSERT per batch; no per-member query). The rule set is the one in force on the period's
    first day; hardship relief applies when it covers that day. Probationary members are billed from
    the month of their admission (``joined_on``; DOMAIN §1 "Probationary members"). Members without a
    dues profile are counted, not billed. In annual mode, profiles not yet fixed for the year are
    fixed first (:func:`bases_fix_year`).

    Permission: ``dues.change`` (scoped). Audit: ``dues.bills_generate`` (one entry per run).
    Event: ``dues.bills_generated``.
    """
    p = parse_period(period)
    today = today or timezone.localdate()
    if p > period_of(today):
        raise DomainError.one(DuesError.PERIOD_IN_FUTURE, "period", _("不能为未来的月份生成账单"))
    if org is not None:
        require_org_in_scope(actor=actor, org=org, perm=DuesPerm.CHANGE)
    book = _rule_book_on(p.first_day, "period")
    _lock_period(str(p))
    members = _members_in_scope(actor, org).filter(status__in=BILLABLE_STATUSES, joined_on__lte=p.last_day)
    bases_fixed = _fix_bases(members, p.year) if book.base_mode == BaseMode.ANNUAL else 0
    pending = members.exclude(Exists(DuesBill.objects.filter(member_id=OuterRef("pk"), period=str(p))))
    without_profile = pending.filter(dues_profile__isnull=True).count()

    relief_qs = DuesRelief.objects.filter(revoked_on__isnull=True, valid_from__lte=p.first_day,
                                          valid_to__gte=p.first_day, member__in=members.values("pk"))
    reliefs = {m: (pk, kind, amount) for pk, m, kind, amount in
               relief_qs.values_list("pk", "member_id", "kind", "amount")}
    rows = (
        pending.filter(dues_profile__isnull=False)
        .order_by("pk")
        .values_list("pk", "org_id", "dues_profile__category", "dues_profile__base_amount",
                     "dues_profile__base_year", "dues_profile__previous_base")
    )
    period_text = str(p)
    now = timezone.now()
    # a late bill for last year, issued after this year's fixing, uses last year's base (annual mode)
    late_year = p.year + 1 if book.base_mode == BaseMode.ANNUAL else None
    floating = frozenset(str(c) for c in FLOATING_BASE_CATEGORIES)
    cache: dict[tuple[str, Decimal | None], tuple] = {}
    fixed = {c for c in book.categories() if book.is_fixed(c)}
    unpaid, waived, settled = BillStatus.UNPAID.value, BillStatus.WAIVED.value, BillStatus.PAID.value
    batch: list[tuple] = []
    created = 0
    for member_id, org_id, category, base, base_year, previous in rows.iterator(chunk_size=batch_size):
        if category in fixed:
            base = None
        elif base_year == late_year and previous is not None and category not in floating:
            base = previous
        key = (category, base)
        result = cache.get(key)
        if result is None:
            if len(cache) > 100_000:
                cache.clear()
            result = cache[key] = book.amount(category, base)
        amount, rate, capped, _bracket = result
        relief = reliefs.get(member_id)
        due = apply_relief(amount, relief[1], relief[2]) if relief else amount
        status = unpaid if due > 0 else (waived if relief else settled)
        # order: _BILL_COLUMNS
        batch.append((member_id, org_id, period_text, category, base, rate, amount, capped,
                      relief[0] if relief else None, due, ZERO, status, None, book.rule_set_id, book.version, now))
        if len(batch) >= batch_size:
            created += _insert_bills(batch)
            batch = []
    if batch:
        created += _insert_bills(batch)
    run = BillRun(period=period_text, created=created, without_profile=without_profile, bases_fixed=bases_fixed,
                  rule_version=book.version)
    record(actor=actor, action=AuditAction.DUES_BILLS_GENERATED, org=org,
           after={"period": period_text, "org": org.pk if org else None, "created": created,
                  "without_profile": without_profile, "bases_fixed": bases_fixed, "rule_version": book.version})
    events.publish(BillsGenerated(period=period_text, org_ids=(org.pk,) if org else (), created=created))
    return run


# --------------------------------------------------------------------------------------------- payments

def _payment_matches(payment: DuesPayment, member: Member, amount: Decimal, extra: Decimal) -> bool:
    return payment.member_id == member.pk and payment.amount == amount and payment.voluntary_extra == extra


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
    problem = text_problem(ref)
    if not ref:
        errors.append(FieldError(DuesError.REFERENCE_REQUIRED, "reference", _("请填写缴费流水号")))
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


# --------------------------------------------------------------------------------------------- exports

@transaction.atomic
def reconciliation_export_record(*, actor: Any, month: Any, org: Organization | None, fmt: str) -> None:
    """Records that finance data (payments of a month) left the system. Audit: ``dues.export``."""
    p = parse_period(month, field="month")
    record(actor=actor, action=AuditAction.DUES_EXPORTED, org=org,
           after={"month": str(p), "org": org.pk if org else None, "format": fmt})
