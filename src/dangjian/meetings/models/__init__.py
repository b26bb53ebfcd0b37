"""Models of organisational life (组织生活) and elections (选举)."""
from dangjian.meetings.models.elections import ElectionRecord, ElectionResult
from dangjian.meetings.models.meetings import (
    Attendance,
    CadenceRule,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingSeries,
)

__all__ = [
    "Attendance",
    "CadenceRule",
    "ElectionRecord",
    "ElectionResult",
    "FollowUp",
    "Meeting",
    "MeetingAttachment",
    "MeetingKind",
    "MeetingSeries",
]
