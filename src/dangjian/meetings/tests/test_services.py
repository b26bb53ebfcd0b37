"""Meeting services: plan, record with the roll call, edit, cancel, minutes, attachments, follow-ups —
exact rows and audit entries; every refused input names its field and writes nothing."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.http import Http404
from django.test import override_settings

from dangjian.audit.models import AuditEntry
from dangjian.core import events
from dangjian.core.errors import DomainError
from dangjian.meetings.events import MeetingHeld
from dangjian.meetings.models import Attendance, FollowUp, Meeting, MeetingAttachment
from dangjian.meetings.services import (
    attachment_add,
    followup_add,
    followup_complete,
    meeting_cancel,
    meeting_create,
    meeting_minutes_set,
    meeting_record,
    meeting_update,
)
from dangjian.meetings.tests.fixtures import shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2024, 3, 20, 12)
MB = 1024 * 1024


def _errors(exc):
    return [(e.code, e.field) for e in exc.value.errors]


def _counts():
    return (Meeting.objects.count(), Attendance.objects.count(), MeetingAttachment.objects.count(),
            FollowUp.objects.count(), AuditEntry.objects.count())


def _last_audit():
    return AuditEntry.objects.order_by("-seq").first()


def _record_args(tree, kinds, **over):
    args = {"actor": None, "org": tree["A1"], "kind": kinds["theme_day"], "topic": "主题党日：学习党章",
            "starts_at": shanghai(2024, 3, 15, 14), "ends_at": shanghai(2024, 3, 15, 16), "held": True,
            "attendance": [], "now": NOW}
    args.update(over)
    return args


@pytest.fixture
def held_events():
    seen = []

    events.subscribe(MeetingHeld, seen.append)
    yield seen
    events.unsubscribe(MeetingHeld, seen.append)


# ------------------------------------------------------------------------------------------ create

def test_plan_a_meeting_writes_it_and_one_audit_entry_and_no_roll(tree, kinds, branch):
    # when
    meeting = meeting_create(actor=None, org=tree["A1"], kind=kinds["general_meeting"], topic="支部党员大会",
                             agenda=["传达上级精神", "", "  讨论发展对象  "], place="三楼会议室",
                             online_url="https://meeting.example.cn/j/123", starts_at=shanghai(2024, 4, 2, 9),
                             ends_at=shanghai(2024, 4, 2, 11), now=NOW)
    # then
    meeting.refresh_from_db()
    assert (meeting.status, meeting.meeting_date, meeting.agenda, meeting.recorded_at) == (
        "planned", dt.date(2024, 4, 2), ["传达上级精神", "讨论发展对象"], None)
    assert Attendance.objects.filter(meeting=meeting).count() == 0
    entry = _last_audit()
    assert (entry.action, entry.target_id, entry.org_path) == ("meetings.create", str(meeting.pk), tree["A1"].path)
    assert (entry.after["status"], entry.after["kind"], entry.after["online_url"]) == (
        "planned", "general_meeting", "https://meeting.example.cn/j/123")


def test_record_held_takes_the_roll_everyone_listed_and_publishes_held(tree, kinds, branch, held_events,
                                                                      django_capture_on_commit_callbacks):
    # given
    a, b, c = branch.full
    # when
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_create(**_record_args(tree, kinds, attendance=[
            {"member": a.pk, "status": "present"},
            {"member": b.pk, "status": "leave", "reason": "出差"},
            {"member": c.pk, "status": "absent"},
        ]))
    # then: the probationary member (not listed) is recorded absent
    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert rows == {a.pk: "present", b.pk: "leave", c.pk: "absent", branch.probationary.pk: "absent"}
    assert Attendance.objects.get(meeting=meeting, member=b).reason == "出差"
    assert (meeting.status, meeting.recorded_at) == ("held", NOW)
    entry = _last_audit()
    assert (entry.action, entry.after["status"], entry.after["attendance"]) == (
        "meetings.create", "held", {"present": 1, "leave": 1, "absent": 2})
    assert held_events == [MeetingHeld(org_ids=(tree["A1"].pk,), meeting_id=meeting.pk)]


def test_nothing_is_published_when_the_transaction_rolls_back(tree, kinds, branch, held_events,
                                                              django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                meeting_create(**_record_args(tree, kinds))
                raise RuntimeError("later failure")
        except RuntimeError:
            pass
    assert (callbacks, held_events) == ([], [])


@pytest.mark.parametrize(
    ("_case", "over", "errors"),
    [
        ("end_before_start", {"ends_at": shanghai(2024, 3, 15, 13)}, [("meetings.end_before_start", "ends_at")]),
        ("end_equals_start", {"ends_at": shanghai(2024, 3, 15, 14)}, [("meetings.end_before_start", "ends_at")]),
        ("held_in_future", {"starts_at": shanghai(2024, 3, 20, 12, 1), "ends_at": shanghai(2024, 3, 20, 14)},
         [("meetings.held_in_future", "starts_at")]),
        ("ftp_url", {"online_url": "ftp://files.example.cn/x"}, [("meetings.url_invalid", "online_url")]),
        ("javascript_url", {"online_url": "javascript:alert(1)"}, [("meetings.url_invalid", "online_url")]),
        ("not_a_url", {"online_url": "腾讯会议 123"}, [("meetings.url_invalid", "online_url")]),
        ("no_topic", {"topic": "  "}, [("meetings.topic_required", "topic")]),
        ("kind_not_for_branch", {"kind": "party_committee"}, [("meetings.kind_org_type", "kind")]),
        ("no_kind", {"kind": None}, [("meetings.kind_unknown", "kind")]),
        ("group_meeting_without_group", {"kind": "group_meeting"}, [("meetings.group_required", "party_group")]),
        ("leave_without_reason", {"attendance": [{"member": 0, "status": "leave"}]},
         [("meetings.leave_reason_required", "attendance.0.reason")]),
        ("bad_status", {"attendance": [{"member": 0, "status": "late"}]},
         [("meetings.attendance_status", "attendance.0.status")]),
        ("twice", {"attendance": [{"member": 0, "status": "present"}, {"member": 0, "status": "absent"}]},
         [("meetings.attendance_duplicate", "attendance.1.member")]),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(tree, kinds, branch, _case, over, errors):
    # given
    over = dict(over)
    if "kind" in over:
        over["kind"] = kinds[over["kind"]] if over["kind"] else None
    for entry in over.get("attendance", []):
        entry["member"] = branch.full[entry["member"]].pk
    before = _counts()
    # when
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, **over))
    # then
    assert _errors(exc) == errors
    assert all(e.message for e in exc.value.errors)
    assert _counts() == before


def test_attendance_of_a_member_from_another_branch_is_refused_at_its_row(tree, kinds, branch):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, attendance=[
            {"member": branch.full[0].pk, "status": "present"},
            {"member": branch.other.pk, "status": "present"},
            {"member": 987654321, "status": "present"},
        ]))
    # then: B1's member and an unknown id get the same answer
    assert _errors(exc) == [("meetings.attendance_not_on_roll", "attendance.1.member"),
                            ("meetings.attendance_not_on_roll", "attendance.2.member")]
    assert exc.value.errors[0].message == exc.value.errors[1].message == "该党员不在本次会议的参会名单中（只能登记本组织的党员）"
    assert _counts() == before


def test_several_bad_fields_are_reported_together(tree, kinds, branch):
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, topic="", online_url="ftp://x", ends_at=shanghai(2024, 3, 1)))
    assert _errors(exc) == [("meetings.topic_required", "topic"), ("meetings.url_invalid", "online_url"),
                            ("meetings.end_before_start", "ends_at")]


def test_http_and_https_links_are_accepted(tree, kinds, branch):
    for url in ("http://10.1.2.3:8080/room/7", "https://meeting.tencent.com/dm/abc"):
        meeting = meeting_create(**_record_args(tree, kinds, online_url=url))
        assert meeting.online_url == url


def test_held_at_now_is_accepted(tree, kinds, branch):
    meeting = meeting_create(**_record_args(tree, kinds, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1)))
    assert meeting.status == "held"


def test_group_meeting_takes_the_group_roll_only(tree, kinds, branch):
    # given: members 0 and 1 are in A1G1, member 2 is not
    group = tree["A1G1"]
    # when
    meeting = meeting_create(**_record_args(tree, kinds, kind=kinds["group_meeting"], party_group=group))
    # then
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True)) == {
        branch.full[0].pk, branch.full[1].pk}
    assert meeting.subject_id == group.pk
    # and: a branch member outside the group is refused
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, kind=kinds["group_meeting"], party_group=group,
                                      attendance=[{"member": branch.full[2].pk, "status": "present"}]))
    assert _errors(exc) == [("meetings.attendance_not_on_roll", "attendance.0.member")]


def test_group_of_another_branch_is_refused(tree, kinds, branch):
    from dangjian.orgs.services import org_create

    b_group = org_create(actor=None, parent=tree["B1"], name="乙一党小组", code="B1G1", org_type="group")
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, kind=kinds["group_meeting"], party_group=b_group))
    assert _errors(exc) == [("meetings.group_not_in_org", "party_group")]
    with pytest.raises(DomainError) as exc:
        meeting_create(**_record_args(tree, kinds, party_group=tree["A1G1"]))
    assert _errors(exc) == [("meetings.group_not_allowed", "party_group")]


def test_committee_meeting_takes_the_committee_roll_when_one_is_recorded(tree, kinds, branch):
    from dangjian.members.services import seat_assign
    from dangjian.orgs.services import term_create

    # given: no committee yet → the whole branch
    first = meeting_create(**_record_args(tree, kinds, kind=kinds["committee_meeting"]))
    assert Attendance.objects.filter(meeting=first).count() == 4
    term = term_create(actor=None, org=tree["A1"], start_date=dt.date(2023, 1, 10))
    seat_assign(actor=None, term=term, member=branch.full[0], position="secretary", since=dt.date(2023, 1, 10))
    seat_assign(actor=None, term=term, member=branch.full[1], position="organization", since=dt.date(2023, 1, 10))
    # when
    second = meeting_create(**_record_args(tree, kinds, kind=kinds["committee_meeting"]))
    # then
    assert set(Attendance.objects.filter(meeting=second).values_list("member_id", flat=True)) == {
        branch.full[0].pk, branch.full[1].pk}


def test_out_of_scope_actor_gets_404_and_nothing_is_written(tree, kinds, branch, user_factory):
    actor = user_factory("b_worker", "party_worker", tree["B1"], scope="org")
    before = _counts()
    with pytest.raises(Http404):
        meeting_create(**_record_args(tree, kinds, actor=actor))
    assert _counts() == before


# ------------------------------------------------------------------------------- record, edit, cancel

def test_record_a_planned_meeting_keeps_self_confirmed_members_present(tree, kinds, branch, meeting_factory):
    # given: a planned meeting; member 0 confirmed with the code
    meeting = meeting_factory(start=shanghai(2024, 3, 18, 9))
    Attendance.objects.create(meeting=meeting, member=branch.full[0], status="present",
                              self_confirmed_at=shanghai(2024, 3, 18, 9, 5))
    # when
    meeting_record(actor=None, meeting=meeting, attendance=[{"member": branch.full[1].pk, "status": "present"}],
                   minutes="会议记录正文", now=NOW)
    # then
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, meeting.recorded_at) == ("held", "会议记录正文", NOW)
    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert rows == {branch.full[0].pk: "present", branch.full[1].pk: "present", branch.full[2].pk: "absent",
                    branch.probationary.pk: "absent"}
    entry = _last_audit()
    assert (entry.action, entry.before["status"], entry.after["status"], entry.after["attendance"]) == (
        "meetings.record", "planned", "held", {"present": 2, "leave": 0, "absent": 2})


def test_record_refuses_a_start_in_the_future_and_writes_nothing(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory(start=shanghai(2024, 3, 25, 9))
    before = _counts()
    with pytest.raises(DomainError) as exc:
        meeting_record(actor=None, meeting=meeting, attendance=[], now=NOW)
    assert _errors(exc) == [("meetings.held_in_future", "starts_at")]
    assert _counts() == before
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_cancel_then_record_is_refused(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory(start=shanghai(2024, 3, 18, 9))
    meeting_cancel(actor=None, meeting=meeting, reason="防汛值班")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, _last_audit().action) == ("cancelled", "防汛值班", "meetings.cancel")
    with pytest.raises(DomainError) as exc:
        meeting_record(actor=None, meeting=meeting, attendance=[], now=NOW)
    assert _errors(exc) == [("meetings.not_planned", None)]
    with pytest.raises(DomainError) as exc:
        meeting_cancel(actor=None, meeting=meeting, reason="again")
    assert _errors(exc) == [("meetings.not_planned", None)]


def test_cancel_needs_a_reason(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory()
    with pytest.raises(DomainError) as exc:
        meeting_cancel(actor=None, meeting=meeting, reason=" ")
    assert _errors(exc) == [("meetings.cancel_reason_required", "reason")]


def test_update_moves_the_meeting_and_its_date(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory(start=shanghai(2024, 3, 5, 14))
    meeting_update(actor=None, meeting=meeting, starts_at=shanghai(2024, 3, 31, 23, 30),
                   ends_at=shanghai(2024, 4, 1, 0, 30), topic="改期", now=NOW)
    meeting.refresh_from_db()
    assert (meeting.meeting_date, meeting.topic) == (dt.date(2024, 3, 31), "改期")
    entry = _last_audit()
    assert (entry.action, entry.before["topic"], entry.after["topic"]) == ("meetings.update", "学习贯彻会议精神", "改期")


def test_minutes_are_set_and_audited_by_length(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory(held=True, now=NOW)
    meeting_minutes_set(actor=None, meeting=meeting, minutes="一、传达……")
    meeting.refresh_from_db()
    assert meeting.minutes == "一、传达……"
    assert (_last_audit().action, _last_audit().after) == ("meetings.minutes", {"minutes_length": 6})


# --------------------------------------------------------------------------------------- attachments

def _upload(name, content=b"%PDF-1.7 test", size=None, content_type="application/pdf"):
    if size is None:
        return SimpleUploadedFile(name, content, content_type=content_type)
    return InMemoryUploadedFile(io.BytesIO(content), "file", name, content_type, size, None)


def test_attachment_is_stored_with_its_name_size_and_audit(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory()
    attachment = attachment_add(actor=None, meeting=meeting, upload=_upload("签到表.pdf"))
    attachment.refresh_from_db()
    assert (attachment.name, attachment.size, attachment.content_type) == ("签到表.pdf", 13, "application/pdf")
    assert attachment.file.name.startswith(f"meetings/{meeting.pk}/") and attachment.file.name.endswith(".pdf")
    assert attachment.file.read() == b"%PDF-1.7 test"
    assert (_last_audit().action, _last_audit().after["name"]) == ("meetings.attachment_add", "签到表.pdf")


@pytest.mark.parametrize(
    ("_case", "upload", "code", "message"),
    [
        ("too_large", lambda: _upload("纪要.pdf", size=20 * MB + 1), "meetings.attachment_too_large",
         "附件不能超过 20 MB（此文件 20.0 MB）"),
        ("exe", lambda: _upload("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
         "meetings.attachment_type", "不支持此文件类型，只能上传：docx、jpeg、jpg、pdf、png、xlsx"),
        ("no_extension", lambda: _upload("README", b"hello"), "meetings.attachment_type",
         "不支持此文件类型，只能上传：docx、jpeg、jpg、pdf、png、xlsx"),
        ("disguised", lambda: _upload("photo.png", b"<html>not a png</html>", content_type="image/png"),
         "meetings.attachment_type", "文件内容与扩展名 .png 不符，请上传真实的 png 文件"),
        ("empty", lambda: _upload("empty.pdf", b""), "meetings.attachment_empty", "文件是空的"),
    ],
)
def test_bad_attachment_is_refused_with_a_clear_message_and_nothing_stored(tree, kinds, branch, meeting_factory,
                                                                          _case, upload, code, message):
    meeting = meeting_factory()
    before = _counts()
    with pytest.raises(DomainError) as exc:
        attachment_add(actor=None, meeting=meeting, upload=upload())
    assert [(e.code, e.field, e.message) for e in exc.value.errors] == [(code, "file", message)]
    assert _counts() == before


def test_attachment_at_exactly_the_limit_is_accepted(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory()
    attachment = attachment_add(actor=None, meeting=meeting, upload=_upload("纪要.pdf", size=20 * MB))
    assert attachment.size == 20 * MB


@override_settings(DANGJIAN_MEETINGS_ATTACHMENT_MAX_MB=1, DANGJIAN_MEETINGS_ATTACHMENT_TYPES="pdf,txt")
def test_attachment_limits_come_from_settings(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory()
    assert attachment_add(actor=None, meeting=meeting, upload=_upload("a.txt", b"plain text")).name == "a.txt"
    with pytest.raises(DomainError) as exc:
        attachment_add(actor=None, meeting=meeting, upload=_upload("b.pdf", size=MB + 1))
    assert exc.value.errors[0].message == "附件不能超过 1 MB（此文件 1.0 MB）"
    with pytest.raises(DomainError) as exc:
        attachment_add(actor=None, meeting=meeting, upload=_upload("c.png", b"\x89PNG\r\n\x1a\nxx"))
    assert exc.value.errors[0].message == "不支持此文件类型，只能上传：pdf、txt"


# ---------------------------------------------------------------------------------------- follow-ups

def test_followup_with_owner_and_due_date_then_done(tree, kinds, branch, meeting_factory):
    meeting = meeting_factory(start=shanghai(2024, 3, 5, 14))
    followup = followup_add(actor=None, meeting=meeting, title="整改学习台账", owner_id=branch.full[2].pk,
                            due_on=dt.date(2024, 3, 31))
    assert (followup.owner_id, followup.due_on, followup.done_on) == (branch.full[2].pk, dt.date(2024, 3, 31), None)
    assert _last_audit().action == "meetings.followup_add"
    followup_complete(actor=None, followup=followup, done_on=dt.date(2024, 3, 20), today=dt.date(2024, 3, 21))
    followup.refresh_from_db()
    assert followup.done_on == dt.date(2024, 3, 20)
    with pytest.raises(DomainError) as exc:
        followup_complete(actor=None, followup=followup, today=dt.date(2024, 3, 21))
    assert _errors(exc) == [("meetings.followup_done", None)]


def test_followup_owner_from_another_branch_and_due_before_the_meeting_are_refused(tree, kinds, branch,
                                                                                   meeting_factory):
    meeting = meeting_factory(start=shanghai(2024, 3, 5, 14))
    before = _counts()
    with pytest.raises(DomainError) as exc:
        followup_add(actor=None, meeting=meeting, title="x", owner_id=branch.other.pk, due_on=dt.date(2024, 3, 4))
    assert _errors(exc) == [("meetings.followup_owner", "owner"), ("meetings.followup_due", "due_on")]
    assert _counts() == before
