"""Recording a meeting with its roll call on a phone (390×844), as a branch secretary: the page opens
with the kind, the branch, the time (the hour just past) and the whole roll marked present; the
secretary types the topic, taps 请假 for one member (and types the reason), taps 缺席 for another and
saves. The test MEASURES the elapsed time and the interactions (clicks + fields typed into) from opening
the page to the saved meeting, prints them and writes them to ``test-artifacts/meeting_timing.json``.

A second test: a member confirms their attendance on their phone with the one-time code the secretary
shows at the meeting. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser

NAMES = ["李明华", "王秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏"]
# A rough keystroke-level model of a person on a phone, to read the measured interactions as human time:
# a tap ≈ 1.2 s (find and hit the target), a typed field ≈ 2 s to focus plus 0.8 s per Chinese character
# (pinyin input with candidate selection).
TAP_S, FIELD_S, CHAR_S = 1.2, 2.0, 0.8


@pytest.fixture
def branch(tree, member_factory):
    """Branch A1 with ten members (the secretary is the first) and one member in B1."""
    members = [member_factory("A1", name=n) for n in NAMES]
    member_factory("B1", name="乙支部党员")
    return members


@pytest.fixture
def secretary(account, tree, branch):
    from dangjian.members.services import member_link_user

    user = account("zhibu", role="branch_secretary", org=tree["A1"], scope="org", display_name="甲一支部书记")
    member_link_user(actor=None, member=branch[0], user=user)
    return user


class Counter:
    """Counts what a person does: taps (clicks) and fields typed into."""

    def __init__(self, page):
        self.page, self.clicks, self.fields, self.chars = page, 0, 0, 0

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()
        self.clicks += 1

    def type(self, selector: str, text: str) -> None:
        self.page.locator(selector).fill(text)
        self.fields += 1
        self.chars += len(text)

    @property
    def interactions(self) -> int:
        return self.clicks + self.fields


def test_secretary_records_a_meeting_with_attendance_on_a_phone(page, live_server, login, secretary, branch, tree,
                                                               screenshot):
    from dangjian.meetings.models import Meeting

    # given: signed in on a phone
    page.set_viewport_size(PHONE)
    login("zhibu", next_path="/meetings/mine/")
    page.wait_for_url("**/meetings/mine/")
    assert_assets_loaded(page)
    leave, absent = branch[3], branch[6]
    act = Counter(page)
    # when: from opening the page …
    started = time.perf_counter()
    page.goto("/meetings/new/")
    expect(page.locator("[data-org]")).to_have_text("甲一支部")
    expect(page.locator("#id_kind")).to_have_value("theme_day")
    expect(page.locator("input[value=present]:checked")).to_have_count(len(branch))
    act.type("#id_topic", "学习贯彻党的二十大精神")
    act.click(f"label[for=att_{leave.pk}_leave]")
    act.type(f"#reason_{leave.pk}", "出差")
    act.click(f"label[for=att_{absent.pk}_absent]")
    form_shot_at = time.perf_counter()
    screenshot("meetings-record-phone")  # (not counted in the timing below)
    shot_seconds = time.perf_counter() - form_shot_at
    act.click("[data-save]")
    page.wait_for_url("**/meetings/*/")
    expect(page.locator(".alert-success")).to_contain_text("已登记：主题党日“学习贯彻党的二十大精神”")
    elapsed = time.perf_counter() - started - shot_seconds
    # … to saved
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.org_id, meeting.kind.code) == ("held", tree["A1"].pk, "theme_day")
    rows = dict(meeting.attendances.values_list("member_id", "status"))
    assert rows == {m.pk: ("leave" if m == leave else "absent" if m == absent else "present") for m in branch}
    assert meeting.attendances.get(member=leave).reason == "出差"
    assert meeting.starts_at <= timezone.now() < meeting.starts_at + dt.timedelta(hours=2)
    expect(page.locator("[data-counts]")).to_have_text("出席 8 · 请假 1 · 缺席 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("meetings-detail-phone")
    # then: the measurement, printed and written for the report
    estimate = act.clicks * TAP_S + act.fields * FIELD_S + act.chars * CHAR_S
    result = {
        "viewport": f"{PHONE['width']}x{PHONE['height']}",
        "seconds": round(elapsed, 2),
        "interactions": act.interactions,
        "clicks": act.clicks,
        "fields": act.fields,
        "characters_typed": act.chars,
        "roll_size": len(branch),
        "estimated_human_seconds": round(estimate, 1),
        "estimate_model": f"tap {TAP_S} s, field {FIELD_S} s + {CHAR_S} s per character",
        "from": "opening /meetings/new/", "to": "the saved meeting's page",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "meeting_timing.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                                    encoding="utf-8")
    print(f"\nrecording a meeting at {result['viewport']}: {result['seconds']} s, {result['interactions']} "
          f"interactions ({act.clicks} clicks + {act.fields} fields, {act.chars} characters); "
          f"estimated for a person: {result['estimated_human_seconds']} s")
    assert act.interactions == 5
    assert elapsed < 60 and estimate < 60


def test_member_confirms_attendance_with_the_code_on_a_phone(page, live_server, login, account, tree, branch,
                                                             screenshot):
    from dangjian.meetings.models import Attendance, MeetingKind
    from dangjian.meetings.services import checkin_code_issue, meeting_create
    from dangjian.members.services import member_link_user

    # given: a meeting running now with a code shown in the room; a member's account
    start = timezone.now() - dt.timedelta(minutes=15)
    meeting = meeting_create(actor=None, org=tree["A1"], kind=MeetingKind.objects.get(code="general_meeting"),
                             topic="支部党员大会", starts_at=start, ends_at=start + dt.timedelta(hours=2))
    meeting = checkin_code_issue(actor=None, meeting=meeting)
    user = account("dangyuan")
    member_link_user(actor=None, member=branch[4], user=user)
    page.set_viewport_size(PHONE)
    login("dangyuan", next_path="/meetings/mine/")
    page.wait_for_url("**/meetings/mine/")
    # when: a wrong code, then the right one
    page.locator("[data-checkin-link]").click()
    page.fill("#id_code", "1")
    page.locator("[data-checkin-form] button[type=submit]").click()
    expect(page.locator("[data-field-error=code]")).to_have_text("签到码不正确")
    page.fill("#id_code", meeting.checkin_code)
    page.locator("[data-checkin-form] button[type=submit]").click()
    # then
    page.wait_for_url("**/meetings/mine/")
    expect(page.locator(".alert-success")).to_contain_text("签到成功")
    expect(page.locator(f"[data-meeting='{meeting.pk}']")).to_contain_text("已签到")
    row = Attendance.objects.get(meeting=meeting, member=branch[4])
    assert (row.status, row.self_confirmed_at is not None) == ("present", True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("meetings-checkin-phone")
