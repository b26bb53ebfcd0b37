"""One meeting by id: read, edit, record the roll call, cancel, minutes, follow-ups, the check-in code."""
from __future__ import annotations

from ninja import Status

from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.api.common import (
    FollowUpId,
    MeetingId,
    _attendance,
    _followup,
    _meeting_detail,
    router,
)
from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.schemas import (
    MeetingCancelIn,
    MeetingCheckinCodeOut,
    MeetingDetailOut,
    MeetingFollowUpDoneIn,
    MeetingFollowUpIn,
    MeetingFollowUpOut,
    MeetingMinutesIn,
    MeetingRecordIn,
    MeetingUpdateIn,
)


@router.get(
    "/{meeting_id}", perm=MeetingsPerm.VIEW, response=MeetingDetailOut, operation_id="meetings_get",
    summary="会议详情",
    description="一次会议：时间、地点或链接、议程、出勤（含本人签到时间）、会议记录、附件和决定事项。",
)
def meetings_get(request, meeting_id: MeetingId):
    return _meeting_detail(request.auth, sel.meeting_get(actor=request.auth, pk=meeting_id))


@router.patch(
    "/{meeting_id}", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut, operation_id="meetings_update",
    summary="修改会议",
    description="""
        修改主题、议程、地点、线上链接、开始和结束时间（只修改提供的字段）。已召开的会议开始时间仍不能晚于
        现在；已取消的会议不能修改。写入操作日志 `meetings.update`。
    """,
)
def meetings_update(request, payload: MeetingUpdateIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    fields = payload.model_dump(exclude_unset=True)
    meeting = svc.meeting_update(actor=actor, meeting=meeting, **fields)
    return _meeting_detail(actor, meeting)


@router.post(
    "/{meeting_id}/record", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut, operation_id="meetings_record",
    summary="登记召开情况",
    description="""
        把计划中的会议登记为已召开（或更正已召开会议的出勤）：实际开始、结束时间（默认按计划，开始不能晚于
        现在）、出勤（规则同新建）、会议记录。写入操作日志 `meetings.record`；提交后发布 `meetings.held`。
    """,
)
def meetings_record(request, payload: MeetingRecordIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    meeting = svc.meeting_record(actor=actor, meeting=meeting, attendance=_attendance(payload.attendance),
                                 minutes=payload.minutes, starts_at=payload.starts_at, ends_at=payload.ends_at)
    return _meeting_detail(actor, meeting)


@router.post(
    "/{meeting_id}/cancel", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut, operation_id="meetings_cancel",
    summary="取消会议",
    description="取消计划中的会议（须填写原因）；已取消的会议不计入组织生活次数。写入操作日志 `meetings.cancel`。",
)
def meetings_cancel(request, payload: MeetingCancelIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    return _meeting_detail(actor, svc.meeting_cancel(actor=actor, meeting=meeting, reason=payload.reason))


@router.post(
    "/{meeting_id}/minutes", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut,
    operation_id="meetings_minutes_set", summary="填写会议记录",
    description="保存会议记录（最多 20000 字）。写入操作日志 `meetings.minutes`（只记录长度）。",
)
def meetings_minutes_set(request, payload: MeetingMinutesIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    return _meeting_detail(actor, svc.meeting_minutes_set(actor=actor, meeting=meeting, minutes=payload.minutes))


@router.post(
    "/{meeting_id}/followups", perm=MeetingsPerm.CHANGE, response=MeetingFollowUpOut, status=201,
    operation_id="meetings_followup_add", summary="新增决定事项",
    description="""
        会议决定的事项、责任人（本组织党员；其他支部的党员与不存在的一样返回 422）和完成期限（不早于会议
        日期）。写入操作日志 `meetings.followup_add`。
    """,
)
def meetings_followup_add(request, payload: MeetingFollowUpIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    followup = svc.followup_add(actor=actor, meeting=meeting, title=payload.title, owner_id=payload.owner,
                                due_on=payload.due_on)
    return Status(201, _followup(followup))


@router.post(
    "/{meeting_id}/followups/{followup_id}/done", perm=MeetingsPerm.CHANGE, response=MeetingFollowUpOut,
    operation_id="meetings_followup_done", summary="决定事项完成",
    description="标记决定事项完成（日期默认今天，不能晚于今天）。写入操作日志 `meetings.followup_done`。",
)
def meetings_followup_done(request, payload: MeetingFollowUpDoneIn, meeting_id: MeetingId, followup_id: FollowUpId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    followup = sel.followup_get(actor=actor, meeting=meeting, pk=followup_id)
    return _followup(svc.followup_complete(actor=actor, followup=followup, done_on=payload.done_on))


@router.post(
    "/{meeting_id}/checkin-code", perm=MeetingsPerm.CHANGE, response=MeetingCheckinCodeOut,
    operation_id="meetings_checkin_code_issue", summary="发布签到码",
    description="""
        生成新的 6 位数字签到码（替换旧的），在会场展示，党员在手机上输入以确认本人出席；返回有效时段
        （会前 30 分钟至会后 30 分钟）。会议结束后或已取消时返回 422。写入操作日志 `meetings.checkin_code`
        （不记录签到码本身）。
    """,
)
def meetings_checkin_code_issue(request, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    meeting = svc.checkin_code_issue(actor=actor, meeting=meeting)
    opens, closes = svc.checkin_window(meeting)
    return {"code": meeting.checkin_code, "opens_at": opens, "closes_at": closes}
