"""Writes of organisational life and elections (STYLE §2): validated, atomic, audited."""
from dangjian.meetings.services.checkin import checkin_code_issue, checkin_window, meeting_checkin
from dangjian.meetings.services.elections import election_approve, election_record
from dangjian.meetings.services.meetings import (
    attachment_add,
    followup_add,
    followup_complete,
    meeting_cancel,
    meeting_create,
    meeting_minutes_set,
    meeting_record,
    meeting_update,
)
from dangjian.meetings.services.rules import cadence_rule_update
from dangjian.meetings.services.series import series_create, series_generate

__all__ = [
    "attachment_add",
    "cadence_rule_update",
    "checkin_code_issue",
    "checkin_window",
    "election_approve",
    "election_record",
    "followup_add",
    "followup_complete",
    "meeting_cancel",
    "meeting_checkin",
    "meeting_create",
    "meeting_minutes_set",
    "meeting_record",
    "meeting_update",
    "series_create",
    "series_generate",
]
