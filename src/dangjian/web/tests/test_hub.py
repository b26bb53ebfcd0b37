"""The "我的" hub (issue 9, points 4 and 5): a plain member's home shows their own things — dues, meetings,
record, notifications — one tap away and no manager screens; a manager's home shows the same first and
their scope second; the member's record leads on to their dues, meetings, transfers and status changes."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.members.services import member_link_user
from dangjian.transfers.services import member_status_change
from dangjian.web.tests.test_navigation import menu_of
from tests.fixtures import signin

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(tree, member_factory):
    return member_factory("A1", name="王芳")


@pytest.fixture
def plain(client, tree, me, user_factory):
    """A plain member: the 党员 role at A1 with the "self" scope (as the demo grants it), linked to 王芳."""
    user = user_factory("dangyuan", "member", tree["A1"], scope="self")
    member_link_user(actor=None, member=me, user=user)
    signin(client, user)
    return user


def _hub_links(html: str) -> dict[str, str]:
    """data-hub key → href, in page order."""
    out = {}
    for chunk in html.split("data-hub=")[1:]:
        key = chunk.split('"')[1]
        before = html[:html.index(f'data-hub="{key}"')]
        out[key] = before[before.rindex('href="') + 6:].split('"')[0]
    return out


def test_plain_member_home_shows_own_things_and_no_manager_screens(client, plain, me):
    # when
    response = client.get("/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert _hub_links(html) == {
        "dues": reverse("dues:member", args=[me.pk]),
        "meetings": reverse("meetings:mine"),
        "record": reverse("members:detail", args=[me.pk]),
        "notifications": reverse("integration:inbox"),
    }
    assert "我的管理范围" not in html and 'data-testid="manager-scope"' not in html
    assert 'data-testid="quick-links"' not in html
    assert (response.context["quick_links"], response.context["org_count"], response.context["member_count"]) == (
        [], None, None)
    # the register listing only themselves is not offered (their members.view is a "self" grant)
    assert ["党员名册", "/members/"] not in [link for item in menu_of(html) if isinstance(item[1], list)
                                         for link in item[1]]
    assert "党员" not in [item[0] for item in menu_of(html)]
    # every hub link opens for them: one tap, no dead end
    for url in _hub_links(html).values():
        assert client.get(url).status_code == 200, url


def test_manager_home_shows_own_things_first_and_the_scope_second(client, tree, me, user_factory):
    # given
    user = user_factory("sec", "branch_secretary", tree["A1"], scope="org")
    member_link_user(actor=None, member=me, user=user)
    signin(client, user)
    # when
    html = client.get("/").content.decode()
    # then
    assert html.index('data-testid="my-hub"') < html.index('data-testid="manager-scope"')
    assert "我的管理范围" in html
    assert list(_hub_links(html)) == ["dues", "meetings", "record", "notifications"]
    assert ["党员名册", "/members/"] in [link for item in menu_of(html) if isinstance(item[1], list)
                                     for link in item[1]]


def test_account_without_member_record_gets_meetings_and_notifications_only(client, tree, user_factory):
    signin(client, user_factory("admin_a", "org_dept", tree["A"]))
    html = client.get("/").content.decode()
    assert list(_hub_links(html)) == ["meetings", "notifications"]
    assert "该账号尚未关联党员档案" in html


def test_own_record_leads_to_dues_meetings_and_the_status_history(client, tree, plain, me):
    # given: a status change recorded by the branch
    member_status_change(actor=None, member=me, transition="lose_contact", effective_on=dt.date(2024, 3, 1))
    # when
    response = client.get(reverse("members:detail", args=[me.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("dues:member", args=[me.pk])}" data-member-link="dues"' in html
    assert f'href="{reverse("meetings:mine")}" data-member-link="meetings"' in html
    assert "data-member-history" in html and "失去联系" in html and "2024-03-01" in html
    # no manager actions, and no link to a page they could not open
    for key in ("initiate", "status", "history"):
        assert f'data-member-link="{key}"' not in html
    assert "/transfers/" not in html
    assert f'href="{reverse("members:list")}"' not in html  # no register of one
    for url in (reverse("dues:member", args=[me.pk]), reverse("meetings:mine")):
        assert client.get(url).status_code == 200, url


def test_someone_elses_record_is_not_found_for_a_plain_member(client, tree, plain, member_factory):
    other = member_factory("A1", name="李雷")
    missing = client.get(reverse("members:detail", args=[987654321]))
    response = client.get(reverse("members:detail", args=[other.pk]))
    assert (response.status_code, response.content) == (404, missing.content)
