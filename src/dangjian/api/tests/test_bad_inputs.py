"""Inputs that used to answer 500 (issue 7, defect 6) now answer 4xx in the usual error shape.

A non-ASCII digit in an org reference, money beyond what the platform stores, and a body over the
upload limit, in the API and in the pages.
"""
from __future__ import annotations

import pytest
from django.test import Client, override_settings

from dangjian.api.tests.fixtures import login_session
from dangjian.audit.models import AuditEntry
from dangjian.dues.models import DuesProfile

pytest_plugins = ["dangjian.dues.tests.fixtures"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree, user_factory):
    return user_factory("org-admin", "org_dept", tree["G"])


@pytest.mark.parametrize(("_case", "path"), [
    ("development pipelines", "/development/pipelines"),
    ("meetings", "/meetings"),
])
@pytest.mark.parametrize("ref", ["³", "①", "٣", "9" * 25])
def test_an_org_reference_with_non_ascii_or_huge_digits_is_a_422_on_org(api_client, admin, _case, path, ref):
    # when
    response = api_client(admin, token=True).get(path, org=ref)
    # then
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("org", "orgs.unknown_org")]


@pytest.mark.parametrize("base", ["1e26", "1e30", "1e999999999", "-1e999999999", "NaN", "Infinity", "1" * 5000])
def test_calculator_base_out_of_range_is_a_422_on_base(api_client, admin, base):
    response = api_client(admin, token=True).get("/dues/calculate", category="in_service", base=base)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["base"]


def test_dues_profile_base_of_1e30_is_a_422_and_nothing_changes(api_client, admin, dues_member):
    # given
    member = dues_member("A1")
    client = api_client(admin, token=True)
    before = (DuesProfile.objects.count(), AuditEntry.objects.count())
    # when
    response = client.request(
        "POST", f"/dues/members/{member.pk}/profile", {"category": "in_service", "base": "1e30"})
    # then
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["base"]
    assert (DuesProfile.objects.count(), AuditEntry.objects.count()) == before


def _web(user) -> Client:
    return login_session(Client(raise_request_exception=True), user)


def test_dues_pages_refuse_huge_amounts_with_a_field_error(tree, admin, dues_member):
    # given
    member = dues_member("A1")
    client = _web(admin)
    before = (DuesProfile.objects.count(), AuditEntry.objects.count())
    # when
    calc = client.get("/dues/calculator/", {"category": "in_service", "base": "1e30"})
    profile = client.post(f"/dues/members/{member.pk}/profile/", {"category": "in_service", "base": "1e30"})
    pay = client.post(f"/dues/members/{member.pk}/pay/", {"amount": "1e30", "channel": "cash", "reference": "R-1",
                                                          "paid_on": "2024-04-01"})
    # then
    assert (calc.status_code, profile.status_code, pay.status_code) == (400, 400, 400)
    assert 'data-field-error="base">' in calc.content.decode()
    assert 'data-field-error="base">' in profile.content.decode()
    assert 'data-field-error="amount">' in pay.content.decode()
    assert (DuesProfile.objects.count(), AuditEntry.objects.count()) == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_api_body_over_the_upload_limit_is_413_in_the_api_shape(api_client, admin):
    # when
    response = api_client(admin, token=True).post("/orgs", raw='{"name": "' + "x" * 2000 + '"}')
    # then
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "api.request_too_large"
    assert "请求体过大" in body["message"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_form_over_the_upload_limit_is_a_readable_413_page(tree, admin):
    # given: the test client re-raises exceptions: a 500 would fail here
    client = _web(admin)
    # when
    response = client.post(f"/orgs/{tree['A'].pk}/new/", {"name": "x" * 2000})
    # then
    assert response.status_code == 413
    html = response.content.decode()
    assert "提交的内容过大" in html and "请求体过大" in html


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_api_path_outside_ninja_over_the_limit_is_413_json(admin):
    response = _web(admin).post("/api/v1/orgs", "name=" + "x" * 2000,
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.json()["code"] == "api.request_too_large"
