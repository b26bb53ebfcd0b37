"""The member's own hub on a phone (390×844; issue 9, points 4 and 5): a plain member signs in, and from
home reaches their dues in one tap and a past meeting's minutes in two (home → 我的会议 → the meeting),
without sideways scrolling and without any manager screen on the way. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser

MINUTES = "会议由支部书记主持，全体党员交流学习体会。"


@pytest.fixture
def member(account, tree, member_factory):
    """A plain member of A1 (the 党员 role with the "self" scope, as the demo grants it) with a past,
    recorded meeting of their branch; one meeting of B1 they must not see."""
    import datetime as dt

    from dangjian.meetings.models import MeetingKind
    from dangjian.meetings.services import meeting_create
    from dangjian.meetings.tests.fixtures import shanghai
    from dangjian.members.services import member_link_user

    def held(code: str, day: int, topic: str, **extra):
        start = shanghai(2024, 3, day, 14)
        return meeting_create(actor=None, org=tree[code], kind=MeetingKind.objects.get(code="theme_day"), topic=topic,
                              starts_at=start, ends_at=start + dt.timedelta(hours=2), held=True, **extra)

    me = member_factory("A1", name="王芳")
    member_factory("A1", name="李雷")
    user = account("dangyuan", role="member", org=tree["A1"], scope="self", display_name="王芳")
    member_link_user(actor=None, member=me, user=user)
    held("A1", 5, "学习新党章", agenda=["传达上级精神", "交流发言"], minutes=MINUTES)
    held("B1", 6, "乙支部的会议")
    return me


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_member_reaches_dues_and_a_past_meetings_minutes_from_home_in_few_taps(page, login, member, screenshot):
    # given: signed in on a phone
    page.set_viewport_size(PHONE)
    login("dangyuan")
    assert_assets_loaded(page)
    hub = page.locator('[data-testid="my-hub"]')
    expect(hub).to_be_visible()
    expect(page.locator('[data-testid="manager-scope"]')).to_have_count(0)
    expect(page.get_by_text("我的管理范围")).to_have_count(0)
    _no_sideways_scroll(page)
    screenshot("member_hub_home_phone")
    # the hub's links are big enough to hit with a thumb (44 px)
    for key in ("dues", "meetings", "record", "notifications"):
        box = page.locator(f'[data-hub="{key}"]').bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, (key, box)

    # when: tap 1 — my dues
    page.locator('[data-hub="dues"]').click()
    page.wait_for_load_state("load")
    # then
    assert page.url.endswith(f"/dues/members/{member.pk}/"), page.url
    expect(page.locator("main")).to_contain_text("王芳")
    _no_sideways_scroll(page)

    # when: back home; tap 1 — my meetings, tap 2 — the past meeting
    page.goto("/")
    page.locator('[data-hub="meetings"]').click()
    page.wait_for_url("**/meetings/mine/")
    expect(page.locator("main")).not_to_contain_text("乙支部的会议")
    _no_sideways_scroll(page)
    page.locator("[data-past] a[data-meeting-link]", has_text="学习新党章").click()
    page.wait_for_load_state("load")
    # then: the agenda and the minutes are there to read (2 taps from home)
    expect(page.locator("main")).to_contain_text("传达上级精神")
    expect(page.locator("[data-minutes]")).to_contain_text(MINUTES)
    _no_sideways_scroll(page)
    screenshot("member_hub_meeting_minutes_phone")
