"""Dues pages: the calculator for a plain member, scoped bills/arrears/export, the member's dues page."""
import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.dues.models import DuesBill, DuesPayment
from dangjian.dues.services import bills_generate, payment_record
from dangjian.members.services import member_link_user
from tests.fixtures import signin as _signin

pytestmark = pytest.mark.django_db




def test_calculator_renders_for_a_plain_member(client, user_factory):
    # given: a signed-in user without any grant
    _signin(client, user_factory("plain"))
    # when
    response = client.get("/dues/calculator/", {"category": "in_service", "base": "5000.01"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="display-5 fw-semibold text-danger" data-amount>75.00</div>' in html
    assert "每月应交党费" in html and "5000.00 元 &lt; 基数 ≤ 10000.00 元：1.5%" in html
    assert 'name="viewport"' in html  # phone-friendly base layout


def test_calculator_blank_form_and_bad_input(client, user_factory):
    _signin(client, user_factory("plain"))
    assert client.get("/dues/calculator/").status_code == 200
    response = client.get("/dues/calculator/", {"category": "in_service", "base": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="base">基数不是有效的金额' in html
    assert "data-amount" not in html


def test_calculator_needs_sign_in(client):
    response = client.get("/dues/calculator/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


@pytest.fixture
def billed(tree, dues_member):
    a = dues_member("A1", base="5000")
    b = dues_member("B1", base="5000")
    for period in ("2024-01", "2024-02", "2024-03", "2024-04"):
        bills_generate(actor=None, period=period)
    payment_record(actor=None, member=a, amount="200", reference="A-1", channel="bank",
                   paid_on=dt.date(2024, 4, 20))
    return a, b


def test_bills_page_shows_the_collection_rate_of_the_scope_only(client, tree, billed, user_factory):
    a, b = billed
    _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))
    response = client.get("/dues/bills/", {"period": "2024-04"})
    html = response.content.decode()
    assert response.status_code == 200
    assert a.name in html and b.name not in html
    assert '<div class="fs-5" data-rate>100%</div>' in html
    assert client.get("/dues/bills/", {"org": "B1"}).status_code == 404


def test_arrears_page_marks_the_level(client, tree, billed, user_factory):
    a, b = billed
    _signin(client, user_factory("sec", "committee_secretary", tree["B"], scope="subtree"))
    response = client.get("/dues/arrears/", {"as_of": "2024-04-15"})
    html = response.content.decode()
    assert response.status_code == 200
    assert b.name in html and a.name not in html
    assert 'data-level="warn"' in html  # oldest unpaid 2024-01 is 3 months old in April


def test_export_csv_and_xlsx(client, tree, billed, user_factory):
    a, _b = billed
    _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))
    audits = AuditEntry.objects.filter(action="dues.export").count()
    response = client.get("/dues/export/", {"month": "2024-04", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["党员", "所在支部", "所属月份", "应交金额"]
    assert [r[2:8] for r in rows[1:]] == [
        ["2024-01", "50.00", "50.00", "0.00", "A-1", "银行转账"],
        ["2024-02", "50.00", "50.00", "0.00", "A-1", "银行转账"],
        ["2024-03", "50.00", "50.00", "0.00", "A-1", "银行转账"],
        ["2024-04", "50.00", "50.00", "0.00", "A-1", "银行转账"],
    ]
    response = client.get("/dues/export/", {"month": "2024-04", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][:5] == [
        a.name, "甲一支部", "2024-01", 50, 50]
    assert AuditEntry.objects.filter(action="dues.export").count() == audits + 2


def test_member_sees_own_dues_page_but_not_others(client, tree, billed, user_factory):
    a, b = billed
    user = user_factory("me")
    member_link_user(actor=None, member=a, user=user)
    _signin(client, user)
    response = client.get(f"/dues/members/{a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="fw-semibold" data-due>50.00 元</span>' in html
    assert "data-dues-pay" not in html  # a member cannot record payments
    assert client.get(f"/dues/members/{b.pk}/").status_code == 404


def test_pay_form_records_and_refuses_bad_amount_with_nothing_written(client, tree, billed, user_factory):
    _a, b = billed
    _signin(client, user_factory("w", "party_worker", tree["B1"], scope="org"))
    counts = (DuesPayment.objects.count(), AuditEntry.objects.count())
    data = {"amount": "-5", "channel": "cash", "reference": "R-1", "paid_on": "2024-04-01"}
    response = client.post(f"/dues/members/{b.pk}/pay/", data)
    assert response.status_code == 400
    assert 'data-field-error="amount">金额必须大于零' in response.content.decode()
    assert (DuesPayment.objects.count(), AuditEntry.objects.count()) == counts
    response = client.post(f"/dues/members/{b.pk}/pay/", {**data, "amount": "１００"})  # full-width digits
    assert response.status_code == 302
    assert list(DuesBill.objects.filter(member=b).order_by("period").values_list("status", flat=True)) == [
        "paid", "paid", "unpaid", "unpaid"]


# --- payment friction and "my dues" (issue 9, points 4 and 8) ---------------------------------------------

def test_the_payment_form_is_prefilled_with_what_is_owed_and_shows_the_formula(client, tree, billed, user_factory):
    # given: B1's member owes four months of 50.00
    _a, b = billed
    _signin(client, user_factory("w", "party_worker", tree["B1"], scope="org"))
    # when
    html = client.get(f"/dues/members/{b.pk}/").content.decode()
    # then
    assert '<div class="fs-4 fw-semibold text-danger" data-owed>200.00 元</div>' in html
    assert 'name="amount" value="200.00"' in html
    assert "<div>基数 5,000.00 元 × 1% = 50.00 元</div>" in html
    assert 'id="id_reference"' in html and 'name="reference" maxlength="100" required' not in html


def test_cash_needs_no_reference_but_a_bank_transfer_does(client, tree, billed, user_factory):
    _a, b = billed
    _signin(client, user_factory("w", "party_worker", tree["B1"], scope="org"))
    data = {"amount": "50", "channel": "bank", "reference": "", "paid_on": "2024-04-01"}
    from tests.fixtures import db_state

    before = db_state()
    response = client.post(f"/dues/members/{b.pk}/pay/", data)
    assert response.status_code == 400
    assert 'data-field-error="reference">非现金缴费请填写流水号' in response.content.decode()
    assert db_state() == before
    response = client.post(f"/dues/members/{b.pk}/pay/", {**data, "channel": "cash"})
    assert response.status_code == 302
    assert list(DuesPayment.objects.filter(member=b).values_list("reference", flat=True)) == [f"XJ20240401-{b.pk}-1"]


def test_a_plain_member_lands_on_my_dues_and_a_manager_on_the_bills(client, tree, billed, user_factory):
    # given: A1's member signed in with the member role (their own record only)
    a, _b = billed
    user = user_factory("me", "member", tree["A1"], scope="self")
    member_link_user(actor=None, member=a, user=user)
    _signin(client, user)
    # when
    landing = client.get("/dues/")
    html = client.get("/dues/mine/").content.decode()
    # then
    assert landing["Location"] == "/dues/mine/"
    assert "<h1 class=\"h4 mb-3\">我的党费" in html
    assert 'data-owed>0.00 元</div>' in html and "已缴清" in html
    assert "<div>基数 5,000.00 元 × 1% = 50.00 元</div>" in html
    assert "data-dues-pay" not in html and html.count("<td>2024-0") == 4 + 1  # four bills, one payment
    # a manager lands on the bills, and still reaches their own dues
    client.logout()
    manager = user_factory("sec", "branch_secretary", tree["A1"], scope="subtree")
    _signin(client, manager)
    assert client.get("/dues/")["Location"] == "/dues/bills/"
    assert "data-dues-no-member" in client.get("/dues/mine/").content.decode()
