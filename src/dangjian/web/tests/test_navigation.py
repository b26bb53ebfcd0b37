"""The navigation bar, declared by the apps (NAV in <app>/declarations.py), per role.

The expected menus are what the hand-written base.html rendered before the apps declared them (issue 8):
same entries, same order, same labels, same links."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dangjian.api.tests.fixtures import login_session

ORGS = ["组织", [["组织树", "/orgs/"], ["组织图", "/orgs/chart/"]]]
ORGS_HEALTH = ["组织", [["组织树", "/orgs/"], ["组织图", "/orgs/chart/"], ["健康监测", "/health/monitor/"],
                      ["问题清单", "/health/findings/"]]]
MEMBERS_ALL = ["党员", [["党员名册", "/members/"], ["发展党员", "/development/"], ["组织关系转接", "/transfers/"],
                      ["导入导出", "/exchange/"]]]
MEETINGS_ALL = ["组织生活", [["我的会议", "/meetings/mine/"], ["会议", "/meetings/"], ["日历", "/meetings/calendar/"],
                          ["登记会议", "/meetings/new/"]]]
MEETINGS_READ = ["组织生活", [["我的会议", "/meetings/mine/"], ["会议", "/meetings/"], ["日历", "/meetings/calendar/"]]]
MEETINGS_MINE = ["组织生活", [["我的会议", "/meetings/mine/"]]]
DUES = ["党费", "/dues/"]  # managers land on the bills, a plain member on 我的党费 (dues:home)
CALCULATOR = ["党费计算", "/dues/calculator/"]
AUDIT = ["操作日志", "/audit/"]
API = ["API", "/api/v1/docs"]

MENUS = {
    "sysadmin": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_ALL, DUES, AUDIT, API],
    "superuser": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_ALL, DUES, AUDIT, API],
    "org_dept": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_ALL, DUES, API],
    "committee_secretary": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_READ, DUES, API],
    "branch_secretary": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_ALL, DUES, API],
    "party_worker": [ORGS_HEALTH, MEMBERS_ALL, MEETINGS_ALL, DUES, API],
    "auditor": [ORGS, MEETINGS_MINE, CALCULATOR, AUDIT, API],
    "member": [ORGS, ["党员", [["党员名册", "/members/"]]], MEETINGS_READ, DUES, API],
    # the demo's plain member: the same role with the "self" scope; a register of one is not theirs (issue 9)
    "member_self": [ORGS, MEETINGS_MINE, DUES, API],
    "no_role": [MEETINGS_MINE, CALCULATOR, API],
}


class _Menu(HTMLParser):
    """The main menu (``ul.navbar-nav.me-auto``) as [label, href] links and [label, [links]] dropdowns."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[list] = []
        self._depth = 0  # nesting of <ul> inside the main menu; 0 = outside
        self._link: str | None = None  # class of the <a> being read
        self._href = ""
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul" and (self._depth or attrs.get("class") == "navbar-nav me-auto"):
            self._depth += 1
        elif tag == "a" and self._depth:
            self._link, self._href, self._text = attrs.get("class", ""), attrs.get("href", ""), ""

    def handle_endtag(self, tag):
        if tag == "ul" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._link is not None:
            label = " ".join(self._text.split())
            if "dropdown-toggle" in self._link:
                self.items.append([label, []])
            elif "dropdown-item" in self._link:
                self.items[-1][1].append([label, self._href])
            else:
                self.items.append([label, self._href])
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._text += data


def menu_of(html: str) -> list[list]:
    parser = _Menu()
    parser.feed(html)
    return parser.items


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_the_same_menu_as_before_the_apps_declared_it(client, tree, user_factory, role):
    # given
    if role == "superuser":
        user = user_factory("u")
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    elif role == "member_self":
        user = user_factory("u", "member", tree["A1"], scope="self")
    else:
        user = user_factory("u", None if role == "no_role" else role, tree["G"])
    login_session(client, user)
    # when
    html = client.get("/").content.decode()
    # then
    assert menu_of(html) == MENUS[role]


def test_the_menu_speaks_english_when_asked(client, tree, user_factory):
    # given
    login_session(client, user_factory("u", "auditor", tree["G"]))
    client.cookies["django_language"] = "en"
    # when
    html = client.get("/").content.decode()
    # then
    assert menu_of(html) == [["Organizations", [["Org tree", "/orgs/"], ["Org chart", "/orgs/chart/"]]],
                             ["Organizational life", [["My meetings", "/meetings/mine/"]]],
                             ["Dues calculator", "/dues/calculator/"], ["Audit log", "/audit/"],
                             ["API", "/api/v1/docs"]]


def test_anonymous_pages_have_no_menu(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert menu_of(html) == []
