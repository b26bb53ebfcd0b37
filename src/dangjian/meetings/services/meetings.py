"""Writes of organisational life: plan, record (attendance, minutes), edit, cancel, attachments,
follow-ups (the one-time check-in code is in ``checkin``). Each validates every field first (nothing is written on error),
runs in one transaction and records an audit entry in it (STYLE §2). ``actor=None`` is the system.

Permission for every service here is ``meetings.change`` on the meeting's org (404 outside the actor's
scope).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import system_if_none
from dangjian.meetings import conf
from dangjian.meetings.choices import AttendanceStatus, MeetingsPerm, MeetingStatus, RollSource
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.events import MeetingHeld
from dangjian.meetings.models import Attendance, FollowUp, Meeting, MeetingAttachment, MeetingKind
from dangjian.meetings.selectors.meetings import org_roll, roll_for
from dangjian.meetings.services.common import check_text, check_url, local_date, meeting_snapshot
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

__all__ = [
    "attachment_add",
    "followup_add",
    "followup_complete",
    "lock_meeting",
    "meeting_cancel",
    "meeting_create",
    "meeting_minutes_set",
    "meeting_record",
    "meeting_update",
]

MAX_AGENDA_ITEMS = 30
MAX_MINUTES = 20_000
# What a file of an allowed type starts with (types not listed here are checked by extension only).
MAGIC = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


# ------------------------------------------------------------------------------------------- helpers

def _aware(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    raise TypeError("datetime expected")


def _check_kind_and_group(org: Organization, kind: MeetingKind | None, party_group: Organization | None,
                          errors: list[FieldError]) -> None:
    if org.status != OrgStatus.ACTIVE:
        errors.append(FieldError(MeetingsError.KIND_ORG_TYPE, "org", _("该组织已撤销")))
    if kind is None or not kind.is_active:
        errors.append(FieldError(MeetingsError.KIND_UNKNOWN, "kind", _("请选择会议类型")))
        return
    if not kind.allows(org.org_type):
        errors.append(FieldError(MeetingsError.KIND_ORG_TYPE, "kind",
                                 _("%(org_type)s不召开%(kind)s") % {"org_type": OrgType(org.org_type).label,
                                                                   "kind": kind.name}))
    if kind.roll == RollSource.GROUP:
        if party_group is None:
            errors.append(FieldError(MeetingsError.GROUP_REQUIRED, "party_group", _("党小组会请选择党小组")))
        elif not (party_group.org_type == OrgType.GROUP and party_group.path.startswith(org.path)
                  and party_group.depth == org.depth + 1 and party_group.status == OrgStatus.ACTIVE):
            errors.append(FieldError(MeetingsError.GROUP_NOT_IN_ORG, "party_group", _("该党小组不属于本支部")))
    elif party_group is not None:
        errors.append(FieldError(MeetingsError.GROUP_NOT_ALLOWED, "party_group", _("只有党小组会需要选择党小组")))


def _check_agenda(agenda: Any, errors: list[FieldError]) -> list[str]:
    if agenda is None:
        return []
    if isinstance(agenda, str):
        agenda = agenda.splitlines()
    items = [str(item).strip() for item in agenda if str(item).strip()]
    if len(items) > MAX_AGENDA_ITEMS or any(len(item) > 200 for item in items):
        errors.append(FieldError(MeetingsError.AGENDA_INVALID, "agenda",
                                 _("议程最多 %(n)s 项，每项最多 200 个字符") % {"n": MAX_AGENDA_ITEMS}))
    return items


def _check_times(starts_at: Any, ends_at: Any, errors: list[FieldError], *, held: bool,
                 now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    start, end = _aware(starts_at), _aware(ends_at)
    if start is None:
        errors.append(FieldError(MeetingsError.TIME_REQUIRED, "starts_at", _("请填写开始时间")))
    if end is None:
        errors.append(FieldError(MeetingsError.TIME_REQUIRED, "ends_at", _("请填写结束时间")))
    if start is not None and end is not None and end <= start:
        errors.append(FieldError(MeetingsError.END_BEFORE_START, "ends_at", _("结束时间必须晚于开始时间")))
    if held and start is not None and start > now:
        errors.append(FieldError(MeetingsError.HELD_IN_FUTURE, "starts_at",
                                 _("会议尚未开始，不能登记为已召开（开始时间晚于现在）")))
    return start, end


def _check_attendance(entries: Iterable[Any] | None, roll_ids: set[int],
                      errors: list[FieldError]) -> dict[int, tuple[str, str]]:
    """``[{member, status, reason}]`` → ``{member_id: (status, reason)}``; a member not on the roll (from
    another branch, or unknown) is refused at its row with the same message either way."""
    out: dict[int, tuple[str, str]] = {}
    for i, entry in enumerate(entries or []):
        data = entry if isinstance(entry, dict) else vars(entry)
        raw = data.get("member")
        member_id = getattr(raw, "pk", raw)
        status = str(data.get("status") or "")
        reason = str(data.get("reason") or "").strip()
        try:
            member_id = int(member_id)
        except (TypeError, ValueError):
            member_id = None
        if member_id is None or member_id not in roll_ids:
            errors.append(FieldError(MeetingsError.ATTENDANCE_NOT_ON_ROLL, f"attendance.{i}.member",
                                     _("该党员不在本次会议的参会名单中（只能登记本组织的党员）")))
            continue
        if member_id in out:
            errors.append(FieldError(MeetingsError.ATTENDANCE_DUPLICATE, f"attendance.{i}.member",
                                     _("同一党员登记了两次")))
            continue
        if status not in AttendanceStatus.values:
            errors.append(FieldError(MeetingsError.ATTENDANCE_STATUS, f"attendance.{i}.status",
                                     _("出勤情况应为出席、请假或缺席")))
            continue
        if status == AttendanceStatus.LEAVE and not reason:
            errors.append(FieldError(MeetingsError.LEAVE_REASON_REQUIRED, f"attendance.{i}.reason",
                                     _("请假请填写事由")))
            continue
        if len(reason) > 200:
            errors.append(FieldError(MeetingsError.TEXT_TOO_LONG, f"attendance.{i}.reason", _("最多 200 个字符")))
            continue
        out[member_id] = (status, reason if status == AttendanceStatus.LEAVE else "")
    return out


def _write_attendance(meeting: Meeting, roll_ids: list[int], given: dict[int, tuple[str, str]]) -> dict[str, int]:
    """Every roll member gets a row: the given status, else present when they confirmed themselves with
    the code, else absent. Returns the counts per status."""
    existing = {a.member_id: a for a in Attendance.objects.select_for_update().filter(meeting=meeting)}
    to_create, to_update = [], []
    for member_id in roll_ids:
        row = existing.get(member_id)
        if member_id in given:
            status, reason = given[member_id]
        elif row is not None and row.self_confirmed_at is not None:
            status, reason = AttendanceStatus.PRESENT, ""
        else:
            status, reason = AttendanceStatus.ABSENT, ""
        if row is None:
            to_create.append(Attendance(meeting=meeting, member_id=member_id, status=status, reason=reason))
        elif (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "reason"])
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for status in Attendance.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return counts


def _publish_held(meeting: Meeting) -> None:
    org_ids = [meeting.org_id] + ([meeting.party_group_id] if meeting.party_group_id else [])
    events.publish(MeetingHeld(org_ids=org_ids, meeting_id=meeting.pk))


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting re-read and locked for the rest of the transaction."""
    return Meeting.objects.select_for_update(of=("self",)).select_related("org", "kind", "party_group").get(pk=meeting.pk)


# ------------------------------------------------------------------------------------------ meetings

@transaction.atomic
def meeting_create(*, actor: Any, org: Organization, kind: MeetingKind | None, topic: str, starts_at: Any,
                   ends_at: Any, place: str = "", online_url: str = "", agenda: Any = None,
                   party_group: Organization | None = None, held: bool = False,
                   attendance: Iterable[Any] | None = None, minutes: str = "",
                   now: dt.datetime | None = None) -> Meeting:
    """Plans a meeting, or (``held=True``) records one that took place, with its roll call.

    Recording as held: the start may not be in the future; *attendance* entries
    (``{member, status, reason}``) must be on the meeting's roll (the org's members, the party group's for
    党小组会, the committee's for 支委会/党委会); roll members not listed are recorded absent.
    Audit: ``meetings.create``. Side effect (held): ``meetings.held`` after commit.
    """
    require_org_in_scope(actor=actor, org=org, perm=MeetingsPerm.CHANGE)
    now = now or timezone.now()
    errors: list[FieldError] = []
    _check_kind_and_group(org, kind, party_group, errors)
    topic = check_text(topic, "topic", errors, max_length=200, required=True, required_message=_("请填写会议主题"))
    items = _check_agenda(agenda, errors)
    place = check_text(place, "place", errors, max_length=200)
    url = check_url(online_url, "online_url", errors)
    start, end = _check_times(starts_at, ends_at, errors, held=held, now=now)
    minutes = check_text(minutes, "minutes", errors, max_length=MAX_MINUTES)
    roll_ids: list[int] = []
    given: dict[int, tuple[str, str]] = {}
    if held and kind is not None:
        roll = roll_for(actor=system_if_none(actor), org=org, kind=kind, party_group=party_group,
                        perm=MeetingsPerm.CHANGE)
        roll_ids = list(roll.values_list("pk", flat=True))
        given = _check_attendance(attendance, set(roll_ids), errors)
    if errors:
        raise DomainError(errors)
    meeting = Meeting.objects.create(
        org=org, party_group=party_group, kind=kind, topic=topic, agenda=items, place=place, online_url=url,
        starts_at=start, ends_at=end, meeting_date=local_date(start),
        status=MeetingStatus.HELD if held else MeetingStatus.PLANNED, minutes=minutes,
        recorded_at=now if held else None,
    )
    after = meeting_snapshot(meeting)
    if held:
        after["attendance"] = _write_attendance(meeting, roll_ids, given)
    record(actor=actor, action=AuditAction.MEETING_CREATED, target=meeting, org=org, after=after)
    if held:
        _publish_held(meeting)
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, now: dt.datetime | None = None, **fields: Any) -> Meeting:
    """Changes a planned or held meeting's topic, agenda, place, online link, start and end (a held
    meeting's start stays in the past). Audit: ``meetings.update`` with before/after."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    now = now or timezone.now()
    allowed = {"topic", "agenda", "place", "online_url", "starts_at", "ends_at"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"meeting_update: unknown fields {sorted(unknown)}")
    errors: list[FieldError] = []
    if meeting.status == MeetingStatus.CANCELLED:
        errors.append(FieldError(MeetingsError.NOT_PLANNED, None, _("会议已取消，不能修改")))
    before = meeting_snapshot(meeting)
    topic = check_text(fields.get("topic", meeting.topic), "topic", errors, max_length=200, required=True,
                       required_message=_("请填写会议主题"))
    items = _check_agenda(fields.get("agenda", meeting.agenda), errors)
    place = check_text(fields.get("place", meeting.place), "place", errors, max_length=200)
    url = check_url(fields.get("online_url", meeting.online_url), "online_url", errors)
    start, end = _check_times(fields.get("starts_at", meeting.starts_at), fields.get("ends_at", meeting.ends_at),
                              errors, held=meeting.is_held, now=now)
    if errors:
        raise DomainError(errors)
    meeting.topic, meeting.agenda, meeting.place, meeting.online_url = topic, items, place, url
    meeting.starts_at, meeting.ends_at, meeting.meeting_date = start, end, local_date(start)
    meeting.save(update_fields=["topic", "agenda", "place", "online_url", "starts_at", "ends_at", "meeting_date",
                                "updated_at"])
    record(actor=actor, action=AuditAction.MEETING_UPDATED, target=meeting, org=meeting.org, before=before,
           after=meeting_snapshot(meeting))
    return meeting


@transaction.atomic
def meeting_record(*, actor: Any, meeting: Meeting, attendance: Iterable[Any] | None,
                   minutes: str | None = None, starts_at: Any = None, ends_at: Any = None,
                   now: dt.datetime | None = None) -> Meeting:
    """Records a planned meeting as held (or corrects a held one's roll call): start and end (default: as
    planned; the start may not be in the future), attendance from the roll (not listed: present when the
    member confirmed with the code, else absent), minutes. Audit: ``meetings.record``. Side effect:
    ``meetings.held`` after commit."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    now = now or timezone.now()
    errors: list[FieldError] = []
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError.one(MeetingsError.NOT_PLANNED, None, _("会议已取消，不能登记为已召开"))
    before = {**meeting_snapshot(meeting), "minutes_length": len(meeting.minutes)}
    start, end = _check_times(starts_at or meeting.starts_at, ends_at or meeting.ends_at, errors, held=True, now=now)
    text = check_text(meeting.minutes if minutes is None else minutes, "minutes", errors, max_length=MAX_MINUTES)
    roll = roll_for(actor=system_if_none(actor), org=meeting.org, kind=meeting.kind,
                    party_group=meeting.party_group, perm=MeetingsPerm.CHANGE)
    roll_ids = list(roll.values_list("pk", flat=True))
    given = _check_attendance(attendance, set(roll_ids), errors)
    if errors:
        raise DomainError(errors)
    meeting.status = MeetingStatus.HELD
    meeting.starts_at, meeting.ends_at, meeting.meeting_date = start, end, local_date(start)
    meeting.minutes = text
    meeting.recorded_at = now
    meeting.save(update_fields=["status", "starts_at", "ends_at", "meeting_date", "minutes", "recorded_at",
                                "updated_at"])
    counts = _write_attendance(meeting, roll_ids, given)
    record(actor=actor, action=AuditAction.MEETING_RECORDED, target=meeting, org=meeting.org, before=before,
           after={**meeting_snapshot(meeting), "minutes_length": len(text), "attendance": counts})
    _publish_held(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    """Cancels a planned meeting (a cancelled meeting never counts). Audit: ``meetings.cancel``."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    errors: list[FieldError] = []
    if meeting.status != MeetingStatus.PLANNED:
        errors.append(FieldError(MeetingsError.NOT_PLANNED, None, _("只能取消计划中的会议")))
    reason = check_text(reason, "reason", errors, max_length=200, required=True, required_message=_("请填写取消原因"),
                        required_code=MeetingsError.CANCEL_REASON_REQUIRED)
    if errors:
        raise DomainError(errors)
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    record(actor=actor, action=AuditAction.MEETING_CANCELLED, target=meeting, org=meeting.org,
           before={"status": MeetingStatus.PLANNED}, after={"status": meeting.status}, reason=reason)
    return meeting


@transaction.atomic
def meeting_minutes_set(*, actor: Any, meeting: Meeting, minutes: str) -> Meeting:
    """Sets the minutes (会议记录) of a meeting that is not cancelled. Audit: ``meetings.minutes``."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    errors: list[FieldError] = []
    if meeting.status == MeetingStatus.CANCELLED:
        errors.append(FieldError(MeetingsError.NOT_PLANNED, None, _("会议已取消")))
    text = check_text(minutes, "minutes", errors, max_length=MAX_MINUTES)
    if errors:
        raise DomainError(errors)
    before = len(meeting.minutes)
    meeting.minutes = text
    meeting.save(update_fields=["minutes", "updated_at"])
    record(actor=actor, action=AuditAction.MEETING_MINUTES_SET, target=meeting, org=meeting.org,
           before={"minutes_length": before}, after={"minutes_length": len(text)})
    return meeting


# --------------------------------------------------------------------------------------- attachments

def _sniff(upload: Any, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


@transaction.atomic
def attachment_add(*, actor: Any, meeting: Meeting, upload: Any) -> MeetingAttachment:
    """Stores a file of the meeting through Django storage. Refused (nothing stored): empty, larger than
    ``DANGJIAN_MEETINGS_ATTACHMENT_MAX_MB`` (20), an extension outside
    ``DANGJIAN_MEETINGS_ATTACHMENT_TYPES`` (pdf, docx, xlsx, jpg, png), or content not matching the
    extension. Audit: ``meetings.attachment_add``."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()[:200] or "file"
    size = int(getattr(upload, "size", 0) or 0)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = conf.attachment_types()
    limit = conf.attachment_max_bytes()
    if size <= 0:
        raise DomainError.one(MeetingsError.ATTACHMENT_EMPTY, "file", _("文件是空的"))
    if size > limit:
        raise DomainError.one(MeetingsError.ATTACHMENT_TOO_LARGE, "file",
                              _("附件不能超过 %(mb)s MB（此文件 %(size)s MB）")
                              % {"mb": f"{limit / conf.MB:g}", "size": f"{size / conf.MB:.1f}"})
    if ext not in allowed:
        raise DomainError.one(MeetingsError.ATTACHMENT_TYPE, "file",
                              _("不支持此文件类型，只能上传：%(types)s") % {"types": "、".join(allowed)})
    magic = MAGIC.get(ext)
    if magic and not _sniff(upload).startswith(magic):
        raise DomainError.one(MeetingsError.ATTACHMENT_TYPE, "file",
                              _("文件内容与扩展名 .%(ext)s 不符，请上传真实的 %(ext)s 文件") % {"ext": ext})
    attachment = MeetingAttachment(meeting=meeting, name=name, size=size,
                                   content_type=(getattr(upload, "content_type", "") or "")[:100])
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record(actor=actor, action=AuditAction.MEETING_ATTACHMENT_ADDED, target=meeting, org=meeting.org,
           after={"attachment": attachment.pk, "name": name, "size": size})
    return attachment


# ---------------------------------------------------------------------------------------- follow-ups

@transaction.atomic
def followup_add(*, actor: Any, meeting: Meeting, title: str, owner_id: Any, due_on: dt.date | None) -> FollowUp:
    """Adds a follow-up action (会议决定事项) with its owner — a member of the meeting's org — and a due
    date not before the meeting. Audit: ``meetings.followup_add``."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    errors: list[FieldError] = []
    title = check_text(title, "title", errors, max_length=200, required=True, required_message=_("请填写事项"))
    try:
        owners = org_roll(actor=system_if_none(actor), org=meeting.org, perm=MeetingsPerm.CHANGE)
        owner = owners.filter(pk=int(owner_id)).first()
    except (TypeError, ValueError):
        owner = None
    if owner is None:
        errors.append(FieldError(MeetingsError.FOLLOWUP_OWNER, "owner", _("责任人须是本组织的党员")))
    if not isinstance(due_on, dt.date):
        errors.append(FieldError(MeetingsError.FOLLOWUP_DUE, "due_on", _("请填写完成期限")))
    elif due_on < meeting.meeting_date:
        errors.append(FieldError(MeetingsError.FOLLOWUP_DUE, "due_on", _("完成期限不能早于会议日期")))
    if errors:
        raise DomainError(errors)
    followup = FollowUp.objects.create(meeting=meeting, title=title, owner=owner, due_on=due_on)
    record(actor=actor, action=AuditAction.FOLLOWUP_ADDED, target=followup, org=meeting.org,
           after={"meeting": meeting.pk, "title": title, "owner": owner.pk, "due_on": due_on})
    return followup


@transaction.atomic
def followup_complete(*, actor: Any, followup: FollowUp, done_on: dt.date | None = None,
                      today: dt.date | None = None) -> FollowUp:
    """Marks a follow-up done on *done_on* (default today; not in the future). Audit: ``meetings.followup_done``."""
    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("meeting__org").get(pk=followup.pk)
    require_org_in_scope(actor=actor, org=followup.meeting.org, perm=MeetingsPerm.CHANGE)
    today = today or timezone.localdate()
    done_on = done_on or today
    if followup.done_on is not None:
        raise DomainError.one(MeetingsError.FOLLOWUP_DONE, None, _("该事项已完成"))
    if done_on > today:
        raise DomainError.one(MeetingsError.FOLLOWUP_DUE, "done_on", _("完成日期不能晚于今天"))
    followup.done_on = done_on
    followup.save(update_fields=["done_on", "updated_at"])
    record(actor=actor, action=AuditAction.FOLLOWUP_DONE, target=followup, org=followup.meeting.org,
           before={"done_on": None}, after={"done_on": done_on})
    return followup
