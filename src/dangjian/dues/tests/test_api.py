"""The dues REST API: calculator JSON, 422 shapes, idempotent payments, scoped lists."""
import datetime as dt

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.dues.models import DuesPayment
from dangjian.dues.services import bills_generate

pytestmark = pytest.mark.django_db


def test_calculate_returns_decimal_strings_and_the_rule(user_factory, api_client):
    # given: any signed-in user
    client = api_client(user_factory("plain"))
    # when
    response = client.get("/dues/calculate", category="in_service", base="5000")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "amount": "50.00", "rate": "0.01", "category": "in_service", "base": "5000.00",
        "bracket": "3000.00 元 < 基数 ≤ 5000.00 元：1%",
        "citation": "DOMAIN §1 in-service rate brackets (whole base at one rate, upper bound in the lower bracket); "
                    "Dues Rules 2008 art. 2",
        "rule_set": {"name": "中组部办公厅《关于进一步规范党费工作的通知》", "version": "2017"},
        "capped": False, "standard_amount": "50.00",
    }


@pytest.mark.parametrize(
    ("_case", "params", "amount", "rate", "capped"),
    [
        ("edge_up", {"category": "in_service", "base": "10000.01"}, "200.00", "0.02", False),
        ("cap", {"category": "in_service", "base": "60000"}, "1000.00", "0.02", True),
        ("fixed", {"category": "low_income"}, "0.20", None, False),
        ("retired", {"category": "retired", "base": "5000.01"}, "50.00", "0.01", False),
    ],
)
def test_calculate_values(user_factory, api_client, _case, params, amount, rate, capped):
    body = api_client(user_factory("plain")).get("/dues/calculate", **params).json()
    assert (body["amount"], body["rate"], body["capped"]) == (amount, rate, capped)


@pytest.mark.parametrize(
    ("_case", "params", "errors"),
    [
        ("unknown_category", {"category": "soldier", "base": "100"}, [("dues.category_unknown", "category")]),
        ("bad_base", {"category": "in_service", "base": "abc"}, [("dues.base_invalid", "base")]),
        ("negative_base", {"category": "in_service", "base": "-1"}, [("dues.base_negative", "base")]),
        ("missing_category", {"base": "100"}, [("validation.required", "category")]),
    ],
)
def test_calculate_bad_input_is_422_naming_the_field(user_factory, api_client, _case, params, errors):
    response = api_client(user_factory("plain")).get("/dues/calculate", **params)
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == errors
    assert all(e["message"] for e in response.json()["errors"])


def test_calculate_needs_sign_in(api_client):
    assert api_client().get("/dues/calculate", category="student").status_code == 401


@pytest.fixture
def billed(tree, dues_member):
    a = dues_member("A1", base="5000")
    b = dues_member("B1", base="5000")
    for period in ("2024-01", "2024-02"):
        bills_generate(actor=None, period=period)
    return a, b


def _payment(**over):
    body = {"amount": "60", "voluntary_extra": "10", "reference": "WX-1", "channel": "wechat", "paid_on": "2024-02-10"}
    body.update(over)
    return body


def test_payment_posted_twice_is_recorded_once(tree, billed, user_factory, api_client):
    # given
    a, _b = billed
    client = api_client(user_factory("w", "party_worker", tree["A1"], scope="org"), token=True)
    # when
    first = client.post(f"/dues/members/{a.pk}/payments", _payment())
    counts = (DuesPayment.objects.count(), AuditEntry.objects.count())
    second = client.post(f"/dues/members/{a.pk}/payments", _payment())
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == {
        "id": first.json()["id"], "member": {"id": a.pk, "name": a.name}, "amount": "60.00",
        "voluntary_extra": "10.00", "is_large": False, "channel": "wechat", "reference": "WX-1",
        "paid_on": "2024-02-10", "periods": ["2024-01"], "replayed": False,
    }
    assert {**first.json(), "replayed": True} == second.json()
    assert (DuesPayment.objects.count(), AuditEntry.objects.count()) == counts


@pytest.mark.parametrize(
    ("_case", "over", "errors"),
    [
        ("negative", {"amount": "-5", "voluntary_extra": "0"}, [("dues.amount_not_positive", "amount")]),
        ("zero", {"amount": "0", "voluntary_extra": "0"}, [("dues.amount_not_positive", "amount")]),
        ("non_numeric", {"amount": "abc"}, [("validation.invalid_number", "amount")]),
        ("three_places", {"amount": "1.005"}, [("validation.decimal_digits", "amount")]),
        ("unknown_period", {"periods": "2023-12"}, [("dues.bill_not_found", "periods")]),
    ],
)
def test_bad_payment_is_422_and_writes_nothing(tree, billed, user_factory, api_client, _case, over, errors):
    a, _b = billed
    client = api_client(user_factory("w", "party_worker", tree["A1"], scope="org"), token=True)
    counts = (DuesPayment.objects.count(), AuditEntry.objects.count())
    response = client.post(f"/dues/members/{a.pk}/payments", _payment(**over))
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == errors
    assert (DuesPayment.objects.count(), AuditEntry.objects.count()) == counts


def test_lists_are_scoped_to_branch_a(tree, billed, user_factory, api_client):
    a, b = billed
    client = api_client(user_factory("w", "party_worker", tree["A1"], scope="org"))
    bills = client.get("/dues/bills", period="2024-02").json()["items"]
    assert [(x["member"]["id"], x["period"], x["amount_due"]) for x in bills] == [(a.pk, "2024-02", "50.00")]
    arrears = client.get("/dues/arrears", as_of="2024-05-01").json()["items"]
    assert [(x["member"]["id"], x["unpaid_months"], x["age_months"], x["owed"], x["level"]) for x in arrears] == [
        (a.pk, 2, 4, "100.00", "warn")]
    collection = client.get("/dues/collection", period="2024-02").json()
    assert (collection["bills"], collection["due"], collection["rate"]) == (1, "50.00", "0.0000")
    assert client.get(f"/dues/members/{b.pk}").status_code == 404
    assert client.post(f"/dues/members/{b.pk}/payments", _payment()).status_code == 404
    assert DuesPayment.objects.count() == 0


def test_relief_through_the_api(tree, billed, user_factory, api_client):
    a, _b = billed
    client = api_client(user_factory("dept", "org_dept", tree["A"], scope="subtree"))
    body = {"kind": "reduce", "amount": "5", "valid_from": "2024-03-01", "valid_to": "2024-12-31",
            "approved_by": "A", "approved_on": "2024-02-20", "document": "甲党委〔2024〕1号"}
    response = client.post(f"/dues/members/{a.pk}/reliefs", body)
    assert (response.status_code, response.json()["amount"]) == (201, "5.00")
    wrong = client.post(f"/dues/members/{a.pk}/reliefs", {**body, "approved_by": "A1", "valid_from": "2025-01-01",
                                                           "valid_to": "2025-02-01"})
    assert [(e["code"], e["field"]) for e in wrong.json()["errors"]] == [("dues.relief_approver_invalid",
                                                                          "approved_by")]
    member = client.get(f"/dues/members/{a.pk}").json()
    assert member["profile"]["base_amount"] == "5000.00"


def test_generate_bills_through_the_api(tree, dues_member, user_factory, api_client):
    dues_member("A1")
    client = api_client(user_factory("w", "party_worker", tree["A1"], scope="org"))
    first = client.post("/dues/bills/generate", {"period": "2024-03"}).json()
    again = client.post("/dues/bills/generate", {"period": "2024-03"}).json()
    assert (first["created"], again["created"], first["rule_version"]) == (1, 0, "2017")
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    future = client.post("/dues/bills/generate", {"period": next_month})
    assert [(e["code"], e["field"]) for e in future.json()["errors"]] == [("dues.period_in_future", "period")]


# --- rule-set versions (issue 8, point 5) ------------------------------------------------------------------

def _version_body():
    from dangjian.dues.tests.fixtures import rule_set_body

    return rule_set_body()


def test_a_version_is_listed_and_added_through_the_api(user_factory, api_client):
    # given
    admin = api_client(user_factory("root", "sysadmin", None, scope="all"))
    body = _version_body()
    body["brackets"][3]["rate"] = "0.025"
    # when
    created = admin.post("/dues/rule-sets", body)
    listed = admin.get("/dues/rule-sets")
    # then
    assert created.status_code == 201, created.content
    assert created.json()["brackets"][0] == {
        "category": "annual_salary", "lower": None, "upper": "3000.00", "rate": "0.005", "fixed_amount": None,
        "fixed_min": None, "fixed_max": None,
        "citation": "DOMAIN §1 annual-salary members: pay received that month, in-service brackets; "
                    "Dues Rules 2008 art. 3; Dues Notice 2017 §1(4)"}
    assert [(r["version"], r["effective_from"], r["effective_to"]) for r in listed.json()] == [
        ("2031", "2031-01-01", None), ("2017", "2017-01-01", "2030-12-31"), ("2008", "2008-01-01", "2016-12-31")]
    assert AuditEntry.objects.filter(action="dues.rule_set_add").count() == 1


def test_an_overlapping_version_is_a_422_naming_the_fields_and_writes_nothing(user_factory, api_client):
    from tests.fixtures import db_state

    admin = api_client(user_factory("root", "sysadmin", None, scope="all"))
    body = {**_version_body(), "effective_from": "2017-01-01"}
    body["brackets"][2]["upper"] = "9000"
    body["brackets"][5]["rate"] = "2"
    before = db_state()
    response = admin.post("/dues/rule-sets", body)
    assert response.status_code == 422
    assert db_state() == before
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("dues.bracket_invalid", "brackets.5.rate"), ("dues.version_overlap", "effective_from")]
    assert response.json()["errors"][0]["message"] == "第 6 行：比例须大于 0 且小于 1（如 0.015 即 1.5%）"
    body["brackets"][5]["rate"] = "0.01"
    response = admin.post("/dues/rule-sets", {**body, "effective_from": "2031-01-01"})
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("dues.brackets_not_contiguous", "brackets.3.lower")]
    assert db_state() == before
