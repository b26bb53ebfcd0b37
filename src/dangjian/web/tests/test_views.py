"""The home page: greeting, scope summary, quick links by permission, my member card, the chart data."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

from dangjian.accounts.services import mfa_confirm, mfa_start
from dangjian.accounts.tests.otp import totp_code
from dangjian.members.services import member_link_user, member_update

DATA_TAG = '<script id="status-data" type="application/json">'


def chart_data(response) -> list[dict]:
    html = response.content.decode()
    start = html.index(DATA_TAG) + len(DATA_TAG)
    return json.loads(html[start:html.index("</script>", start)])


def sign_in(client, user, *, second_factor: bool = False) -> None:
    client.force_login(user)
    if second_factor:  # enrolled, and this session passed the code step
        device = mfa_start(user=user)
        mfa_confirm(actor=user, device=device, token=totp_code(device))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_secretary_sees_scope_counts_links_chart_and_own_record(client, tree, member_factory, user_factory):
    # given: three members in A1's subtree-free branch (one expelled), one in B1
    me = member_factory("A1", name="李明")
    member_factory("A1")
    gone = member_factory("A1")
    member_factory("B1")
    member_update(actor=None, member=gone, status="expelled", reason="test")
    user = user_factory("sec_a1", "branch_secretary", tree["A1"])
    member_link_user(actor=None, member=me, user=user)
    sign_in(client, user)
    # when
    response = client.get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["org_count"] == 2  # A1 and its party group A1G1
    assert response.context["member_count"] == 2  # the expelled member is not counted
    assert [link["url"] for link in response.context["quick_links"]] == ["/orgs/", "/members/", "/orgs/chart/"]
    assert {r["code"]: r["value"] for r in chart_data(response)} == {"normal": 2, "expelled": 1}
    assert "李明" in html and "甲一支部" in html
    assert "支部书记" in html and "本组织及下级" in html
    assert "echarts.min.js" in html


def test_auditor_gets_the_audit_link(client, tree, user_factory):
    user = user_factory("shenji", "auditor", tree["G"])
    sign_in(client, user, second_factor=True)
    response = client.get("/")
    assert response.status_code == 200
    assert [str(link["label"]) for link in response.context["quick_links"]] == ["组织", "组织图", "操作日志"]
    assert response.context["member_count"] is None  # no members.view: no member figures at all
    assert "echarts.min.js" not in response.content.decode()


def test_user_without_roles_sees_only_own_record(client, tree, member_factory, user_factory):
    # given
    user = user_factory("plain")
    member_link_user(actor=None, member=member_factory("B1", name="赵刚"), user=user)
    member_factory("B1")
    sign_in(client, user)
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert response.context["quick_links"] == []
    assert response.context["org_count"] is None
    assert "赵刚" in response.content.decode()


def test_home_query_count_does_not_grow_with_data(client, tree, member_factory, user_factory):
    # given
    user = user_factory("sec_g", "branch_secretary", tree["G"])
    sign_in(client, user)
    member_factory("A1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    # when
    for code in ("A1", "A2", "B1", "A1", "A2", "B1", "A1", "A2"):
        member_factory(code)
    # then
    assert queries() == small
    assert small <= 12


@pytest.mark.parametrize(("lang", "text"), [("en", "Organizations"), ("zh-hans", "组织")])
def test_home_in_both_languages(client, tree, user_factory, lang, text):
    sign_in(client, user_factory("sec_a1", "branch_secretary", tree["A1"]))
    client.cookies["django_language"] = lang
    html = client.get("/").content.decode()
    assert f'<html lang="{lang}">' in html
    assert text in html


def test_pages_default_to_chinese_whatever_the_browser_asks(client, tree, user_factory):
    # given a browser that prefers English and no language chosen on the site
    sign_in(client, user_factory("sec_zh", "branch_secretary", tree["A1"]))
    # when
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    # then the page is Chinese; the switcher's cookie is what turns it English
    assert "组织" in html and 'lang="zh-hans"' in html
