"""Dues selectors: arrears age and alert levels at their boundaries, collection rate, scope."""
import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from dangjian.dues.calc import alert_level, arrears_rows
from dangjian.dues.rules import rule_book_in_force
from dangjian.dues.selectors import (
    arrears_list,
    bill_list,
    collection_rate,
    collection_rates,
    dues_member_get,
    reconciliation_rows,
)
from dangjian.dues.services import bills_generate, payment_record

pytestmark = pytest.mark.django_db


def _bill_months(*periods):
    for period in periods:
        bills_generate(actor=None, period=period)


@pytest.fixture
def debtor(dues_member):
    """Billed 50.00 a month for 2024-01..07, nothing paid."""
    member = dues_member("A1", base="5000")
    _bill_months(*(f"2024-{m:02d}" for m in range(1, 8)))
    return member


@pytest.mark.parametrize(
    ("_case", "as_of", "unpaid", "age", "level"),
    [
        ("two_months", dt.date(2024, 3, 31), 3, 2, "none"),
        ("warn_starts", dt.date(2024, 4, 1), 4, 3, "warn"),
        ("still_warn", dt.date(2024, 5, 15), 5, 4, "warn"),
        ("severe_starts", dt.date(2024, 6, 1), 6, 5, "severe"),
        ("art9_limit", dt.date(2024, 7, 1), 7, 6, "limit"),
    ],
)
def test_arrears_age_and_alert_level(tree, debtor, user_factory, _case, as_of, unpaid, age, level):
    # given
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    # when
    rows = arrears_rows(list(arrears_list(actor=worker, as_of=as_of)), as_of=as_of)
    # then
    assert [(r.member.pk, r.unpaid_months, r.oldest_unpaid, r.age_months, r.level) for r in rows] == [
        (debtor.pk, unpaid, "2024-01", age, level)]
    assert rows[0].owed == Decimal("50.00") * unpaid


@pytest.mark.parametrize(
    ("_case", "age", "level"),
    [("below", 2, "none"), ("warn", 3, "warn"), ("severe_minus_1", 4, "warn"), ("severe", 5, "severe"),
     ("limit", 6, "limit"), ("beyond", 9, "limit")],
)
def test_alert_level_thresholds_come_from_the_rule_set(_case, age, level):
    assert alert_level(age, rule_book_in_force(dt.date(2024, 1, 1))) == level


def test_arrears_min_level_filters_in_sql_and_payment_clears(tree, debtor, dues_member, user_factory):
    # given: a second member who only owes July
    recent = dues_member("A1", base="3000")
    bills_generate(actor=None, period="2024-07")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    as_of = dt.date(2024, 7, 10)
    # when / then
    assert list(arrears_list(actor=worker, as_of=as_of).values_list("pk", flat=True)) == [debtor.pk, recent.pk]
    assert list(arrears_list(actor=worker, as_of=as_of, min_level="warn").values_list("pk", flat=True)) == [
        debtor.pk]
    payment_record(actor=None, member=debtor, amount="350", reference="B-1", channel="bank",
                   paid_on=dt.date(2024, 7, 10))
    assert list(arrears_list(actor=worker, as_of=as_of).values_list("pk", flat=True)) == [recent.pk]


def test_collection_rate_one_query(tree, dues_member, user_factory, django_assert_num_queries):
    # given: A1 two members (50 + 15), A2 one member (75), B1 one member; A1's first one paid
    a = dues_member("A1", base="5000")
    dues_member("A1", base="3000")
    dues_member("A2", base="5000.01")
    dues_member("B1", base="5000")
    bills_generate(actor=None, period="2024-03")
    payment_record(actor=None, member=a, amount="50", reference="C-1", channel="cash", paid_on=dt.date(2024, 3, 5))
    committee = user_factory("sec", "committee_secretary", tree["A"], scope="subtree")
    # when
    with django_assert_num_queries(2):  # the actor's grants, then ONE aggregate
        rate = collection_rate(actor=committee, org=tree["A"], period="2024-03")
    # then
    assert (rate.bills, rate.paid_bills, rate.due, rate.paid, rate.rate) == (
        3, 1, Decimal("140.00"), Decimal("50.00"), Decimal("0.3571"))
    with django_assert_num_queries(1):  # grants cached on the user
        rates = collection_rates(actor=committee, orgs=[tree["A1"], tree["A2"], tree["B1"]], period="2024-03")
    assert {k: (v.due, v.paid, v.rate) for k, v in rates.items()} == {
        tree["A1"].pk: (Decimal("65.00"), Decimal("50.00"), Decimal("0.7692")),
        tree["A2"].pk: (Decimal("75.00"), Decimal("0.00"), Decimal("0.0000")),
        tree["B1"].pk: (Decimal("0.00"), Decimal("0.00"), None),  # out of scope: nothing visible
    }


def test_branch_a_never_sees_branch_b(tree, dues_member, user_factory):
    # given
    mine = dues_member("A1")
    theirs = dues_member("B1")
    bills_generate(actor=None, period="2024-03")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    # then
    assert list(bill_list(actor=worker).values_list("member_id", flat=True)) == [mine.pk]
    assert bill_list(actor=worker, org=tree["B1"]).count() == 0
    assert dues_member_get(actor=worker, pk=mine.pk) == mine
    with pytest.raises(Http404):
        dues_member_get(actor=worker, pk=theirs.pk)
    assert list(arrears_list(actor=worker, as_of=dt.date(2024, 3, 31)).values_list("pk", flat=True)) == [mine.pk]


def test_a_member_sees_their_own_bills_only(tree, dues_member, user_factory):
    from dangjian.members.services import member_link_user

    me = dues_member("A1")
    dues_member("A1")
    bills_generate(actor=None, period="2024-03")
    user = user_factory("me")
    member_link_user(actor=None, member=me, user=user)
    assert list(bill_list(actor=user).values_list("member_id", flat=True)) == [me.pk]


def test_reconciliation_rows(tree, dues_member, user_factory):
    # given
    member = dues_member("A1", base="5000")
    other = dues_member("B1", base="5000")
    _bill_months("2024-02", "2024-03")
    payment_record(actor=None, member=member, amount="1100", voluntary_extra="1000", reference="W-9",
                   channel="wechat", paid_on=dt.date(2024, 3, 10))
    payment_record(actor=None, member=other, amount="50", reference="W-10", channel="wechat",
                   paid_on=dt.date(2024, 3, 11))
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    # when
    rows = list(reconciliation_rows(actor=worker, month="2024-03"))
    # then
    name, branch = member.name, tree["A1"].name
    assert rows == [
        (name, branch, "2024-02", Decimal("50.00"), Decimal("50.00"), Decimal("0.00"), "W-9", "微信支付",
         dt.date(2024, 3, 10), "是"),
        (name, branch, "2024-03", Decimal("50.00"), Decimal("50.00"), Decimal("0.00"), "W-9", "微信支付",
         dt.date(2024, 3, 10), "是"),
        (name, branch, "自愿多交", None, Decimal("0.00"), Decimal("1000.00"), "W-9", "微信支付",
         dt.date(2024, 3, 10), "是"),
    ]
    assert list(reconciliation_rows(actor=worker, month="2024-02")) == []


def test_list_pages_cost_one_query_whatever_their_size(tree, dues_member, user_factory, django_assert_num_queries):
    # given: grants warmed (cached on the user for the request), the rule book compiled once
    from dangjian.core.pagination import keyset_page

    for _ in range(4):
        dues_member("A1")
    _bill_months("2024-01", "2024-02")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    bill_list(actor=worker).exists()
    as_of = dt.date(2024, 5, 1)
    book = rule_book_in_force(as_of)
    # when / then: one query per page, related rows included (no N+1)
    with django_assert_num_queries(1):
        page = keyset_page(bill_list(actor=worker, period="2024-02"), cursor=None, limit=50)
        assert len([(b.member.name, b.org.name) for b in page.items]) == 4
    with django_assert_num_queries(1):
        page = keyset_page(arrears_list(actor=worker, as_of=as_of, book=book), cursor=None, limit=50)
        rows = arrears_rows(page.items, as_of=as_of, book=book)
        assert [(r.unpaid_months, r.member.org.code, r.level) for r in rows] == [(2, "A1", "warn")] * 4
