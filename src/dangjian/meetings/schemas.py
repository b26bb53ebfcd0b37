"""Input and output schemas of the meetings API (validation at the boundary, STYLE §11). Shapes and
lengths are checked here; the rules (roll, times, links, cadence, elections) are the services' and come
back as 422 field errors of the same shape (``attendance.2.member``, ``results.0.votes``)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import MAX_ID, PageQuery
from dangjian.meetings.choices import AttendanceStatus, ComplianceStatus, MeetingStatus

__all__ = [
    "CadenceComplianceOut",
    "CadenceComplianceQuery",
    "CadenceRuleOut",
    "ElectionApproveIn",
    "ElectionRecordIn",
    "ElectionRecordOut",
    "ElectionRecordPageOut",
    "ElectionResultIn",
    "MeetingCancelIn",
    "MeetingCheckinCodeOut",
    "MeetingCheckinIn",
    "MeetingCheckinOut",
    "MeetingCreateIn",
    "MeetingDetailOut",
    "MeetingFilters",
    "MeetingFollowUpDoneIn",
    "MeetingFollowUpIn",
    "MeetingFollowUpOut",
    "MeetingKindOut",
    "MeetingListQuery",
    "MeetingMinutesIn",
    "MeetingOut",
    "MeetingPageOut",
    "MeetingRecordIn",
    "MeetingSeriesIn",
    "MeetingSeriesOut",
    "MeetingSeriesPageOut",
    "MeetingTermStateOut",
    "MeetingTermsQuery",
    "MeetingUpdateIn",
    "MyMeetingsOut",
    "SeriesGenerateIn",
    "SeriesGenerateOut",
    "TermPostponeIn",
]

_ID = {"ge": 1, "le": MAX_ID}


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class MeetingOrgRefOut(Schema):
    id: int
    code: str
    name: str


class MeetingMemberRefOut(Schema):
    id: int
    name: str


class MeetingKindRefOut(Schema):
    code: str
    name: str


class MeetingKindOut(Schema):
    code: str
    name: str
    roll: str = Field(..., description="参会范围：org（本组织党员）、group（党小组党员）、committee（委员会委员）")
    org_types: list[str] = Field(..., description="召开此类会议的组织类别")


class CadenceRuleOut(Schema):
    org_type: str
    kind: MeetingKindRefOut
    unit: str = Field(..., description="month / quarter / year")
    min_count: int
    citation: str = Field(..., description="依据（DOMAIN §4 与文件条款）")
    confidence: str
    enabled: bool


class MeetingListQuery(PageQuery):
    pass


class MeetingFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    kind: str | None = Field(None, max_length=40, description="会议类型代码")
    status: MeetingStatus | None = None
    date_from: dt.date | None = Field(None, description="会议日期起（含）")
    date_to: dt.date | None = Field(None, description="会议日期止（含）")


class MeetingAttendanceIn(_Input):
    member: int = Field(..., **_ID, description="党员 id（须在本次会议的参会名单中）")
    status: AttendanceStatus
    reason: str = Field("", max_length=200, description="请假事由（请假时必填）")


class MeetingCreateIn(_Input):
    org: str = Field(..., max_length=40, description="召开会议的组织（代码或 id）")
    kind: str = Field(..., max_length=40, description="会议类型代码，见 GET /meetings/kinds")
    party_group: str | None = Field(None, max_length=40, description="党小组会：党小组的组织代码")
    topic: str = Field(..., max_length=200)
    agenda: list[str] = Field(default_factory=list, max_length=30, description="议程，每项一条")
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=500, description="线上会议链接（http 或 https）")
    starts_at: dt.datetime = Field(..., description="开始时间（ISO 8601；不带时区按北京时间）")
    ends_at: dt.datetime
    held: bool = Field(False, description="true：登记已召开的会议（开始时间不能晚于现在），并登记出勤")
    attendance: list[MeetingAttendanceIn] = Field(default_factory=list, description="出勤；名单中未列出的党员记为缺席")
    minutes: str = Field("", max_length=20000, description="会议记录")


class MeetingUpdateIn(_Input):
    topic: str | None = Field(None, max_length=200)
    agenda: list[str] | None = Field(None, max_length=30)
    place: str | None = Field(None, max_length=200)
    online_url: str | None = Field(None, max_length=500)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


class MeetingRecordIn(_Input):
    attendance: list[MeetingAttendanceIn] = Field(default_factory=list,
                                           description="出勤；未列出的党员：本人已签到的记为出席，其余记为缺席")
    minutes: str | None = Field(None, max_length=20000)
    starts_at: dt.datetime | None = Field(None, description="实际开始时间（默认按计划）")
    ends_at: dt.datetime | None = None


class MeetingCancelIn(_Input):
    reason: str = Field(..., max_length=200)


class MeetingMinutesIn(_Input):
    minutes: str = Field(..., max_length=20000)


class MeetingFollowUpIn(_Input):
    title: str = Field(..., max_length=200)
    owner: int = Field(..., **_ID, description="责任人（本组织党员 id）")
    due_on: dt.date


class MeetingFollowUpDoneIn(_Input):
    done_on: dt.date | None = Field(None, description="完成日期（默认今天，不能晚于今天）")


class MeetingFollowUpOut(Schema):
    id: int
    title: str
    owner: MeetingMemberRefOut
    due_on: dt.date
    done_on: dt.date | None


class MeetingOut(Schema):
    id: int
    org: MeetingOrgRefOut
    party_group: MeetingOrgRefOut | None
    kind: MeetingKindRefOut
    topic: str
    agenda: list[str]
    place: str
    online_url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    meeting_date: dt.date = Field(..., description="会议日期（北京时间），计入该日所在的月、季、年")
    status: MeetingStatus
    recorded_at: dt.datetime | None
    cancel_reason: str
    series_id: int | None


class MeetingAttendanceOut(Schema):
    member: MeetingMemberRefOut
    status: AttendanceStatus
    reason: str
    self_confirmed_at: dt.datetime | None


class MeetingAttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str = Field(..., description="下载地址（网页会话）")


class MeetingAttendanceCountsOut(Schema):
    present: int
    leave: int
    absent: int


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendance: list[MeetingAttendanceOut]
    counts: MeetingAttendanceCountsOut
    attachments: list[MeetingAttachmentOut]
    followups: list[MeetingFollowUpOut]


class MeetingPageOut(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class MeetingCheckinCodeOut(Schema):
    code: str = Field(..., description="签到码，在会场展示")
    opens_at: dt.datetime
    closes_at: dt.datetime


class MeetingCheckinIn(_Input):
    meeting: int = Field(..., **_ID, description="会议 id")
    code: str = Field(..., max_length=12, description="会场展示的签到码")


class MeetingCheckinOut(Schema):
    meeting: int
    member: MeetingMemberRefOut
    status: AttendanceStatus
    self_confirmed_at: dt.datetime | None


class MyMeetingOut(MeetingOut):
    my_status: AttendanceStatus | None = Field(..., description="我的出勤（尚未登记为 null）")
    my_confirmed_at: dt.datetime | None
    checkin_open: bool = Field(..., description="现在可以签到")


class MyMeetingsOut(Schema):
    member: MeetingMemberRefOut | None = Field(..., description="账号关联的党员（未关联为 null）")
    upcoming: list[MyMeetingOut]
    past: list[MyMeetingOut]


class CadenceComplianceQuery(Schema):
    org: str = Field(..., max_length=40, description="组织代码或 id")
    period: str | None = Field(None, max_length=7, description="YYYY-MM、YYYY-Qn 或 YYYY（默认本季度）")
    children: bool = Field(False, description="同时列出直属下级组织（支部还列出其党小组）")


class ComplianceWindowOut(Schema):
    label: str
    start: dt.date
    end: dt.date = Field(..., description="不含")
    required: int
    held: int = Field(..., description="已登记召开")
    unrecorded: int = Field(..., description="计划时间已过、尚未登记为已召开")
    without_minutes: int = Field(..., description="已召开但无会议记录")
    status: ComplianceStatus


class CadenceResultOut(Schema):
    kind: MeetingKindRefOut
    unit: str
    min_count: int
    citation: str
    status: ComplianceStatus
    held: int
    required: int
    unrecorded: int
    windows: list[ComplianceWindowOut]


class OrgCadenceOut(Schema):
    org: MeetingOrgRefOut
    org_type: str
    status: ComplianceStatus
    rules: list[CadenceResultOut]


class CompliancePeriodOut(Schema):
    label: str
    unit: str
    start: dt.date
    end: dt.date


class CadenceComplianceOut(Schema):
    period: CompliancePeriodOut
    orgs: list[OrgCadenceOut]


class MeetingSeriesIn(_Input):
    org: str = Field(..., max_length=40)
    kind: str = Field(..., max_length=40)
    party_group: str | None = Field(None, max_length=40)
    topic: str = Field(..., max_length=200)
    day_of_month: int = Field(..., ge=1, le=31)
    interval_months: int = Field(1, ge=1, le=12, description="1、2、3、6 或 12")
    start_time: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="开始时间 HH:MM（北京时间）")
    duration_minutes: int = Field(90, ge=15, le=720)
    starts_on: dt.date
    until: dt.date | None = None
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=500)
    generate: int = Field(3, ge=0, le=24, description="立即安排今后几次（0：不安排）")


class MeetingSeriesOut(Schema):
    id: int
    org: MeetingOrgRefOut
    kind: MeetingKindRefOut
    topic: str
    day_of_month: int
    interval_months: int
    start_time: dt.time
    duration_minutes: int
    starts_on: dt.date
    until: dt.date | None


class MeetingSeriesPageOut(Schema):
    items: list[MeetingSeriesOut]
    next_cursor: str | None


class SeriesGenerateIn(_Input):
    count: int = Field(3, ge=1, le=24)


class SeriesGenerateOut(Schema):
    created: list[MeetingOut] = Field(..., description="本次新安排的会议（重复执行为空）")


class MeetingTermsQuery(Schema):
    org: str = Field(..., max_length=40, description="组织代码或 id")
    children: bool = Field(False, description="同时列出直属下级组织")


class MeetingTermOut(Schema):
    id: int
    number: int
    start_date: dt.date
    term_years: int
    end_date: dt.date
    postponed_until: dt.date | None
    postponement_doc: str


class MeetingTermStateOut(Schema):
    org: MeetingOrgRefOut
    term: MeetingTermOut | None
    status: str | None = Field(..., description="current / expiring / expired / postponed（无届次为 null）")
    days_left: int | None
    reminder_months: int | None = Field(..., description="已到的提醒点（默认 6、3、1 个月）")
    effective_end: dt.date | None


class TermPostponeIn(_Input):
    until: dt.date = Field(..., description="延期至（届满后不超过 12 个月）")
    approved_by: str = Field(..., max_length=40, description="批准的上级组织代码")
    approved_on: dt.date
    approval_doc: str = Field(..., max_length=100)
    reason: str = Field("", max_length=200)


class ElectionResultIn(_Input):
    member: int = Field(..., **_ID, description="候选人（本组织正式党员 id）")
    votes: int = Field(..., ge=0, le=1_000_000)
    elected: bool = False
    position: str = Field("", max_length=20, description="当选者职务：secretary、deputy_secretary、organization …")


class ElectionRecordIn(_Input):
    org: str = Field(..., max_length=40)
    held_on: dt.date
    attending: int = Field(..., ge=0, le=1_000_000, description="实到有选举权的党员")
    results: list[ElectionResultIn] = Field(..., max_length=500)
    note: str = Field("", max_length=200)


class ElectionResultOut(Schema):
    member: MeetingMemberRefOut
    votes: int
    elected: bool
    position: str


class ElectionRecordOut(Schema):
    id: int
    org: MeetingOrgRefOut
    held_on: dt.date
    entitled: int = Field(..., description="应到：正式党员人数（预备党员不计）")
    attending: int
    term: MeetingTermOut
    results: list[ElectionResultOut]
    approved_by: MeetingOrgRefOut | None
    approved_on: dt.date | None
    approval_doc: str


class ElectionRecordPageOut(Schema):
    items: list[ElectionRecordOut]
    next_cursor: str | None


class ElectionApproveIn(_Input):
    approved_by: str = Field(..., max_length=40, description="批准的上级组织代码")
    approved_on: dt.date
    approval_doc: str = Field(..., max_length=100)
