"""Recurring series (固定活动): list, create, generate the meetings of a period."""
from __future__ import annotations

import datetime as dt

from ninja import Query, Status

from dangjian.core.pagination import keyset_page
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.api.common import SeriesId, _group, _meeting, _series, router
from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.schemas import (
    MeetingListQuery,
    MeetingSeriesIn,
    MeetingSeriesOut,
    MeetingSeriesPageOut,
    SeriesGenerateIn,
    SeriesGenerateOut,
)
from dangjian.orgs.api import org_ref_or_error


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
        actor=actor, org=org, kind=sel.kind_by_code(actor=actor, code=payload.kind),
        party_group=_group(actor, org, payload.party_group),
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
