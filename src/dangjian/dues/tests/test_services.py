"""Dues services: bills, base modes, relief, payments — exact values, audit rows, nothing half-written."""
import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.dues.calc import member_due
from dangjian.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesProfile, DuesRelief, DuesRuleSet
from dangjian.dues.services import (
    bases_fix_year,
    bills_generate,
    bracket_update,
    payment_record,
    profile_set,
    relief_approve,
    rule_set_update,
)

pytestmark = pytest.mark.django_db


def _errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def _bill(member, period):
    return DuesBill.objects.get(member=member, period=period)


def _counts():
    return (DuesBill.objects.count(), DuesPayment.objects.count(), DuesAllocation.objects.count(),
            AuditEntry.objects.count())


def _last_audit():
    return AuditEntry.objects.order_by("-seq").first()


# ------------------------------------------------------------------------------------------ bills

def test_bills_generate_issues_one_bill_per_member_with_rule_version_and_audit(dues_member):
    # given
    a = dues_member("A1", base="5000.00")
    b = dues_member("B1", base="5000.01")
    # when
    run = bills_generate(actor=None, period="2024-03")
    # then
    assert (run.created, run.without_profile, run.rule_version) == (2, 0, "2017")
    bill = _bill(a, "2024-03")
    assert (bill.amount_due, bill.rate, bill.status, bill.rule_version, bill.org_id) == (
        Decimal("50.00"), Decimal("0.0100"), "unpaid", "2017", a.org_id)
    assert _bill(b, "2024-03").amount_due == Decimal("75.00")
    entry = _last_audit()
    assert (entry.action, entry.after["period"], entry.after["created"]) == ("dues.bills_generate", "2024-03", 2)


def test_bills_generate_is_idempotent(dues_member):
    # given
    dues_member("A1")
    bills_generate(actor=None, period="2024-03")
    counts = _counts()
    # when
    run = bills_generate(actor=None, period="2024-03")
    # then
    assert run.created == 0
    assert _counts()[:3] == counts[:3]


def test_bills_generate_counts_members_without_profile_and_skips_inactive(dues_member, member_factory):
    # given
    dues_member("A1")
    member_factory("A1")  # no dues profile
    gone = dues_member("A1")
    gone.status = "deceased"
    gone.save(update_fields=["status"])
    # when
    run = bills_generate(actor=None, period="2024-03")
    # then
    assert (run.created, run.without_profile) == (1, 1)


def test_bills_generate_refuses_future_and_malformed_periods(dues_member):
    dues_member("A1")
    counts = _counts()
    with pytest.raises(DomainError) as exc:
        bills_generate(actor=None, period="2024-04", today=dt.date(2024, 3, 31))
    assert _errors(exc) == {("dues.period_in_future", "period")}
    with pytest.raises(DomainError) as exc:
        bills_generate(actor=None, period="2024-13")
    assert _errors(exc) == {("dues.period_invalid", "period")}
    assert _counts() == counts


def test_probationary_member_pays_from_the_admission_month(member_factory):
    # given: admitted by the branch meeting on 2024-03-20
    member = member_factory("A1", category="probationary", joined_on=dt.date(2024, 3, 20), full_member_on=None)
    profile_set(actor=None, member=member, category="in_service", base="3000", on=dt.date(2024, 3, 20))
    # when
    feb = bills_generate(actor=None, period="2024-02")
    mar = bills_generate(actor=None, period="2024-03")
    # then
    assert (feb.created, mar.created) == (0, 1)
    assert _bill(member, "2024-03").amount_due == Decimal("15.00")


def test_fixed_amount_category_bill(dues_member):
    farmer = dues_member("A1", category="farmer", base=None)
    bills_generate(actor=None, period="2024-03")
    bill = _bill(farmer, "2024-03")
    assert (bill.amount_due, bill.base_amount, bill.rate) == (Decimal("0.50"), None, None)


def test_capped_bill(dues_member):
    rich = dues_member("A1", base="60000")
    bills_generate(actor=None, period="2024-03")
    bill = _bill(rich, "2024-03")
    assert (bill.amount_due, bill.standard_amount, bill.capped) == (Decimal("1000.00"), Decimal("1000.00"), True)


# ------------------------------------------------------------------------------------------ base modes

def test_annual_mode_keeps_the_base_for_the_year_and_fixes_the_raise_next_january(dues_member):
    # given: 2017 rules (annual fixing); base 5000 fixed for 2024, a raise to 6000 declared in March
    member = dues_member("A1", base="5000", on=dt.date(2024, 1, 10))
    profile = profile_set(actor=None, member=member, category="in_service", base="6000", on=dt.date(2024, 3, 15))
    assert (profile.base_amount, profile.declared_base, profile.base_year) == (Decimal("5000.00"),
                                                                              Decimal("6000.00"), 2024)
    # when
    bills_generate(actor=None, period="2024-04")
    run = bills_generate(actor=None, period="2025-01")
    late = bills_generate(actor=None, period="2024-12")  # issued late, after the 2025 fixing
    # then
    assert _bill(member, "2024-04").amount_due == Decimal("50.00")
    assert (run.bases_fixed, _bill(member, "2025-01").amount_due) == (1, Decimal("90.00"))
    assert (late.created, _bill(member, "2024-12").amount_due) == (1, Decimal("50.00"))


def test_monthly_mode_moves_the_base_at_once(dues_member):
    # given: an administrator switched the 2017 rule set to the 2008 behaviour
    rule_set_update(actor=None, rule_set=DuesRuleSet.objects.get(version="2017"), base_mode="monthly")
    member = dues_member("A1", base="5000", on=dt.date(2024, 1, 10))
    # when
    profile_set(actor=None, member=member, category="in_service", base="6000", on=dt.date(2024, 3, 15))
    bills_generate(actor=None, period="2024-04")
    # then
    assert _bill(member, "2024-04").amount_due == Decimal("90.00")


def test_category_change_applies_at_once_in_annual_mode(dues_member):
    member = dues_member("A1", base="6000", on=dt.date(2024, 1, 10))
    profile_set(actor=None, member=member, category="retired", base="6000", on=dt.date(2024, 5, 1))
    bills_generate(actor=None, period="2024-06")
    assert _bill(member, "2024-06").amount_due == Decimal("60.00")


def test_bases_fix_year_is_idempotent_and_audited(dues_member):
    member = dues_member("A1", base="5000", on=dt.date(2024, 1, 10))
    profile_set(actor=None, member=member, category="in_service", base="6000", on=dt.date(2024, 3, 15))
    assert bases_fix_year(actor=None, year=2025) == 1
    assert bases_fix_year(actor=None, year=2025) == 0
    profile = DuesProfile.objects.get(member=member)
    assert (profile.base_amount, profile.base_year, profile.previous_base) == (Decimal("6000.00"), 2025,
                                                                              Decimal("5000.00"))
    assert (_last_audit().action, _last_audit().after) == ("dues.bases_fix", {"year": 2025, "count": 1})


def test_self_employed_base_is_the_previous_quarter_average(member_factory):
    member = member_factory("A1")
    profile = profile_set(actor=None, member=member, category="self_employed",
                          quarter_incomes=["3000", "4000", "5000.01"], on=dt.date(2024, 4, 1))
    assert profile.base_amount == Decimal("4000.00")


def test_profile_set_bad_input_names_fields_and_writes_nothing(member_factory):
    member = member_factory("A1")
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        profile_set(actor=None, member=member, category="soldier", base="abc")
    assert _errors(exc) == {("dues.category_unknown", "category"), ("dues.base_invalid", "base")}
    with pytest.raises(DomainError) as exc:
        profile_set(actor=None, member=member, category="in_service", base=None)
    assert _errors(exc) == {("dues.base_required", "base")}
    assert (DuesProfile.objects.count(), AuditEntry.objects.count()) == (0, audits)


# ------------------------------------------------------------------------------------------ relief

def _waive(member, tree, **over):
    data = {"actor": None, "member": member, "kind": "waive", "valid_from": dt.date(2024, 3, 1),
            "valid_to": dt.date(2024, 5, 31), "approved_by": tree["A"], "approved_on": dt.date(2024, 2, 20),
            "document": "甲党委〔2024〕3号"}
    data.update(over)
    return relief_approve(**data)


@pytest.mark.parametrize(
    ("_case", "on", "amount", "relieved"),
    [
        ("day_before_start", dt.date(2024, 2, 29), "50.00", False),
        ("first_day", dt.date(2024, 3, 1), "0.00", True),
        ("day_after_start", dt.date(2024, 3, 2), "0.00", True),
        ("day_before_end", dt.date(2024, 5, 30), "0.00", True),
        ("last_day", dt.date(2024, 5, 31), "0.00", True),
        ("day_after_end", dt.date(2024, 6, 1), "50.00", False),
    ],
)
def test_waiver_applies_inside_its_validity_only(tree, dues_member, _case, on, amount, relieved):
    member = dues_member("A1", base="5000")
    _waive(member, tree)
    due = member_due(member=member, profile=DuesProfile.objects.get(member=member), on=on)
    assert (str(due.amount), due.relief is not None) == (amount, relieved)


def test_reduction_caps_the_amount_and_bills_follow_the_validity(tree, dues_member):
    # given: reduced to 10 yuan a month from March to May
    member = dues_member("A1", base="5000")
    relief = _waive(member, tree, kind="reduce", amount="10")
    # when
    for period in ("2024-02", "2024-03", "2024-05", "2024-06"):
        bills_generate(actor=None, period=period)
    # then
    amounts = [(b.period, str(b.amount_due), b.relief_id) for b in DuesBill.objects.order_by("period")]
    assert amounts == [("2024-02", "50.00", None), ("2024-03", "10.00", relief.pk),
                       ("2024-05", "10.00", relief.pk), ("2024-06", "50.00", None)]
    entry = _last_audit()
    assert entry.action == "dues.bills_generate"
    assert AuditEntry.objects.filter(action="dues.relief_approve", target_id=str(relief.pk)).count() == 1


def test_waived_bill_is_settled_at_issue(tree, dues_member):
    member = dues_member("A1", base="5000")
    _waive(member, tree)
    bills_generate(actor=None, period="2024-03")
    bill = _bill(member, "2024-03")
    assert (bill.amount_due, bill.standard_amount, bill.status) == (Decimal("0.00"), Decimal("50.00"), "waived")


@pytest.mark.parametrize(
    ("_case", "over", "expected"),
    [
        ("branch_cannot_approve", {"approved_by": "A1"}, {("dues.relief_approver_invalid", "approved_by")}),
        ("two_levels_up", {"approved_by": "G"}, {("dues.relief_approver_invalid", "approved_by")}),
        ("end_before_start", {"valid_to": dt.date(2024, 2, 1)}, {("dues.relief_range_invalid", "valid_to")}),
        ("reduce_without_amount", {"kind": "reduce"}, {("dues.relief_amount_invalid", "amount")}),
        ("bad_kind", {"kind": "forgive"}, {("dues.relief_kind_invalid", "kind")}),
        ("approved_in_future", {"approved_on": dt.date(2999, 1, 1)}, {("dues.date_in_future", "approved_on")}),
    ],
)
def test_relief_bad_input(tree, dues_member, _case, over, expected):
    member = dues_member("A1")
    if "approved_by" in over:
        over = {**over, "approved_by": tree[over["approved_by"]]}
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        _waive(member, tree, **over)
    assert _errors(exc) == expected
    assert (DuesRelief.objects.count(), AuditEntry.objects.count()) == (0, audits)


def test_overlapping_relief_is_refused(tree, dues_member):
    member = dues_member("A1")
    _waive(member, tree)
    with pytest.raises(DomainError) as exc:
        _waive(member, tree, valid_from=dt.date(2024, 5, 31), valid_to=dt.date(2024, 8, 31))
    assert _errors(exc) == {("dues.relief_overlap", "valid_from")}


# ------------------------------------------------------------------------------------------ payments

@pytest.fixture
def three_months(dues_member):
    """A member billed 50.00 for each of 2024-01..03."""
    member = dues_member("A1", base="5000")
    for period in ("2024-01", "2024-02", "2024-03"):
        bills_generate(actor=None, period=period)
    return member


def _pay(member, **over):
    data = {"actor": None, "member": member, "amount": "120", "reference": "WX-0001", "channel": "wechat",
            "paid_on": dt.date(2024, 3, 10)}
    data.update(over)
    return payment_record(**data)


def test_payment_settles_bills_oldest_first_and_is_audited(three_months):
    # when
    payment = _pay(three_months)
    # then
    bills = [(b.period, str(b.paid_amount), b.status) for b in DuesBill.objects.order_by("period")]
    assert bills == [("2024-01", "50.00", "paid"), ("2024-02", "50.00", "paid"), ("2024-03", "20.00", "partial")]
    assert [(a.bill.period, str(a.amount)) for a in payment.allocations.order_by("bill__period")] == [
        ("2024-01", "50.00"), ("2024-02", "50.00"), ("2024-03", "20.00")]
    entry = _last_audit()
    assert (entry.action, entry.target_id, entry.after["amount"], entry.after["periods"]) == (
        "dues.payment_record", str(payment.pk), "120.00", ["2024-01", "2024-02", "2024-03"])
    assert (payment.is_large, payment.voluntary_extra, payment.org_id) == (False, Decimal("0.00"),
                                                                          three_months.org_id)


def test_same_reference_twice_returns_the_first_payment_and_writes_nothing(three_months):
    first = _pay(three_months)
    counts = _counts()
    again = _pay(three_months, amount="120.00")
    assert again.pk == first.pk
    assert _counts() == counts


def test_same_reference_for_a_different_payment_is_refused(three_months):
    _pay(three_months)
    counts = _counts()
    with pytest.raises(DomainError) as exc:
        _pay(three_months, amount="30")
    assert _errors(exc) == {("dues.reference_conflict", "reference")}
    assert _counts() == counts


def test_same_reference_on_another_channel_is_another_payment(three_months):
    _pay(three_months, amount="50")
    other = _pay(three_months, amount="50", channel="alipay")
    assert (DuesPayment.objects.count(), other.allocations.get().bill.period) == (2, "2024-02")


@pytest.mark.parametrize(
    ("_case", "over", "expected"),
    [
        ("negative", {"amount": "-5"}, {("dues.amount_not_positive", "amount")}),
        ("zero", {"amount": "0"}, {("dues.amount_not_positive", "amount")}),
        ("non_numeric", {"amount": "五十"}, {("dues.amount_invalid", "amount")}),
        ("empty", {"amount": ""}, {("dues.amount_invalid", "amount")}),
        ("float", {"amount": 50.0}, {("dues.amount_invalid", "amount")}),
        ("three_decimals", {"amount": "10.001"}, {("dues.amount_precision", "amount")}),
        ("more_than_due", {"amount": "150.01"}, {("dues.amount_exceeds_due", "amount")}),
        ("negative_extra", {"voluntary_extra": "-1"}, {("dues.voluntary_extra_invalid", "voluntary_extra")}),
        ("extra_above_amount", {"voluntary_extra": "121"},
         {("dues.voluntary_extra_exceeds_amount", "voluntary_extra")}),
        ("no_reference", {"reference": "  "}, {("dues.reference_required", "reference")}),
        ("bad_channel", {"channel": "bitcoin"}, {("dues.channel_invalid", "channel")}),
        ("future_date", {"paid_on": dt.date(2999, 1, 1)}, {("dues.date_in_future", "paid_on")}),
        ("bad_date", {"paid_on": "2024-02-30"}, {("dues.date_invalid", "paid_on")}),
        ("unknown_period", {"periods": ["2024-04"]}, {("dues.bill_not_found", "periods")}),
        ("bad_period", {"periods": ["24-4"]}, {("dues.period_invalid", "periods")}),
        ("several_at_once", {"amount": "x", "channel": "y"},
         {("dues.amount_invalid", "amount"), ("dues.channel_invalid", "channel")}),
    ],
)
def test_bad_payment_is_refused_and_nothing_is_written(three_months, _case, over, expected):
    # given
    counts = _counts()
    bills_before = list(DuesBill.objects.order_by("pk").values_list("paid_amount", "status"))
    # when
    with pytest.raises(DomainError) as exc:
        _pay(three_months, **over)
    # then
    assert _errors(exc) == expected
    assert _counts() == counts
    assert list(DuesBill.objects.order_by("pk").values_list("paid_amount", "status")) == bills_before


def test_payment_for_chosen_periods(three_months):
    payment = _pay(three_months, amount="50", periods=["2024-03"])
    assert [a.bill.period for a in payment.allocations.all()] == ["2024-03"]
    assert _bill(three_months, "2024-01").status == "unpaid"


@pytest.mark.parametrize(
    ("_case", "extra", "large"),
    [("below_threshold", "999.99", False), ("at_threshold", "1000.00", True), ("above", "5000", True)],
)
def test_voluntary_extra_at_or_above_1000_is_large(three_months, _case, extra, large):
    total = Decimal("150.00") + Decimal(extra)
    payment = _pay(three_months, amount=str(total), voluntary_extra=extra)
    assert (payment.is_large, payment.voluntary_extra) == (large, Decimal(extra).quantize(Decimal("0.01")))
    assert DuesBill.objects.filter(member=three_months, status="paid").count() == 3


def test_purely_voluntary_payment_needs_no_bill(member_factory):
    member = member_factory("A1")
    payment = _pay(member, amount="2000", voluntary_extra="2000")
    assert (payment.is_large, payment.allocations.count()) == (True, 0)


# ------------------------------------------------------------------------------------------ scope

def test_scoped_worker_bills_only_their_branch_and_cannot_touch_another(tree, dues_member, user_factory):
    # given
    mine = dues_member("A1")
    theirs = dues_member("B1")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    # when
    run = bills_generate(actor=worker, period="2024-03")
    # then
    assert run.created == 1
    assert list(DuesBill.objects.values_list("member_id", flat=True)) == [mine.pk]
    counts = _counts()
    with pytest.raises(Http404):
        bills_generate(actor=worker, period="2024-03", org=tree["B1"])
    bills_generate(actor=None, period="2024-03")
    counts = _counts()
    with pytest.raises(Http404):
        _pay(theirs, actor=worker, amount="50")
    with pytest.raises(Http404):
        profile_set(actor=worker, member=theirs, category="retired", base="100")
    assert _counts() == counts
    assert DuesProfile.objects.get(member=theirs).category == "in_service"


def test_rules_change_needs_a_system_wide_grant(tree, user_factory):
    worker = user_factory("w", "party_worker", tree["A1"], scope="subtree")
    admin = user_factory("root", "sysadmin", None, scope="all")
    farmer = DuesRuleSet.objects.get(version="2017").brackets.get(category="farmer")
    with pytest.raises(DomainError) as exc:
        bracket_update(actor=worker, bracket=farmer, fixed_amount="0.8")
    assert _errors(exc) == {("dues.rules_need_global_scope", None)}
    with pytest.raises(DomainError) as exc:
        bracket_update(actor=admin, bracket=farmer, fixed_amount="1.20")
    assert _errors(exc) == {("dues.fixed_amount_out_of_range", "fixed_amount")}
    updated = bracket_update(actor=admin, bracket=farmer, fixed_amount="0.80")
    assert (updated.fixed_amount, _last_audit().action) == (Decimal("0.80"), "dues.rules_change")


def test_cash_without_reference_gets_receipt_numbers_and_other_channels_need_one(dues_member):
    member = dues_member("A1", base="5000")
    for period in ("2024-01", "2024-02"):
        bills_generate(actor=None, period=period)
    day = dt.date(2024, 2, 10)
    counts = _counts()
    with pytest.raises(DomainError) as exc:
        payment_record(actor=None, member=member, amount="50", reference=" ", channel="wechat", paid_on=day)
    assert _errors(exc) == {("dues.reference_required", "reference")}
    assert _counts() == counts
    first = payment_record(actor=None, member=member, amount="50", reference="", channel="cash", paid_on=day)
    second = payment_record(actor=None, member=member, amount="50", reference=None, channel="cash", paid_on=day)
    assert (first.reference, second.reference) == (f"XJ20240210-{member.pk}-1", f"XJ20240210-{member.pk}-2")
    assert _last_audit().after["reference"] == second.reference
