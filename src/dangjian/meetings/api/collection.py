"""Meeting kinds, cadence rules, the meeting list, planning, my meetings, self check-in and cadence compliance."""
from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from dangjian.core.api import SIGNED_IN
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.rules_api import rule_operations
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.api.common import _attendance, _group, _meeting, _meeting_detail, _member, _org, router
from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.periods import parse_period, window_of
from dangjian.meetings.schemas import (
    CadenceComplianceOut,
    CadenceComplianceQuery,
    CadenceRuleOut,
    MeetingCheckinIn,
    MeetingCheckinOut,
    MeetingCreateIn,
    MeetingDetailOut,
    MeetingFilters,
    MeetingKindOut,
    MeetingPageOut,
    MyMeetingsOut,
)
from dangjian.meetings.services.rules import RULESET
from dangjian.orgs.api import org_ref_or_error
from dangjian.orgs.selectors import org_children


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
            for k in sel.kinds_for_org(actor=request.auth, org=None)]


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
            for r in sel.cadence_rules(actor=request.auth, enabled_only=False)]


rule_operations(
    router, ruleset=RULESET, view_perm=MeetingsPerm.VIEW, update=svc.cadence_rule_update,
    list_summary="组织生活频次要求（规则）",
    list_description="""
        频次要求按规则的统一形式列出：代码 `<组织类别>.<会议类型代码>`（如 `branch.general_meeting`）、
        名称、参数（`unit` 周期：month / quarter / year；`min_count` 每个周期最少次数）及其范围、是否启用、
        依据（DOMAIN §4 条目与文件名称条款）和可信度。
    """,
    update_summary="修改组织生活频次要求",
    update_description="""
        修改一条频次要求的周期、最少次数（1–52）或是否启用，须写明依据；超出范围返回 422，字段为
        `params.<参数名>`，不作任何修改。记入操作日志 `meetings.cadence_rule_update`；落实情况和下一次
        组织健康监测按新要求计算。规则适用于整个平台。
    """,
)


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
    kind = sel.kind_by_code(actor=actor, code=filters.kind) if filters.kind else None
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
        actor=actor, org=org, kind=sel.kind_by_code(actor=actor, code=payload.kind),
        party_group=_group(actor, org, payload.party_group),
        topic=payload.topic, agenda=payload.agenda, place=payload.place, online_url=payload.online_url,
        starts_at=payload.starts_at, ends_at=payload.ends_at, held=payload.held,
        attendance=_attendance(payload.attendance), minutes=payload.minutes,
    )
    return Status(201, _meeting_detail(actor, meeting))


@router.get(
    "/mine", perm=SIGNED_IN, response=MyMeetingsOut, operation_id="meetings_mine", summary="我的会议",
    description="""
        与账号关联的党员应参加的会议：即将召开的（计划中、尚未结束，按时间先后）和以往的（最近的在前），
        以及本人的出勤和能否现在签到。账号未关联党员时 `member` 为 null、列表为空。
    """,
)
def meetings_mine(request):
    data = sel.my_meetings(actor=request.auth)
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
