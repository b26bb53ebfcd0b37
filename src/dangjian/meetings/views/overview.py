"""Meeting pages around the meetings: my meetings and self check-in (members), the month calendar,
cadence compliance and recurring series."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.scoping import resolver
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.choices import (
    ComplianceStatus,
    KindCode,
    MeetingsPerm,
)
from dangjian.meetings.forms import (
    SERVICE_FIELD_MAP,
    CalendarForm,
    CheckinForm,
    ComplianceForm,
    GenerateForm,
    SeriesForm,
)
from dangjian.meetings.periods import parse_period, window_of
from dangjian.meetings.views.common import (
    form_page,
    month_from_form,
    org_from_code,
)
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_children
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm

__all__ = ["calendar", "checkin", "compliance", "mine", "series", "series_create", "series_generate"]


# ------------------------------------------------------------------------------- members: mine, check in

@require_perm(None)  # one's own meetings, through the member record linked to the account
@require_GET
def mine(request):
    """我的会议: upcoming (with check-in while a meeting runs) and past, with my attendance."""
    data = sel.my_meetings(actor=request.user)
    now = timezone.now()
    for meeting in data["upcoming"]:
        opens, closes = svc.checkin_window(meeting)
        meeting.checkin_open = opens <= now <= closes
    return render(request, "meetings/mine.html", data)


@require_perm(None)  # a member confirms their own attendance; the meeting must be visible to them
@require_http_methods(["GET", "POST"])
def checkin(request, pk: int):
    """签到: a member enters the code shown at the meeting to mark themselves present."""
    meeting = sel.meeting_get(actor=request.user, pk=pk)
    form = CheckinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.meeting_checkin(actor=request.user, meeting=meeting, code=form.cleaned_data["code"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("签到成功：%(topic)s") % {"topic": meeting.topic})
            return redirect("meetings:mine")
    return form_page(request, "meetings/checkin.html", {"form": form, "meeting": meeting})


# ------------------------------------------------------------------------------- calendar, compliance

@require_perm(MeetingsPerm.VIEW)
@require_GET
def calendar(request):
    """会议日历: a month grid of an org's (subtree's) meetings, with the month's list below for phones."""
    actor = request.user
    form = CalendarForm(request.GET)
    form.is_valid()
    org = org_from_code(actor, form, "org", MeetingsPerm.VIEW)
    if org is None and not form.errors:
        org = sel.default_org_for(actor, MeetingsPerm.VIEW)
    month = month_from_form(form)
    weeks = sel.calendar_month(actor=actor, org=org, year=month.start.year, month=month.start.month) \
        if not form.errors else []
    prev_month = window_of("month", month.start - dt.timedelta(days=1))
    params = {"org": org.code} if org else {}
    return render(request, "meetings/calendar.html", {
        "form": form, "org": org, "month": month, "weeks": weeks, "today": timezone.localdate(),
        "day_meetings": [m for week in weeks for day in week if day.in_month for m in day.meetings],
        "prev": "?" + urlencode({**params, "month": prev_month.label}),
        "next": "?" + urlencode({**params, "month": window_of("month", month.end).label}),
    })


@require_perm(MeetingsPerm.VIEW)
@require_GET
def compliance(request):
    """组织生活落实情况: per org (an org, its sub-orgs and, for a branch, its party groups) and cadence
    rule, held vs required in the period; "not held" and "held but not recorded" told apart."""
    actor = request.user
    form = ComplianceForm(request.GET)
    form.is_valid()
    org = org_from_code(actor, form, "org", MeetingsPerm.VIEW)
    if org is None and not form.errors:
        org = sel.default_org_for(actor, MeetingsPerm.VIEW)
    today = timezone.localdate()
    try:
        period = parse_period(form.cleaned_data.get("period")) if form.cleaned_data.get("period") else \
            window_of("quarter", today)
    except DomainError as exc:
        add_domain_errors(form, exc)
        period = window_of("quarter", today)
    orgs: list[Organization] = []
    if org is not None and not form.errors:
        orgs = [org, *org_children(actor=actor, org=org, perm=MeetingsPerm.VIEW)[:200]]
    results = sel.cadence_compliance(actor=actor, orgs=orgs, period=period) if orgs else {}
    kinds = []
    for result in results.values():
        for rule in result.rules:
            if rule.rule.kind not in kinds:
                kinds.append(rule.rule.kind)
    rows = []
    for o in orgs:
        by_kind = {r.rule.kind_id: r for r in results[o.pk].rules}
        rows.append({"org": o, "result": results[o.pk], "cells": [by_kind.get(k.pk) for k in kinds]})
    return render(request, "meetings/compliance.html", {
        "form": form, "org": org, "period": period, "kinds": kinds, "rows": rows, "statuses": ComplianceStatus,
    })


# ------------------------------------------------------------------------------------------ series

@require_perm(MeetingsPerm.VIEW)
@require_GET
def series(request):
    """固定活动: the recurring series in scope, each with its next planned dates."""
    actor = request.user
    items = list(sel.series_list(actor=actor).order_by("org__path", "pk")[:200])
    upcoming = sel.series_upcoming(actor=actor, items=items, today=timezone.localdate())
    for item in items:
        item.upcoming = upcoming.get(item.pk, [])
    return render(request, "meetings/series.html", {
        "items": items, "generate_form": GenerateForm(),
        "can_change": resolver().has_perm_anywhere(actor, MeetingsPerm.CHANGE)})


@require_perm(MeetingsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def series_create(request):
    """设立固定活动: e.g. the monthly 主题党日 on a fixed day."""
    actor = request.user
    default = sel.default_org_for(actor)
    form = SeriesForm(request.POST or None, kinds=sel.kinds_for_org(actor=actor, org=None), initial={
        "org": default.code if default else "", "kind": KindCode.THEME_DAY, "start_time": dt.time(14, 30),
        "starts_on": timezone.localdate(), "interval_months": 1, "duration_minutes": 90})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = org_from_code(actor, form, "org", MeetingsPerm.CHANGE)
        group = None
        if data.get("party_group"):
            groups = sel.org_groups(actor=actor, org=org, perm=MeetingsPerm.CHANGE) if org else []
            group = next((g for g in groups if g.code == data["party_group"].strip()), None)
            if group is None:
                form.add_error("party_group", _("该党小组不属于本支部"))
        if not form.errors:
            try:
                created = svc.series_create(
                    actor=actor, org=org, kind=sel.kind_by_code(actor=actor, code=data["kind"]), topic=data["topic"],
                    day_of_month=data["day_of_month"], interval_months=data["interval_months"],
                    start_time=data["start_time"], duration_minutes=data["duration_minutes"],
                    starts_on=data["starts_on"], until=data.get("until"), place=data["place"],
                    online_url=data["online_url"], party_group=group)
                svc.series_generate(actor=actor, series=created, count=3)
            except DomainError as exc:
                add_domain_errors(form, exc, SERVICE_FIELD_MAP)
            else:
                messages.success(request, _("已设立固定活动，并安排了今后 3 次"))
                return redirect(reverse("meetings:series"))
        form.mark_invalid()
    return form_page(request, "meetings/series_form.html", {"form": form})


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def series_generate(request, pk: int):
    """安排今后几次: creates the missing planned meetings of the next N dates (idempotent)."""
    item = sel.series_get(actor=request.user, pk=pk, perm=MeetingsPerm.CHANGE)
    form = GenerateForm(request.POST)
    count = form.cleaned_data["count"] if form.is_valid() else None
    try:
        created = svc.series_generate(actor=request.user, series=item, count=count)
    except DomainError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("新安排 %(n)s 次") % {"n": len(created)} if created else _("今后几次均已安排"))
    return redirect("meetings:series")
