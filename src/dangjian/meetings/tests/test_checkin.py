"""The one-time attendance code: right, wrong, expired, not yet open, not on the roll, locked out."""
import datetime as dt

import pytest
from django.test import override_settings

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.meetings.models import Attendance
from dangjian.meetings.services import checkin_code_issue, meeting_checkin
from dangjian.meetings.tests.fixtures import shanghai

pytestmark = pytest.mark.django_db

START = shanghai(2024, 3, 15, 14)  # the meeting runs 14:00–16:00; the code works 13:30–16:30


@pytest.fixture
def setting(tree, branch, meeting_factory, user_factory):
    from dangjian.members.services import member_link_user

    meeting = meeting_factory("A1", "theme_day", START)
    checkin_code_issue(actor=None, meeting=meeting, now=START - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    user = user_factory("dangyuan")
    member_link_user(actor=None, member=branch.full[0], user=user)
    outsider = user_factory("waibu")
    member_link_user(actor=None, member=branch.other, user=outsider)
    return meeting, user, outsider, branch.full[0]


def _errors(exc):
    return [(e.code, e.field, e.message) for e in exc.value.errors]


def _state(meeting):
    return (list(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status", "self_confirmed_at")),
            list(AuditEntry.objects.exclude(action="meetings.checkin_failed").values_list("seq", flat=True)))


def test_code_is_six_digits_and_its_issue_is_audited_without_the_code(setting):
    meeting, *_ = setting
    assert len(meeting.checkin_code) == 6 and meeting.checkin_code.isdigit()
    entry = AuditEntry.objects.filter(action="meetings.checkin_code").get()
    assert meeting.checkin_code not in str(entry.after)


def test_right_code_marks_the_member_present_once(setting):
    meeting, user, _outsider, member = setting
    now = START + dt.timedelta(minutes=5)
    # when
    row = meeting_checkin(actor=user, meeting=meeting, code=f" {meeting.checkin_code} ", now=now)
    again = meeting_checkin(actor=user, meeting=meeting, code="wrong", now=now + dt.timedelta(minutes=1))
    # then
    assert (row.member_id, row.status, row.self_confirmed_at) == (member.pk, "present", now)
    assert again.pk == row.pk
    entries = list(AuditEntry.objects.filter(action="meetings.checkin").values_list("actor_id", "after"))
    assert entries == [(user.pk, {"member": member.pk, "at": str(now)})]


@pytest.mark.parametrize(
    ("_case", "minutes", "ok"),
    [("window_opens", -30, True), ("before_window", -31, False), ("window_closes", 150, True),
     ("expired", 151, False)],
)
def test_code_works_only_in_the_meeting_window(setting, _case, minutes, ok):
    meeting, user, *_ = setting
    now = START + dt.timedelta(minutes=minutes)
    if ok:
        assert meeting_checkin(actor=user, meeting=meeting, code=meeting.checkin_code, now=now).status == "present"
        return
    before = _state(meeting)
    with pytest.raises(DomainError) as exc:
        meeting_checkin(actor=user, meeting=meeting, code=meeting.checkin_code, now=now)
    message = "签到码已过期" if minutes > 0 else "还未到签到时间"
    assert _errors(exc) == [("meetings.checkin_closed", "code", message)]
    assert _state(meeting) == before
    assert AuditEntry.objects.filter(action="meetings.checkin_failed").count() == 0


def test_wrong_code_changes_nothing_but_records_the_attempt(setting):
    meeting, user, *_ = setting
    wrong = "000000" if meeting.checkin_code != "000000" else "111111"
    before = _state(meeting)
    with pytest.raises(DomainError) as exc:
        meeting_checkin(actor=user, meeting=meeting, code=wrong, now=START)
    assert _errors(exc) == [("meetings.checkin_code_wrong", "code", "签到码不正确")]
    assert _state(meeting) == before
    assert list(AuditEntry.objects.filter(action="meetings.checkin_failed").values_list("actor_id", "target_id")) == [
        (user.pk, str(meeting.pk))]


@override_settings(DANGJIAN_MEETINGS_CHECKIN_MAX_FAILURES=3)
def test_too_many_wrong_codes_lock_the_member_out(setting):
    meeting, user, *_ = setting
    wrong = "000000" if meeting.checkin_code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(DomainError):
            meeting_checkin(actor=user, meeting=meeting, code=wrong, now=START)
    with pytest.raises(DomainError) as exc:
        meeting_checkin(actor=user, meeting=meeting, code=meeting.checkin_code, now=START)
    assert _errors(exc)[0][0] == "meetings.checkin_locked"
    assert Attendance.objects.filter(meeting=meeting).count() == 0


def test_member_of_another_branch_cannot_check_in(setting):
    meeting, _user, outsider, _member = setting
    before = _state(meeting)
    with pytest.raises(DomainError) as exc:
        meeting_checkin(actor=outsider, meeting=meeting, code=meeting.checkin_code, now=START)
    assert _errors(exc) == [("meetings.checkin_not_on_roll", "meeting", "您不在本次会议的参会名单中")]
    assert _state(meeting) == before


def test_no_code_issued_yet(tree, branch, meeting_factory, user_factory):
    from dangjian.members.services import member_link_user

    meeting = meeting_factory("A1", "theme_day", START)
    user = user_factory("dangyuan")
    member_link_user(actor=None, member=branch.full[1], user=user)
    with pytest.raises(DomainError) as exc:
        meeting_checkin(actor=user, meeting=meeting, code="123456", now=START)
    assert _errors(exc) == [("meetings.checkin_no_code", "code", "本次会议尚未发布签到码")]


def test_a_new_code_replaces_the_old_one(setting):
    meeting, user, *_ = setting
    old = meeting.checkin_code
    for _ in range(5):  # a fresh code differs from the old one with probability 1 - 1e-6 each time
        checkin_code_issue(actor=None, meeting=meeting, now=START)
        meeting.refresh_from_db()
        if meeting.checkin_code != old:
            break
    with pytest.raises(DomainError):
        meeting_checkin(actor=user, meeting=meeting, code=old, now=START)
    assert meeting_checkin(actor=user, meeting=meeting, code=meeting.checkin_code, now=START).status == "present"


def test_no_code_after_the_meeting_window(setting):
    meeting, *_ = setting
    with pytest.raises(DomainError) as exc:
        checkin_code_issue(actor=None, meeting=meeting, now=START + dt.timedelta(hours=3))
    assert _errors(exc) == [("meetings.checkin_closed", None, "会议已结束，不能再发签到码")]
