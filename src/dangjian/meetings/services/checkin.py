"""The one-time attendance code (签到码): the meeting's organiser issues a short numeric code shown in the
room; members enter it on their phones during the meeting window to mark themselves present. Issuing
needs ``meetings.change`` on the meeting's org; checking in needs being on the meeting's roll."""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry
from dangjian.audit.services import record
from dangjian.core.errors import DomainError
from dangjian.meetings import conf
from dangjian.meetings.choices import AttendanceStatus, MeetingsPerm, MeetingStatus
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.selectors.meetings import roll_for
from dangjian.meetings.services.meetings import lock_meeting
from dangjian.members.selectors import member_of_user
from dangjian.orgs.selectors import require_org_in_scope

__all__ = ["checkin_code_issue", "checkin_window", "meeting_checkin"]


# -------------------------------------------------------------------------------- one-time check-in code

def checkin_window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """When the code works: from ``DANGJIAN_MEETINGS_CHECKIN_WINDOW_MINUTES`` (30) before the start to as
    long after the end."""
    slack = dt.timedelta(minutes=conf.checkin_window_minutes())
    return meeting.starts_at - slack, meeting.ends_at + slack


@transaction.atomic
def checkin_code_issue(*, actor: Any, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Issues a fresh short numeric code (6 digits) that members enter on their phones during the meeting
    window to confirm their own attendance; a new code replaces the old one. The code is shown at the
    meeting, never written to the audit log. Audit: ``meetings.checkin_code``."""
    meeting = lock_meeting(meeting)
    require_org_in_scope(actor=actor, org=meeting.org, perm=MeetingsPerm.CHANGE)
    now = now or timezone.now()
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError.one(MeetingsError.CHECKIN_CLOSED, None, _("会议已取消"))
    if now > checkin_window(meeting)[1]:
        raise DomainError.one(MeetingsError.CHECKIN_CLOSED, None, _("会议已结束，不能再发签到码"))
    digits = conf.checkin_code_digits()
    meeting.checkin_code = f"{secrets.randbelow(10 ** digits):0{digits}d}"
    meeting.checkin_issued_at = now
    meeting.save(update_fields=["checkin_code", "checkin_issued_at", "updated_at"])
    record(actor=actor, action=AuditAction.CHECKIN_CODE_ISSUED, target=meeting, org=meeting.org,
           after={"issued_at": now})
    return meeting


def _failures(actor: Any, meeting: Meeting) -> int:
    return AuditEntry.objects.filter(action=AuditAction.CHECKIN_FAILED, actor_id=actor.pk,
                                     target_type=Meeting._meta.label_lower, target_id=str(meeting.pk)).count()


class _WrongCode(Exception):
    pass


@transaction.atomic
def _checkin(*, actor: Any, meeting: Meeting, code: str, now: dt.datetime) -> Attendance:
    meeting = lock_meeting(meeting)
    member = member_of_user(actor=actor)
    roll = roll_for(actor=actor, org=meeting.org, kind=meeting.kind, party_group=meeting.party_group)
    if member is None or not roll.filter(pk=member.pk).exists():
        raise DomainError.one(MeetingsError.CHECKIN_NOT_ON_ROLL, "meeting", _("您不在本次会议的参会名单中"))
    existing = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if existing is not None and existing.self_confirmed_at is not None:
        return existing  # confirming twice changes nothing
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError.one(MeetingsError.CHECKIN_CLOSED, "code", _("会议已取消"))
    if not meeting.checkin_code:
        raise DomainError.one(MeetingsError.CHECKIN_NO_CODE, "code", _("本次会议尚未发布签到码"))
    opens, closes = checkin_window(meeting)
    if not opens <= now <= closes:
        raise DomainError.one(MeetingsError.CHECKIN_CLOSED, "code",
                              _("签到码已过期") if now > closes else _("还未到签到时间"))
    if _failures(actor, meeting) >= conf.checkin_max_failures():
        raise DomainError.one(MeetingsError.CHECKIN_LOCKED, "code", _("签到码错误次数过多，请联系会议主持人登记"))
    if not hmac.compare_digest((code or "").strip(), meeting.checkin_code):
        raise _WrongCode
    if existing is None:
        existing = Attendance.objects.create(meeting=meeting, member=member, status=AttendanceStatus.PRESENT,
                                             self_confirmed_at=now)
    else:
        existing.status, existing.reason, existing.self_confirmed_at = AttendanceStatus.PRESENT, "", now
        existing.save(update_fields=["status", "reason", "self_confirmed_at"])
    record(actor=actor, action=AuditAction.CHECKIN_CONFIRMED, target=meeting, org=meeting.org,
           after={"member": member.pk, "at": now})
    return existing


def meeting_checkin(*, actor: Any, meeting: Meeting, code: str, now: dt.datetime | None = None) -> Attendance:
    """A member confirms their own attendance with the meeting's one-time code during the meeting window
    (→ present, ``self_confirmed_at``). Permission: being on the meeting's roll. A wrong code writes
    nothing but an audit entry ``meetings.checkin_failed`` (after ``DANGJIAN_MEETINGS_CHECKIN_MAX_FAILURES``
    (5) of them the member is locked out for this meeting); an expired or missing code writes nothing.
    Audit: ``meetings.checkin``."""
    now = now or timezone.now()
    try:
        return _checkin(actor=actor, meeting=meeting, code=code, now=now)
    except _WrongCode:
        with transaction.atomic():
            record(actor=actor, action=AuditAction.CHECKIN_FAILED, target=meeting, org=meeting.org,
                   after={"at": now})
        raise DomainError.one(MeetingsError.CHECKIN_CODE_WRONG, "code", _("签到码不正确")) from None
