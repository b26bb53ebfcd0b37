"""Text hygiene of names, codes and references, and the request id (issue 7, defect 8).

Runs on SQLite and PostgreSQL: on PostgreSQL a NUL in a text column is refused by the database itself,
so an unchecked NUL was a 500; here it is a field error before any write.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dangjian.api.tests.fixtures import login_session
from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.core.middleware import request_id_from
from dangjian.core.text import text_problem
from dangjian.exchange.services import import_run
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.services import org_create
from tests.fixtures import make_id_number

BAD = [
    ("nul", "甲\x00支部", "control"),
    ("bell", "甲\x07支部", "control"),
    ("newline", "甲\n支部", "control"),
    ("right-to-left override", "甲\u202e部支", "bidi"),
    ("left-to-right embedding", "\u202a甲支部", "bidi"),
    ("first strong isolate", "甲\u2068支部\u2069", "bidi"),
    ("zero-width space only", "\u200b\u200b", "invisible"),
    ("zero-width joiner and BOM only", "\u200d\ufeff", "invisible"),
]


@pytest.mark.parametrize(("_case", "value", "code"), BAD)
def test_text_problem_names_the_rule(_case, value, code):
    assert text_problem(value)[0] == code


def test_ordinary_names_pass_including_a_joiner_inside_text():
    assert [text_problem(v) for v in ("甲一支部", "Zoë", "A-01_b.c", "阿卜杜\u200d拉")] == [None] * 4


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "value", "code"), BAD)
def test_org_create_refuses_bad_names_with_a_field_error_and_writes_nothing(tree, _case, value, code):
    # given
    before = (Organization.objects.count(), AuditEntry.objects.count())
    # when
    with pytest.raises(DomainError) as info:
        org_create(actor=None, parent=tree["A"], name=value, code="A9", org_type="branch")
    # then
    assert [(e.field, e.code) for e in info.value.errors] == [("name", f"orgs.text_{code}")]
    assert (Organization.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_names_are_stored_nfc(tree):
    # "é" as e + combining acute (NFD) is stored as the single code point (NFC)
    org = org_create(actor=None, parent=tree["A"], name="Caf\u0065\u0301支部", code="A9", org_type="branch")
    assert Organization.objects.get(pk=org.pk).name == "Caf\u00e9支部"


@pytest.mark.django_db
def test_member_code_and_reference_refused_in_the_api(tree, user_factory, api_client, member_factory):
    # given
    admin = user_factory("admin", "org_dept", tree["G"])
    client = api_client(admin, token=True)
    before = (Organization.objects.count(), AuditEntry.objects.count())
    # when
    org = client.post("/orgs", {"parent": "A", "name": "甲九支部", "code": "\u202dA9", "org_type": "branch"})
    renamed = client.post("/orgs", {"parent": "A", "name": "\u202e部支九甲", "code": "A9", "org_type": "branch"})
    # then
    assert (org.status_code, renamed.status_code) == (422, 422)
    assert [e["field"] for e in org.json()["errors"]] == ["code"]
    assert [e["field"] for e in renamed.json()["errors"]] == ["name"]
    assert (Organization.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_member_form_refuses_a_bidi_override_in_the_name(tree, user_factory):
    # given
    client = login_session(Client(), user_factory("admin", "org_dept", tree["G"]))
    # when
    birth = dt.date(1980, 1, 1)
    response = client.post("/members/new/", {
        "name": "\u202e三张", "gender": "M", "ethnicity": "汉族", "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth, 101), "phone": "13900001111", "category": "full",
        "joined_on": "2005-07-01", "full_member_on": "2006-07-01", "org_code": "A1", "party_group_code": "",
        "unit_code": "", "reason": ""})
    # then
    html = response.content.decode()
    assert response.status_code == 400
    error = html[html.index('data-field-error="name"'):]
    assert "不能包含改变文字方向的控制字符（U+202E）" in error[: error.index("</div>")]
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_the_importer_refuses_a_bidi_override_in_a_name(tree, user_factory):
    # given
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    rows = [member_row(1), member_row(2, 姓名="\u202e三张")]
    # when
    report = import_run(actor=worker, kind="members", data=csv_bytes(MEMBER_HEADER, rows), file_name="m.csv",
                        dry_run=False)
    # then
    assert [(e.row, e.code.endswith(".text_bidi")) for e in report.errors] == [(3, True)]
    assert Member.objects.count() == 0


@pytest.mark.parametrize(("_case", "header", "kept"), [
    ("uuid hex", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", True),
    ("dotted token", "req-1.2_abc", True),
    ("64 characters", "a" * 64, True),
    ("65 characters", "a" * 65, False),
    ("space", "abc def", False),
    ("newline", "abc\ndef", False),
    ("html", "<script>", False),
    ("non-ascii", "请求一", False),
    ("empty", "", False),
])
def test_request_id_keeps_only_bounded_tokens(_case, header, kept):
    value = request_id_from(header)
    assert (value == header) is kept
    assert 1 <= len(value) <= 64 and value.isascii()


@pytest.mark.django_db
def test_a_bad_request_id_is_replaced_in_the_response_and_the_audit_row(tree, user_factory, api_client):
    # given
    admin = user_factory("admin", "org_dept", tree["G"])
    client = api_client(admin, token=True)
    # when
    response = client.post("/orgs", {"parent": "A", "name": "甲九支部", "code": "A9", "org_type": "branch"},
                           headers={"X-Request-ID": "x" * 30 + "\u202e<img src=x>"})
    # then
    assert response.status_code == 201, response.content
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and rid.isalnum()
    assert AuditEntry.objects.filter(action="orgs.create").latest("pk").request_id == rid


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "method", "path", "params"), [
    ("member search", "GET", "/members", {"q": "张\x00"}),
    ("org filter", "GET", "/development/pipelines", {"org": "A\x00"}),
    ("json string", "POST", "/orgs", {"parent": "A", "name": "甲九支部", "code": "A9", "org_type": "branch",
                                      "approval_doc": "文\x00号"}),
])
def test_a_nul_anywhere_in_an_api_request_is_a_400_not_a_database_error(tree, user_factory, api_client, _case,
                                                                        method, path, params):
    # given
    client = api_client(user_factory("admin", "sysadmin", tree["G"]), token=True)
    before = (Organization.objects.count(), AuditEntry.objects.count())
    # when
    if method == "GET":
        response = client.get(path, **params)
    else:
        response = client.post(path, params)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "api.bad_request"
    assert (Organization.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.django_db
def test_a_nul_in_a_page_query_is_a_400_page(tree, user_factory):
    client = login_session(Client(), user_factory("admin", "sysadmin", tree["G"]))
    assert client.get("/members/", {"q": "张\x00"}).status_code == 400
    assert client.get("/members/", {"q": "张"}).status_code == 200
