"""Meeting pages: the phone-first record form (defaults, roll, errors at their rows), a meeting, my
meetings and check-in, calendar, compliance, series, elections and terms; branch A cannot reach B."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.meetings.models import Attendance, ElectionRecord, Meeting, MeetingAttachment, MeetingSeries
from dangjian.meetings.services import checkin_code_issue
from dangjian.meetings.tests.fixtures import shanghai
from dangjian.members.services import member_link_user
from tests.fixtures import audit_count
from tests.test_authz_web import signin

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(client, tree, branch, user_factory):
    """The A1 branch secretary (org scope), linked to the first A1 member."""
    user = user_factory("a1sec", "branch_secretary", tree["A1"], scope="org")
    member_link_user(actor=None, member=branch.full[0], user=user)
    signin(client, user)
    return user


def _counts():
    return (Meeting.objects.count(), Attendance.objects.count(), audit_count())


def test_record_form_is_prefilled_for_the_secretarys_branch(client, tree, branch, secretary):
    # when
    response = client.get("/meetings/new/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="org" value="A1">' in html
    assert '<option value="theme_day" selected>主题党日</option>' in html
    assert html.count('value="present" autocomplete="off" checked') == 4  # the whole roll, present
    assert "乙一党员" not in html
    assert 'name="held" id="id_held" checked' in html


def test_above_branches_the_form_asks_for_an_org_before_building_a_roll(client, tree, branch, user_factory):
    # given: the organisation department over the whole group, with no member record (issue 9, point 6)
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    # when
    response = client.get("/meetings/new/")
    # then: no org, no kind, no roll; the org is a choice (a short list here, the picker when many)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="" selected>请选择党组织</option>' in html
    assert 'data-roll-choose' in html and "roll-row" not in html
    assert '<select name="kind"' in html and "<option value=" not in html.split('<select name="kind"')[1].split(
        "</select>")[0]


def test_above_branches_choosing_an_org_by_name_builds_its_roll_and_kind(client, tree, branch, user_factory):
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    # a branch, typed by name: 主题党日 and the branch's roll
    html = client.get("/meetings/new/", {"org": "甲一支部"}, headers={"HX-Request": "true"}).content.decode()
    assert '<option value="A1" selected>甲一支部</option>' in html
    assert '<option value="theme_day" selected>主题党日</option>' in html
    assert html.count('class="roll-row') == 4
    # a committee: its committee meeting (党委会: the committee's seats where recorded), not the 党课 of the
    # whole subtree
    html = client.get("/meetings/new/", {"org": "G"}, headers={"HX-Request": "true"}).content.decode()
    assert '<option value="party_committee" selected>党委会</option>' in html


def test_posting_without_an_org_is_one_field_error_and_nothing_is_written(client, tree, branch, user_factory):
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    start = timezone.localtime() - dt.timedelta(hours=2)
    before = _counts()
    response = client.post("/meetings/new/", {
        "org": "", "kind": "theme_day", "topic": "t", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert response.content.decode().count('data-field-error="org"') == 1
    assert _counts() == before


def test_many_orgs_make_the_org_field_a_picker(client, tree, branch, user_factory):
    from dangjian.orgs.services import org_create

    for n in range(50):
        org_create(actor=None, parent=tree["A"], name=f"甲{n:02d}支部", code=f"AZ{n:02d}", org_type="branch")
    signin(client, user_factory("dept", "org_dept", tree["G"]))
    html = client.get("/meetings/new/").content.decode()
    assert 'data-picker="/orgs/pick/"' in html and "type=committee%2Cgeneral_branch%2Cbranch" in html
    assert 'hx-trigger="picker:chosen"' in html
    html = client.get("/meetings/new/", {"org": "A1"}).content.decode()
    assert 'data-picker-label="甲一支部"' in html and "集团党委 › 甲公司党委" in html


def test_record_a_meeting_with_leave_and_absent(client, tree, branch, secretary):
    # given
    a, b, c = branch.full
    start = timezone.localtime() - dt.timedelta(hours=2)
    data = {"org": "A1", "kind": "theme_day", "topic": "学习新党章", "held": "on",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"),
            "roll": [m.pk for m in branch.roll], f"att_{a.pk}": "present", f"att_{b.pk}": "leave",
            f"reason_{b.pk}": "出差", f"att_{c.pk}": "absent", f"att_{branch.probationary.pk}": "present"}
    # when
    response = client.post("/meetings/new/", data)
    # then
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert (meeting.status, meeting.topic, meeting.org_id) == ("held", "学习新党章", tree["A1"].pk)
    assert dict(meeting.attendances.values_list("member_id", "status")) == {
        a.pk: "present", b.pk: "leave", c.pk: "absent", branch.probationary.pk: "present"}
    page = client.get(response["Location"]).content.decode()
    assert "出席 2 · 请假 1 · 缺席 1" in page and "出差" in page


def test_leave_without_reason_is_shown_at_its_row_and_nothing_is_written(client, tree, branch, secretary):
    b = branch.full[1]
    start = timezone.localtime() - dt.timedelta(hours=2)
    before = _counts()
    response = client.post("/meetings/new/", {
        "org": "A1", "kind": "theme_day", "topic": "t", "held": "on", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": start.strftime("%Y-%m-%dT%H:%M"), "roll": [b.pk], f"att_{b.pk}": "leave"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'class="roll-row has-error" data-member="{b.pk}"' in html and "请假请填写事由" in html
    assert 'data-field-error="ends_at">结束时间必须晚于开始时间' in html
    assert _counts() == before


def test_a_member_of_another_branch_posted_into_the_roll_is_refused(client, tree, branch, secretary):
    start = timezone.localtime() - dt.timedelta(hours=2)
    before = _counts()
    response = client.post("/meetings/new/", {
        "org": "A1", "kind": "theme_day", "topic": "t", "held": "on", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "roll": [branch.other.pk],
        f"att_{branch.other.pk}": "present"})
    assert response.status_code == 400
    assert "该党员不在本次会议的参会名单中（只能登记本组织的党员）" in response.content.decode()
    assert _counts() == before


def test_posting_for_branch_b_is_a_field_error_and_nothing_is_written(client, tree, branch, secretary):
    start = timezone.localtime() - dt.timedelta(hours=2)
    before = _counts()
    response = client.post("/meetings/new/", {
        "org": "B1", "kind": "theme_day", "topic": "t", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "未找到该组织代码，或该组织不在您的管理范围内" in response.content.decode()
    assert _counts() == before


def test_kind_change_reloads_the_roll_for_a_group_meeting(client, tree, branch, secretary):
    response = client.get("/meetings/new/", {"org": "A1", "kind": "group_meeting", "topic": "小组学习"},
                          headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<option value="A1G1" selected>甲一第一党小组</option>' in html
    assert html.count('class="roll-row') == 2
    assert 'value="小组学习"' in html


def test_branch_b_meeting_is_not_found_for_branch_a(client, tree, branch, secretary, meeting_factory):
    meeting = meeting_factory("B1", "theme_day")
    before = _counts()
    for url in (f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/edit/", f"/meetings/{meeting.pk}/record/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/meetings/{meeting.pk}/record/", {"starts_at": "2024-03-05T14:00",
                                                           "ends_at": "2024-03-05T15:00"}).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert _counts() == before
    assert "乙一支部" not in client.get("/meetings/", {"month": "2024-03"}).content.decode()


def test_detail_shows_the_code_and_record_page_keeps_self_checkins(client, tree, branch, secretary,
                                                                  meeting_factory):
    now = timezone.now()
    meeting = meeting_factory("A1", "theme_day", now - dt.timedelta(minutes=10))
    client.post(f"/meetings/{meeting.pk}/code/")
    meeting.refresh_from_db()
    assert f'<div class="code-display">{meeting.checkin_code}</div>' in client.get(
        f"/meetings/{meeting.pk}/").content.decode()
    # a member checks in on their phone
    from django.test import Client

    phone = Client()
    member_user = __import__("dangjian.accounts.services", fromlist=["user_create"]).user_create(
        actor=None, username="dy", password=None)
    member_link_user(actor=None, member=branch.full[2], user=member_user)
    phone.force_login(member_user)
    assert "签到" in phone.get("/meetings/mine/").content.decode()
    response = phone.post(f"/meetings/{meeting.pk}/checkin/", {"code": meeting.checkin_code})
    assert response.status_code == 302 and response["Location"] == "/meetings/mine/"
    wrong = phone.post(f"/meetings/{meeting.pk}/checkin/", {"code": "x"})
    assert wrong.status_code == 302  # already confirmed: nothing more to do
    html = client.get(f"/meetings/{meeting.pk}/record/").content.decode()
    assert f'data-member="{branch.full[2].pk}"' in html and "已签到" in html


def test_wrong_code_is_shown_at_the_field(client, tree, branch, meeting_factory):
    from dangjian.accounts.services import user_create

    meeting = meeting_factory("A1", "theme_day", timezone.now())
    checkin_code_issue(actor=None, meeting=meeting)
    user = user_create(actor=None, username="dy", password=None)
    member_link_user(actor=None, member=branch.full[1], user=user)
    client.force_login(user)
    response = client.post(f"/meetings/{meeting.pk}/checkin/", {"code": "abc"})
    assert response.status_code == 400
    assert 'data-field-error="code">签到码不正确' in response.content.decode()


def test_attachment_upload_refuses_a_forbidden_type_at_the_field(client, tree, branch, secretary, meeting_factory):
    meeting = meeting_factory("A1")
    response = client.post(f"/meetings/{meeting.pk}/attachments/",
                           {"file": SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")})
    assert response.status_code == 400
    assert 'data-field-error="file">不支持此文件类型' in response.content.decode()
    assert MeetingAttachment.objects.count() == 0
    ok = client.post(f"/meetings/{meeting.pk}/attachments/",
                     {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 x", content_type="application/pdf")})
    assert ok.status_code == 302
    attachment = MeetingAttachment.objects.get()
    download = client.get(f"/meetings/{meeting.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"
    assert "attachment;" in download["Content-Disposition"]


def test_calendar_and_compliance_and_list_pages(client, tree, branch, secretary, meeting_factory):
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 5, 14), held=True)
    meeting_factory("A1", "general_meeting", shanghai(2024, 3, 20, 14))
    cal = client.get("/meetings/calendar/", {"month": "2024-03"}).content.decode()
    assert 'data-day="2024-03-05"' in cal and 'class="dot held"' in cal and 'class="dot planned"' in cal
    cmp = client.get("/meetings/compliance/", {"period": "2024-Q1"}).content.decode()
    assert 'data-kind="theme_day" data-cell-status="not_held">1/3' in cmp
    assert 'data-kind="general_meeting" data-cell-status="unrecorded">0/1 +1' in cmp
    listing = client.get("/meetings/", {"month": "2024-03"}).content.decode()
    assert listing.count("data-meeting=") == 2 and "已过时间未登记" in listing


def test_series_page_creates_and_generates(client, tree, branch, secretary):
    response = client.post("/meetings/series/new/", {
        "org": "A1", "kind": "theme_day", "topic": "主题党日", "day_of_month": 10, "interval_months": 1,
        "start_time": "14:30", "duration_minutes": 90, "starts_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert series.meetings.count() == 3
    client.post(f"/meetings/series/{series.pk}/generate/", {"count": 3})
    assert series.meetings.count() == 3


def test_election_page_records_and_term_page_postpones(client, tree, branch, user_factory, member_factory):
    extra = member_factory("A1", name="甲一党员X")
    user = user_factory("dept", "org_dept", tree["A"], scope="subtree")
    signin(client, user)
    a, b, c = branch.full
    today = timezone.localdate()
    form = client.get("/meetings/elections/new/", {"org": "A1"}).content.decode()
    assert f'data-voter="{branch.probationary.pk}"' not in form and '<div class="form-control-plaintext" data-entitled>4' in form
    response = client.post("/meetings/elections/new/", {
        "org": "A1", "held_on": today.isoformat(), "attending": 4,
        f"votes_{a.pk}": 4, f"elected_{a.pk}": "on", f"position_{a.pk}": "secretary",
        f"votes_{b.pk}": 3, f"elected_{b.pk}": "on", f"votes_{c.pk}": 3, f"elected_{c.pk}": "on",
        f"votes_{extra.pk}": 1})
    election = ElectionRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/elections/{election.pk}/"
    assert (election.entitled, election.attending, election.term.number) == (4, 4, 1)
    approve = client.post(f"/meetings/elections/{election.pk}/approve/", {
        "approved_by": "A", "approved_on": today.isoformat(), "approval_doc": "甲委〔2024〕1号"})
    assert approve.status_code == 302
    overview = client.get("/meetings/elections/", {"org": "A"}).content.decode()
    assert 'data-org="A1"' in overview and 'data-term-state="current"' in overview
    response = client.post(f"/meetings/terms/{election.term.pk}/postpone/", {
        "until": (election.term.end_date + dt.timedelta(days=400)).isoformat(), "approved_by": "A",
        "approved_on": today.isoformat(), "approval_doc": "x"})
    assert response.status_code == 400
    assert "延期换届一般不超过 12 个月" in response.content.decode()


# --- my meetings: a past meeting opens with what the member may read (issue 9, point 5) -----------------


@pytest.fixture
def plain_member(client, tree, branch, user_factory):
    """A plain member of A1 (the 党员 role with the "self" scope), signed in."""
    user = user_factory("dangyuan", "member", tree["A1"], scope="self")
    member_link_user(actor=None, member=branch.full[1], user=user)
    signin(client, user)
    return user


def test_a_past_meeting_in_my_meetings_opens_with_its_agenda_minutes_and_files(client, tree, branch, plain_member,
                                                                            meeting_factory):
    # given: a held meeting of the member's branch with agenda, minutes and a file
    meeting = meeting_factory("A1", "theme_day", shanghai(2024, 3, 5, 14), held=True, topic="学习新党章",
                              agenda=["传达上级精神", "交流发言"], minutes="会议由书记主持，全体党员交流学习体会。")
    attachment = MeetingAttachment(meeting=meeting, name="签到表.pdf", size=15, content_type="application/pdf")
    attachment.file.save("sign.pdf", SimpleUploadedFile("sign.pdf", b"%PDF-1.4 sheet"), save=False)
    attachment.save()
    # when
    mine = client.get("/meetings/mine/").content.decode()
    response = client.get(f"/meetings/{meeting.pk}/")
    # then
    assert f'href="/meetings/{meeting.pk}/" data-meeting="{meeting.pk}" data-meeting-link' in mine
    # no manager screens in the sub-menu of a member whose meetings.view is a "self" grant
    assert 'href="/meetings/compliance/"' not in mine and 'href="/meetings/series/"' not in mine
    html = response.content.decode()
    assert response.status_code == 200
    assert "传达上级精神" in html and "交流发言" in html
    assert "会议由书记主持，全体党员交流学习体会。" in html and "data-minutes-form" not in html
    download = client.get(f"/meetings/{meeting.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 sheet"


def test_another_branchs_meeting_is_not_found_for_a_plain_member(client, tree, branch, plain_member,
                                                               meeting_factory):
    # given
    other = meeting_factory("B1", "theme_day", shanghai(2024, 3, 5, 14), held=True, minutes="乙一支部的记录")
    before = _counts()
    # when
    response = client.get(f"/meetings/{other.pk}/")
    missing = client.get("/meetings/987654321/")
    # then: the same answer as for a meeting that does not exist
    assert (response.status_code, response.content) == (404, missing.content)
    assert "乙一支部的记录" not in client.get("/meetings/mine/").content.decode()
    assert _counts() == before


def test_a_member_without_any_role_still_opens_their_own_meeting(client, tree, branch, user_factory,
                                                                 meeting_factory):
    # given: no role at all, only the member record (one's own records are always visible, STYLE §4)
    user = user_factory("norole")
    member_link_user(actor=None, member=branch.full[2], user=user)
    signin(client, user)
    meeting = meeting_factory("A1", "theme_day", shanghai(2024, 3, 5, 14), held=True, minutes="本支部的记录")
    # when / then
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200 and "本支部的记录" in response.content.decode()
