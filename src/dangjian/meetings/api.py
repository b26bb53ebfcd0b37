"""REST endpoints of organisational life (组织生活) and elections (换届选举): meeting kinds and cadence
rules, meetings (plan, record with the roll call, edit, cancel, minutes, follow-ups, the one-time
check-in code), my meetings and self check-in, cadence compliance, recurring series, committee terms
(status, postponement) and elections (record, approve).

Reads go through selectors, writes through services; each operation declares its permission. A meeting,
series, term or election outside the caller's scope is "not found" (404 in the path); an org or member
outside it is refused in the input exactly like an unknown one (422). Attachments are uploaded on the
web page (multipart); here they are listed with their download address.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, SIGNED_IN, Router
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.choices import AttendanceStatus, ElectionsPerm, MeetingsPerm
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.periods import parse_period, window_of
from dangjian.meetings.schemas import (
    CadenceComplianceOut,
    CadenceComplianceQuery,
    CadenceRuleOut,
    ElectionApproveIn,
    ElectionRecordIn,
    ElectionRecordOut,
    ElectionRecordPageOut,
    MeetingCancelIn,
    MeetingCheckinCodeOut,
    MeetingCheckinIn,
    MeetingCheckinOut,
    MeetingCreateIn,
    MeetingDetailOut,
    MeetingFilters,
    MeetingFollowUpDoneIn,
    MeetingFollowUpIn,
    MeetingFollowUpOut,
    MeetingKindOut,
    MeetingListQuery,
    MeetingMinutesIn,
    MeetingPageOut,
    MeetingRecordIn,
    MeetingSeriesIn,
    MeetingSeriesOut,
    MeetingSeriesPageOut,
    MeetingTermsQuery,
    MeetingTermStateOut,
    MeetingUpdateIn,
    MyMeetingsOut,
    SeriesGenerateIn,
    SeriesGenerateOut,
    TermPostponeIn,
)
from dangjian.orgs.api import org_ref_or_error
from dangjian.orgs.choices import OrgType
from dangjian.orgs.selectors import org_children
from dangjian.orgs.services import term_postpone

__all__ = ["router"]

router = Router(app="meetings")

MeetingId = PathEx[int, P(ge=1, le=MAX_ID, description="会议 id")]
FollowUpId = PathEx[int, P(ge=1, le=MAX_ID, description="决定事项 id")]
SeriesId = PathEx[int, P(ge=1, le=MAX_ID, description="固定活动 id")]
TermId = PathEx[int, P(ge=1, le=MAX_ID, description="届次 id")]
ElectionId = PathEx[int, P(ge=1, le=MAX_ID, description="选举记录 id")]


# ------------------------------------------------------------------------------------------ shapes

def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def _member(member: Any) -> dict[str, Any]:
    return {"id": member.pk, "name": member.name}


def _meeting(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk, "org": _org(m.org), "party_group": _org(m.party_group),
        "kind": {"code": m.kind.code, "name": m.kind.name}, "topic": m.topic, "agenda": list(m.agenda or []),
        "place": m.place, "online_url": m.online_url, "starts_at": m.starts_at, "ends_at": m.ends_at,
        "meeting_date": m.meeting_date, "status": m.status, "recorded_at": m.recorded_at,
        "cancel_reason": m.cancel_reason, "series_id": m.series_id,
    }


def _followup(f: Any) -> dict[str, Any]:
    return {"id": f.pk, "title": f.title, "owner": _member(f.owner), "due_on": f.due_on, "done_on": f.done_on}


def _meeting_detail(m: Any) -> dict[str, Any]:
    attendance = sel.meeting_attendance(m)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for a in attendance:
        counts[a.status] += 1
    return {
        **_meeting(m), "minutes": m.minutes, "counts": counts,
        "attendance": [{"member": _member(a.member), "status": a.status, "reason": a.reason,
                        "self_confirmed_at": a.self_confirmed_at} for a in attendance],
        "attachments": [{"id": f.pk, "name": f.name, "size": f.size,
                         "url": reverse("meetings:attachment_download", kwargs={"pk": m.pk, "aid": f.pk})}
                        for f in sel.meeting_attachments(m)],
        "followups": [_followup(f) for f in sel.meeting_followups(m)],
    }


def _term(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "number": t.number, "start_date": t.start_date, "term_years": t.term_years,
            "end_date": t.end_date, "postponed_until": t.postponed_until, "postponement_doc": t.postponement_doc}


def _election(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk, "org": _org(e.org), "held_on": e.held_on, "entitled": e.entitled, "attending": e.attending,
        "term": _term(e.term),
        "results": [{"member": _member(r.member), "votes": r.votes, "elected": r.elected, "position": r.position}
                    for r in sel.election_results(e)],
        "approved_by": _org(e.approved_by), "approved_on": e.approved_on, "approval_doc": e.approval_doc,
    }


def _series(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "org": _org(s.org), "kind": {"code": s.kind.code, "name": s.kind.name}, "topic": s.topic,
            "day_of_month": s.day_of_month, "interval_months": s.interval_months, "start_time": s.start_time,
            "duration_minutes": s.duration_minutes, "starts_on": s.starts_on, "until": s.until}


def _group(actor: Any, org: Any, code: str | None):
    """The party group of *org* named by *code* (None when no code); an unknown group is a 422."""
    if not code:
        return None
    group = next((g for g in sel.org_groups(actor=actor, org=org, perm=MeetingsPerm.CHANGE) if g.code == code.strip()),
                 None)
    if group is None:
        raise DomainError.one(MeetingsError.GROUP_NOT_IN_ORG, "party_group", _("该党小组不属于本支部"))
    return group


def _attendance(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump() for item in items]


# ------------------------------------------------------------------------------------- reference data

@router.get(
    "/kinds", perm=MeetingsPerm.VIEW, response=list[MeetingKindOut], operation_id="meetings_kinds",
    summary="会议类型",
    description="""
        启用的会议类型（数据，可维护）：代码、名称、参会范围（本组织党员 / 党小组党员 / 委员会委员）和召开
        此类会议的组织类别。
    """,
)
def meetings_kinds(request):
    return [{"code": k.code, "name": k.name, "roll": k.roll, "org_types": list(k.org_types or [])}
            for k in sel.kinds_for_org(None)]


@router.get(
    "/cadence-rules", perm=MeetingsPerm.VIEW, response=list[CadenceRuleOut], operation_id="meetings_cadence_rules",
    summary="组织生活频次要求",
    description="""
        每类组织、每种会议每月 / 每季度 / 每年至少召开的次数，以及依据（DOMAIN §4）和可信度。党课每季度一次
        有争议、党委会每月一次可信度低，均可由管理员调整；停用的规则也列出（`enabled: false`）。
    """,
)
def meetings_cadence_rules(request):
    return [{"org_type": r.org_type, "kind": {"code": r.kind.code, "name": r.kind.name}, "unit": r.unit,
             "min_count": r.min_count, "citation": r.citation, "confidence": r.confidence, "enabled": r.enabled}
            for r in sel.cadence_rules(enabled_only=False)]


# ------------------------------------------------------------------------------------------ meetings

@router.get(
    "", perm=MeetingsPerm.VIEW, response=MeetingPageOut, operation_id="meetings_list", summary="会议列表",
    description="""
        您数据范围内的会议（以及您本人所在支部的会议），按 id 升序，键集分页（`cursor` + `limit`）。
        筛选：`org`（组织代码或 id，含下级组织）、`kind`、`status`、`date_from`–`date_to`（会议日期，北京时间）。
        引用的组织不存在或不在范围内时返回 422。
    """,
)
def meetings_list(request, filters: Query[MeetingFilters]):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=MeetingsPerm.VIEW, by_id=True) \
        if filters.org else None
    kind = sel.kind_by_code(filters.kind) if filters.kind else None
    if filters.kind and kind is None:
        raise DomainError.one(MeetingsError.KIND_UNKNOWN, "kind", _("没有这个会议类型"))
    qs = sel.meeting_list(actor=actor, org=org, kind=kind, status=filters.status, date_from=filters.date_from,
                          date_to=filters.date_to)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_meeting(m) for m in page.items], "next_cursor": page.next_cursor}


@router.post(
    "", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut, status=201, operation_id="meetings_create",
    summary="安排或登记会议",
    description="""
        安排一次会议（`held: false`），或登记一次已召开的会议及出勤（`held: true`，开始时间不能晚于现在）。
        出勤只能登记本次会议参会名单中的党员（本组织党员；党小组会为该党小组党员；支委会、党委会为委员会委员），
        其他支部的党员与不存在的一样返回 422 并指明行（`attendance.2.member`）；名单中未列出的党员记为缺席；
        请假须填写事由。结束时间须晚于开始时间，线上会议链接须为 http/https。写入操作日志 `meetings.create`；
        登记为已召开后（提交后）发布领域事件 `meetings.held`。
    """,
)
def meetings_create(request, payload: MeetingCreateIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=MeetingsPerm.CHANGE, by_id=True)
    meeting = svc.meeting_create(
        actor=actor, org=org, kind=sel.kind_by_code(payload.kind), party_group=_group(actor, org, payload.party_group),
        topic=payload.topic, agenda=payload.agenda, place=payload.place, online_url=payload.online_url,
        starts_at=payload.starts_at, ends_at=payload.ends_at, held=payload.held,
        attendance=_attendance(payload.attendance), minutes=payload.minutes,
    )
    return Status(201, _meeting_detail(meeting))


@router.get(
    "/mine", perm=SIGNED_IN, response=MyMeetingsOut, operation_id="meetings_mine", summary="我的会议",
    description="""
        与账号关联的党员应参加的会议：即将召开的（计划中、尚未结束，按时间先后）和以往的（最近的在前），
        以及本人的出勤和能否现在签到。账号未关联党员时 `member` 为 null、列表为空。
    """,
)
def meetings_mine(request):
    data = sel.my_meetings(user=request.auth)
    now = timezone.now()

    def item(m):
        opens, closes = svc.checkin_window(m)
        return {**_meeting(m), "my_status": m.my_status, "my_confirmed_at": m.my_confirmed_at,
                "checkin_open": m.status == "planned" and opens <= now <= closes}

    member = data["member"]
    return {"member": _member(member) if member else None, "upcoming": [item(m) for m in data["upcoming"]],
            "past": [item(m) for m in data["past"]]}


@router.post(
    "/checkin", perm=SIGNED_IN, response=MeetingCheckinOut, operation_id="meetings_checkin", summary="本人签到",
    description="""
        党员用会场展示的签到码确认本人出席（会前 30 分钟至会后 30 分钟有效）。不在参会名单中、会议不存在或
        看不到的会议，都返回同样的 422（`meeting`）；签到码错误、过期或尚未发布返回 422（`code`），签到码
        错误会记入操作日志 `meetings.checkin_failed`，错误 5 次后本次会议不能再签到。重复签到不改变记录。
        写入操作日志 `meetings.checkin`。
    """,
)
def meetings_checkin(request, payload: MeetingCheckinIn):
    actor = request.auth
    try:
        meeting = sel.meeting_get(actor=actor, pk=payload.meeting)
    except Http404:
        raise DomainError.one(MeetingsError.CHECKIN_NOT_ON_ROLL, "meeting", _("您不在本次会议的参会名单中"))
    attendance = svc.meeting_checkin(actor=actor, meeting=meeting, code=payload.code)
    return {"meeting": meeting.pk, "member": _member(attendance.member), "status": attendance.status,
            "self_confirmed_at": attendance.self_confirmed_at}


@router.get(
    "/compliance", perm=MeetingsPerm.VIEW, response=CadenceComplianceOut, operation_id="meetings_compliance",
    summary="组织生活落实情况",
    description="""
        `org`（以及 `children: true` 时它的直属下级组织，支部还包括其党小组）在 `period`（YYYY-MM、YYYY-Qn 或
        YYYY，默认本季度）内每条频次要求的落实情况：每个周期已登记召开的次数、应召开次数、计划时间已过但尚未
        登记的次数（`unrecorded`），状态为 met（已达标）、unrecorded（已召开未登记）、open（周期未结束）或
        not_held（未召开）。只统计您数据范围内的会议；一次聚合查询得出。
    """,
)
def meetings_compliance(request, query: Query[CadenceComplianceQuery]):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=query.org, field="org", perm=MeetingsPerm.VIEW, by_id=True)
    period = parse_period(query.period) if query.period else window_of("quarter", timezone.localdate())
    orgs = [org]
    if query.children:
        orgs += list(org_children(actor=actor, org=org, perm=MeetingsPerm.VIEW)[:500])
    results = sel.cadence_compliance(actor=actor, orgs=orgs, period=period)
    return {
        "period": {"label": period.label, "unit": period.unit, "start": period.start, "end": period.end},
        "orgs": [{
            "org": _org(o), "org_type": o.org_type, "status": results[o.pk].status,
            "rules": [{
                "kind": {"code": r.rule.kind.code, "name": r.rule.kind.name}, "unit": r.rule.unit,
                "min_count": r.rule.min_count, "citation": r.rule.citation, "status": r.status, "held": r.held,
                "required": r.required, "unrecorded": r.unrecorded,
                "windows": [{"label": w.window.label, "start": w.window.start, "end": w.window.end,
                             "required": w.required, "held": w.held, "unrecorded": w.unrecorded,
                             "without_minutes": w.without_minutes, "status": w.status} for w in r.windows],
            } for r in results[o.pk].rules],
        } for o in orgs],
    }


@router.get(
    "/series", perm=MeetingsPerm.VIEW, response=MeetingSeriesPageOut, operation_id="meetings_series_list",
    summary="固定活动",
    description="您数据范围内的固定活动（如每月固定的主题党日），按 id 升序，键集分页。",
)
def meetings_series_list(request, query: Query[MeetingListQuery]):
    page = keyset_page(sel.series_list(actor=request.auth), cursor=query.cursor, limit=query.limit)
    return {"items": [_series(s) for s in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/series", perm=MeetingsPerm.CHANGE, response=MeetingSeriesOut, status=201, operation_id="meetings_series_create",
    summary="设立固定活动",
    description="""
        每 `interval_months`（1、2、3、6、12）个月的 `day_of_month` 日（小月取月末）`start_time` 召开，时长
        `duration_minutes`，自 `starts_on` 起、至 `until`（含）止；`generate` 次（默认 3）立即安排为计划中的会议。
        写入操作日志 `meetings.series_create`（安排时另有 `meetings.series_generate`）。
    """,
)
def meetings_series_create(request, payload: MeetingSeriesIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=MeetingsPerm.CHANGE, by_id=True)
    series = svc.series_create(
        actor=actor, org=org, kind=sel.kind_by_code(payload.kind), party_group=_group(actor, org, payload.party_group),
        topic=payload.topic, day_of_month=payload.day_of_month, interval_months=payload.interval_months,
        start_time=dt.time.fromisoformat(payload.start_time), duration_minutes=payload.duration_minutes, starts_on=payload.starts_on,
        until=payload.until, place=payload.place, online_url=payload.online_url,
    )
    if payload.generate:
        svc.series_generate(actor=actor, series=series, count=payload.generate)
    return Status(201, _series(series))


@router.post(
    "/series/{series_id}/generate", perm=MeetingsPerm.CHANGE, response=SeriesGenerateOut,
    operation_id="meetings_series_generate", summary="安排固定活动今后几次",
    description="""
        从今天起安排固定活动今后 `count`（1–24）次中尚未安排的会议；可重复执行，已安排的日期不会重复，
        再次执行返回空列表。
    """,
)
def meetings_series_generate(request, payload: SeriesGenerateIn, series_id: SeriesId):
    actor = request.auth
    series = sel.series_get(actor=actor, pk=series_id, perm=MeetingsPerm.CHANGE)
    return {"created": [_meeting(m) for m in svc.series_generate(actor=actor, series=series, count=payload.count)]}


# ------------------------------------------------------------------------------- terms and elections

@router.get(
    "/terms", perm=ElectionsPerm.VIEW, response=list[MeetingTermStateOut], operation_id="meetings_terms",
    summary="届次与换届提醒",
    description="""
        `org`（及 `children: true` 时的直属下级组织）本届委员会及其状态：current（任期内）、expiring（到了
        届满前 6、3、1 个月的提醒点，`reminder_months`）、expired（已届满未换届）、postponed（经批准延期）。
        提醒点可配置（`DANGJIAN_TERM_REMINDER_MONTHS`）。
    """,
)
def meetings_terms(request, query: Query[MeetingTermsQuery]):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=query.org, field="org", perm=ElectionsPerm.VIEW, by_id=True)
    orgs = [org, *(org_children(actor=actor, org=org, perm=ElectionsPerm.VIEW)[:500] if query.children else [])]
    rows = sel.term_overview(actor=actor, orgs=[o for o in orgs if o.org_type != OrgType.GROUP],
                             today=timezone.localdate())
    return [{"org": _org(o), "term": _term(t) if t else None, "status": s.status if s else None,
             "days_left": s.days_left if s else None, "reminder_months": s.reminder_months if s else None,
             "effective_end": s.effective_end if s else None} for o, t, s in rows]


@router.post(
    "/terms/{term_id}/postpone", perm=ElectionsPerm.CHANGE, response=MeetingTermStateOut,
    operation_id="meetings_term_postpone", summary="登记延期换届",
    description="""
        登记上级党组织批准的延期换届：延期至 `until`（晚于届满日期，且一般不超过 12 个月，DOMAIN §3），
        批准的上级组织 `approved_by`（须是本组织的上级）、批准日期（不晚于今天）和文号。写入操作日志
        `orgs.term_postpone`。
    """,
)
def meetings_term_postpone(request, payload: TermPostponeIn, term_id: TermId):
    actor = request.auth
    term = sel.term_get(actor=actor, pk=term_id, perm=ElectionsPerm.CHANGE)
    term = term_postpone(actor=actor, term=term, until=payload.until,
                         approved_by=sel.ancestor_by_code(org=term.org, code=payload.approved_by),
                         approved_on=payload.approved_on, approval_doc=payload.approval_doc, reason=payload.reason)
    (org, t, s), = sel.term_overview(actor=actor, orgs=[term.org], today=timezone.localdate())
    return {"org": _org(org), "term": _term(t), "status": s.status, "days_left": s.days_left,
            "reminder_months": s.reminder_months, "effective_end": s.effective_end}


@router.get(
    "/elections", perm=ElectionsPerm.VIEW, response=ElectionRecordPageOut, operation_id="meetings_elections_list",
    summary="选举记录",
    description="您数据范围内的换届选举记录，按 id 升序，键集分页。",
)
def meetings_elections_list(request, query: Query[MeetingListQuery]):
    page = keyset_page(sel.election_list(actor=request.auth), cursor=query.cursor, limit=query.limit)
    return {"items": [_election(e) for e in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/elections", perm=ElectionsPerm.CHANGE, response=ElectionRecordOut, status=201,
    operation_id="meetings_election_record", summary="登记换届选举",
    description="""
        登记 `org` 的委员会选举：应到人数按党员名册计算，只计正式党员（预备党员没有选举权，DOMAIN §3）；
        实到须超过应到的一半。每位候选人须是本组织正式党员，当选须获得超过实到人数一半的赞成票；当选者中
        须有且只有一名书记（`position: secretary`）。保存后上一届委员的职务于选举日结束，新一届委员会
        （届次）自选举日开始，当选者任相应职务。写入操作日志 `meetings.election_record`（以及届次和职务的记录）。
    """,
)
def meetings_election_record(request, payload: ElectionRecordIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=ElectionsPerm.CHANGE, by_id=True)
    election = svc.election_record(actor=actor, org=org, held_on=payload.held_on, attending=payload.attending,
                                   results=[r.model_dump() for r in payload.results], note=payload.note)
    return Status(201, _election(election))


@router.get(
    "/elections/{election_id}", perm=ElectionsPerm.VIEW, response=ElectionRecordOut,
    operation_id="meetings_election_get", summary="选举结果",
    description="一次选举的应到、实到、候选人得票、当选职务、产生的届次和上级批复。",
)
def meetings_election_get(request, election_id: ElectionId):
    return _election(sel.election_get(actor=request.auth, pk=election_id))


@router.post(
    "/elections/{election_id}/approve", perm=ElectionsPerm.CHANGE, response=ElectionRecordOut,
    operation_id="meetings_election_approve", summary="登记上级批复",
    description="""
        登记上级党组织对当选书记、副书记的批复：`approved_by` 须是选举组织的上级且在您的管理范围内，批准日期
        不早于选举日期、不晚于今天，文号必填。写入操作日志 `meetings.election_approve`。
    """,
)
def meetings_election_approve(request, payload: ElectionApproveIn, election_id: ElectionId):
    actor = request.auth
    election = sel.election_get(actor=actor, pk=election_id)
    election = svc.election_approve(actor=actor, election=election,
                                    approved_by=sel.ancestor_by_code(org=election.org, code=payload.approved_by),
                                    approved_on=payload.approved_on, approval_doc=payload.approval_doc)
    return _election(election)


# ------------------------------------------------------------------------------------ one meeting

@router.get(
    "/{meeting_id}", perm=MeetingsPerm.VIEW, response=MeetingDetailOut, operation_id="meetings_get",
    summary="会议详情",
    description="一次会议：时间、地点或链接、议程、出勤（含本人签到时间）、会议记录、附件和决定事项。",
)
def meetings_get(request, meeting_id: MeetingId):
    return _meeting_detail(sel.meeting_get(actor=request.auth, pk=meeting_id))


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
    return _meeting_detail(meeting)


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
    return _meeting_detail(meeting)


@router.post(
    "/{meeting_id}/cancel", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut, operation_id="meetings_cancel",
    summary="取消会议",
    description="取消计划中的会议（须填写原因）；已取消的会议不计入组织生活次数。写入操作日志 `meetings.cancel`。",
)
def meetings_cancel(request, payload: MeetingCancelIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    return _meeting_detail(svc.meeting_cancel(actor=actor, meeting=meeting, reason=payload.reason))


@router.post(
    "/{meeting_id}/minutes", perm=MeetingsPerm.CHANGE, response=MeetingDetailOut,
    operation_id="meetings_minutes_set", summary="填写会议记录",
    description="保存会议记录（最多 20000 字）。写入操作日志 `meetings.minutes`（只记录长度）。",
)
def meetings_minutes_set(request, payload: MeetingMinutesIn, meeting_id: MeetingId):
    actor = request.auth
    meeting = sel.meeting_get(actor=actor, pk=meeting_id, perm=MeetingsPerm.CHANGE)
    return _meeting_detail(svc.meeting_minutes_set(actor=actor, meeting=meeting, minutes=payload.minutes))


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
