"""Recurring meetings (固定活动日): a series, and the idempotent generation of its next occurrences as
planned meetings. Permission: ``meetings.change`` on the series' org."""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.parsing import parse_int
from dangjian.meetings.choices import MeetingsPerm, MeetingStatus
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.models import Meeting, MeetingKind, MeetingSeries
from dangjian.meetings.services.common import check_text, check_url
from dangjian.meetings.services.meetings import _check_kind_and_group
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

__all__ = ["MAX_GENERATE", "SERIES_INTERVALS", "series_create", "series_dates", "series_generate"]

SERIES_INTERVALS = (1, 2, 3, 6, 12)
MAX_GENERATE = 24


@transaction.atomic
def series_create(*, actor: Any, org: Organization, kind: MeetingKind | None, topic: str, day_of_month: Any,
                  start_time: dt.time | None, starts_on: dt.date | None, duration_minutes: Any = 90,
                  interval_months: Any = 1, until: dt.date | None = None, place: str = "", online_url: str = "",
                  party_group: Organization | None = None) -> MeetingSeries:
    """Creates a recurring series: every *interval_months* months (1, 2, 3, 6 or 12) on *day_of_month*
    (1–31; a short month uses its last day) at *start_time* for *duration_minutes* (15–720), from
    *starts_on* until *until* (inclusive, optional). Audit: ``meetings.series_create``."""
    require_org_in_scope(actor=actor, org=org, perm=MeetingsPerm.CHANGE)
    errors: list[FieldError] = []
    _check_kind_and_group(org, kind, party_group, errors)
    topic = check_text(topic, "topic", errors, max_length=200, required=True, required_message=_("请填写会议主题"))
    place = check_text(place, "place", errors, max_length=200)
    url = check_url(online_url, "online_url", errors)
    day = _int(day_of_month)
    if day is None or not 1 <= day <= 31:
        errors.append(FieldError(MeetingsError.SERIES_DAY, "day_of_month", _("每月几日应为 1–31")))
    interval = _int(interval_months)
    if interval not in SERIES_INTERVALS:
        errors.append(FieldError(MeetingsError.SERIES_INTERVAL, "interval_months", _("间隔应为 1、2、3、6 或 12 个月")))
    duration = _int(duration_minutes)
    if duration is None or not 15 <= duration <= 720:
        errors.append(FieldError(MeetingsError.SERIES_DURATION, "duration_minutes", _("时长应为 15–720 分钟")))
    if not isinstance(start_time, dt.time):
        errors.append(FieldError(MeetingsError.TIME_REQUIRED, "start_time", _("请填写开始时间")))
    if not isinstance(starts_on, dt.date):
        errors.append(FieldError(MeetingsError.TIME_REQUIRED, "starts_on", _("请填写起始日期")))
    elif until is not None and until < starts_on:
        errors.append(FieldError(MeetingsError.END_BEFORE_START, "until", _("截止日期不能早于起始日期")))
    if errors:
        raise DomainError(errors)
    series = MeetingSeries.objects.create(
        org=org, party_group=party_group, kind=kind, topic=topic, place=place, online_url=url, day_of_month=day,
        interval_months=interval, start_time=start_time, duration_minutes=duration, starts_on=starts_on, until=until,
    )
    record(actor=actor, action=AuditAction.SERIES_CREATED, target=series, org=org, after={
        "kind": kind.code, "topic": topic, "day_of_month": day, "interval_months": interval,
        "start_time": start_time, "duration_minutes": duration, "starts_on": starts_on, "until": until,
    })
    return series


def _int(value: Any) -> int | None:
    # ASCII digits within a database integer: "³" or 10**30 is a field error, not a 500 (issue 7)
    return parse_int(value, minimum=-(2**31), maximum=2**31 - 1)


def series_dates(series: MeetingSeries, *, after: dt.date, count: int) -> list[dt.date]:
    """The series' next *count* dates on or after *after* (and its start), up to its end."""
    out: list[dt.date] = []
    anchor = series.starts_on.replace(day=1)
    first = max(after, series.starts_on)
    step = 0
    while len(out) < count:
        month = anchor + relativedelta(months=step * series.interval_months)
        step += 1
        day = month.replace(day=min(series.day_of_month, calendar.monthrange(month.year, month.month)[1]))
        if series.until is not None and day > series.until:
            break
        if day >= first:
            out.append(day)
        if step > 12 * 200:  # pragma: no cover - a guard, never reached with validated series
            break
    return out


@transaction.atomic
def series_generate(*, actor: Any, series: MeetingSeries, count: Any = 3,
                    today: dt.date | None = None) -> list[Meeting]:
    """Creates the series' next *count* (1–24) occurrences from *today* as planned meetings, skipping
    dates that already have one: running it twice creates nothing the second time (the database
    enforces one meeting per series and date). Audit: ``meetings.series_generate`` when anything was
    created."""
    series = MeetingSeries.objects.select_for_update(of=("self",)).select_related("org", "kind", "party_group").get(pk=series.pk)
    require_org_in_scope(actor=actor, org=series.org, perm=MeetingsPerm.CHANGE)
    n = _int(count)
    if n is None or not 1 <= n <= MAX_GENERATE:
        raise DomainError.one(MeetingsError.SERIES_COUNT, "count", _("一次生成 1–%(n)s 次") % {"n": MAX_GENERATE})
    today = today or timezone.localdate()
    dates = series_dates(series, after=today, count=n)
    existing = set(series.meetings.filter(occurrence_on__in=dates).values_list("occurrence_on", flat=True))
    created = []
    for day in dates:
        if day in existing:
            continue
        starts_at = timezone.make_aware(dt.datetime.combine(day, series.start_time))
        created.append(Meeting.objects.create(
            org=series.org, party_group=series.party_group, kind=series.kind, series=series, occurrence_on=day,
            topic=series.topic, place=series.place, online_url=series.online_url, starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=series.duration_minutes), meeting_date=day,
            status=MeetingStatus.PLANNED,
        ))
    if created:
        record(actor=actor, action=AuditAction.SERIES_GENERATED, target=series, org=series.org,
               after={"created": [m.meeting_date for m in created]})
    return created
