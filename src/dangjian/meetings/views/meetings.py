"""Meeting pages: the list, the phone-first record form, a meeting (roll call, minutes, attachments,
follow-ups, check-in code), editing, recording, cancelling."""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.parsing import parse_id
from dangjian.core.scoping import resolver
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.choices import (
    AttendanceStatus,
    MeetingsPerm,
    MeetingStatus,
)
from dangjian.meetings.forms import (
    SERVICE_FIELD_MAP,
    CalendarForm,
    CancelForm,
    FollowUpForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    RecordForm,
    UploadForm,
)
from dangjian.meetings.kinds import default_kind
from dangjian.meetings.views.common import (
    default_times,
    form_page,
    month_from_form,
    org_from_code,
    with_row_errors,
)
from dangjian.members.selectors import member_of_user
from dangjian.orgs.pickers import org_choice, org_pick_resolve
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice

__all__ = [
    "attachment_download",
    "attachment_upload",
    "cancel",
    "checkin_code",
    "create",
    "detail",
    "edit",
    "followup_add",
    "followup_done",
    "meeting_list",
    "minutes",
    "record",
]

PAGE_SIZE = 50
FORM_FIELDS = ("topic", "place", "online_url", "agenda", "minutes", "starts_at", "ends_at")


def _roll_rows(members, posted=None, errors=None, confirmed=None) -> list[dict[str, Any]]:
    """One row per member of the roll: the status to show (posted, else present), reason, errors."""
    posted = posted or {}
    rows = []
    for member in members:
        status, reason = posted.get(member.pk, (AttendanceStatus.PRESENT, ""))
        rows.append({"member": member, "status": status, "reason": reason, "errors": (errors or {}).get(member.pk, []),
                     "confirmed": (confirmed or {}).get(member.pk)})
    return rows


def _posted_attendance(request) -> tuple[list[int], list[dict[str, Any]], dict[int, tuple[str, str]]]:
    ids = []
    for raw in request.POST.getlist("roll"):
        pk = parse_id(raw)
        if pk is not None:
            ids.append(pk)
    entries = [{"member": pk, "status": request.POST.get(f"att_{pk}", AttendanceStatus.PRESENT),
                "reason": request.POST.get(f"reason_{pk}", "")} for pk in ids]
    posted = {e["member"]: (e["status"], e["reason"]) for e in entries}
    return ids, entries, posted


# ------------------------------------------------------------------------------------------ list

@require_perm(MeetingsPerm.VIEW)
@require_GET
def meeting_list(request):
    """会议列表: the visible meetings of a month (default this month), optionally of an org's subtree."""
    actor = request.user
    form = CalendarForm(request.GET)
    form.is_valid()
    org = org_from_code(actor, form, "org", MeetingsPerm.VIEW)
    month = month_from_form(form)
    qs = sel.meeting_list(actor=actor, org=org, date_from=month.start, date_to=month.end - dt.timedelta(days=1),
                          status=request.GET.get("status") or None)
    page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    params = {"org": org.code if org else "", "month": month.label, "status": request.GET.get("status", "")}
    base = {k: v for k, v in params.items() if v}
    return render(request, "meetings/list.html", {
        "form": form, "org": org, "month": month,
        "meetings": sorted(page.items, key=lambda m: (m.starts_at, m.pk)),
        "next": "?" + urlencode({**base, "cursor": page.next_cursor}) if page.next_cursor else None,
        "can_change": resolver().has_perm_anywhere(actor, MeetingsPerm.CHANGE),
        "statuses": MeetingStatus.choices, "now": timezone.now(),
    })


# ------------------------------------------------------------------------------------------ record

def _create_context(request) -> dict[str, Any]:
    """Resolves org, kind and party group from the request (POST, else GET, else the actor's defaults)."""
    actor = request.user
    data = request.POST if request.method == "POST" else request.GET
    orgs = sel.meeting_orgs_for(actor)
    org, org_error = None, None
    code = (data.get("org") or "").strip()
    if code:  # chosen with the picker (a code), or a name typed without it
        org, org_error = org_pick_resolve(actor=actor, text=code, perm=MeetingsPerm.CHANGE)
    else:
        # the actor's own branch; a user whose scope is above branches chooses first (issue 9, point 6: no
        # group-wide roll of thousands before an org is chosen)
        org = sel.meeting_form_default_org(actor, orgs)
    kinds = sel.kinds_for_org(actor=actor, org=org) if org else []
    kind = default_kind(kinds, data.get("kind"))
    groups = list(sel.org_groups(actor=actor, org=org, perm=MeetingsPerm.CHANGE)) if org else []
    group = next((g for g in groups if g.code == (data.get("party_group") or "")), None)
    if kind is not None and kind.roll == "group" and group is None and groups and not data.get("party_group"):
        group = groups[0]
    roll = list(sel.roll_for(actor=actor, org=org, kind=kind, party_group=group, perm=MeetingsPerm.CHANGE)) if org and kind else []
    return {"orgs": orgs, "org": org, "org_code": code, "org_error": org_error, "kinds": kinds, "kind": kind, "groups": groups,
            "group": group, "roll": roll}


@require_perm(MeetingsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def create(request):
    """登记会议 (phone first): kind, org (the actor's branch), time (the hour just past) and the whole roll
    marked present are prefilled; one tap marks a member on leave (with the reason) or absent."""
    actor = request.user
    ctx = _create_context(request)
    org, kind, group = ctx["org"], ctx["kind"], ctx["group"]
    start, end = default_times()
    initial = {"org": org.code if org else ctx["org_code"], "kind": kind.code if kind else "",
               "party_group": group.code if group else "", "starts_at": start, "ends_at": end, "held": True}
    if request.method == "GET":
        initial.update({k: request.GET[k] for k in (*FORM_FIELDS, "held") if k in request.GET})
        if "kind" in request.GET and "held" not in request.GET:
            initial["held"] = False  # an htmx refresh of a form whose box was unticked
    form = MeetingForm(request.POST or None, initial=initial,
                       orgs=ctx["orgs"] if 0 < len(ctx["orgs"]) <= 50 else None, kinds=ctx["kinds"],
                       groups=ctx["groups"], refresh_url=reverse("meetings:create"), chosen=org is not None)
    if org is not None:
        show_choice(form, "org", org_choice(actor=actor, org=org))
    row_errors: dict[int, list[str]] = {}
    posted: dict[int, tuple[str, str]] = {}
    if request.method == "POST" and form.is_valid() and org is not None:
        data = form.cleaned_data
        ids, entries, posted = _posted_attendance(request)
        try:
            meeting = svc.meeting_create(
                actor=actor, org=org, kind=kind, party_group=group, topic=data["topic"],
                starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"],
                online_url=data["online_url"], agenda=data["agenda"], held=data["held"],
                attendance=entries if data["held"] else None, minutes=data["minutes"],
            )
        except DomainError as exc:
            row_errors = with_row_errors(form, exc, "attendance", ids, SERVICE_FIELD_MAP,
                                         shown={m.pk for m in ctx["roll"]})
        else:
            names = {"kind": kind.name, "topic": meeting.topic}
            messages.success(request, (_("已登记：%(kind)s“%(topic)s”") if meeting.is_held
                                       else _("已安排：%(kind)s“%(topic)s”")) % names)
            return redirect("meetings:detail", pk=meeting.pk)
    elif request.method == "POST":
        _ids, _entries, posted = _posted_attendance(request)
        if org is None and "org" not in form.errors:
            form.add_error("org", ctx["org_error"] or _("请选择党组织"))
            form.mark_invalid()
    return form_page(request, "meetings/create.html", {
        **ctx, "form": form, "rows": _roll_rows(ctx["roll"], posted, row_errors),
        "held": form["held"].value() if form.is_bound else initial["held"],
    })


# ------------------------------------------------------------------------------------------ a meeting

def _detail_context(actor, meeting, **forms) -> dict[str, Any]:
    can_change = sel.meeting_can_change(actor=actor, meeting=meeting)
    attendance = sel.meeting_attendance(actor=actor, meeting=meeting)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for row in attendance:
        counts[row.status] += 1
    now = timezone.now()
    opens, closes = svc.checkin_window(meeting)
    planned = meeting.status == MeetingStatus.PLANNED
    member = member_of_user(actor=actor)
    on_roll = planned and member is not None and sel.roll_for(
        actor=actor, org=meeting.org, kind=meeting.kind, party_group=meeting.party_group
    ).filter(pk=member.pk).exists()
    confirmed = member is not None and any(a.member_id == member.pk and a.self_confirmed_at for a in attendance)
    return {
        "meeting": meeting, "attendance": attendance, "counts": counts, "can_change": can_change, "now": now,
        "attachments": sel.meeting_attachments(actor=actor, meeting=meeting),
        "followups": sel.meeting_followups(actor=actor, meeting=meeting),
        "checkin_open": planned and opens <= now <= closes,
        "code_possible": planned and now <= closes,
        "can_checkin": on_roll and not confirmed and opens <= now <= closes,
        "upload_form": forms.get("upload_form") or UploadForm(),
        "followup_form": forms.get("followup_form") or FollowUpForm(
            owners=sel.org_roll(actor=actor, org=meeting.org)[:500], initial={"due_on": meeting.meeting_date}),
        "minutes_form": forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
    }


@require_perm(None)  # one's own meetings are always readable (STYLE §4, the "self" scope); others need meetings.view
@require_GET
def detail(request, pk: int):
    """一次会议: time, place or link, agenda, the roll call, minutes, attachments, follow-ups."""
    meeting = sel.meeting_get(actor=request.user, pk=pk)
    return render(request, "meetings/detail.html", _detail_context(request.user, meeting))


def _for_change(request, pk: int):
    return sel.meeting_get(actor=request.user, pk=pk, perm=MeetingsPerm.CHANGE)


@require_perm(MeetingsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """修改会议: topic, time, place, link, agenda."""
    meeting = _for_change(request, pk)
    initial = {"topic": meeting.topic, "starts_at": timezone.localtime(meeting.starts_at),
               "ends_at": timezone.localtime(meeting.ends_at), "place": meeting.place, "online_url": meeting.online_url,
               "agenda": "\n".join(meeting.agenda or [])}
    form = MeetingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("meetings:detail", pk=meeting.pk)
    return form_page(request, "meetings/edit.html", {"form": form, "meeting": meeting})


@require_perm(MeetingsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    """登记召开情况: a planned meeting recorded as held with its roll call (self check-ins kept)."""
    meeting = _for_change(request, pk)
    roll = list(sel.roll_for(actor=request.user, org=meeting.org, kind=meeting.kind,
                             party_group=meeting.party_group, perm=MeetingsPerm.CHANGE))
    existing = {a.member_id: a for a in sel.meeting_attendance(actor=request.user, meeting=meeting)}
    confirmed = {pk_: a.self_confirmed_at for pk_, a in existing.items() if a.self_confirmed_at}
    posted = {pk_: (a.status, a.reason) for pk_, a in existing.items()} if meeting.is_held else {}
    initial = {"starts_at": timezone.localtime(meeting.starts_at), "ends_at": timezone.localtime(meeting.ends_at),
               "minutes": meeting.minutes}
    form = RecordForm(request.POST or None, initial=initial)
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        ids, entries, posted = _posted_attendance(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.meeting_record(actor=request.user, meeting=meeting, attendance=entries, minutes=data["minutes"],
                                   starts_at=data["starts_at"], ends_at=data["ends_at"])
            except DomainError as exc:
                row_errors = with_row_errors(form, exc, "attendance", ids, shown={m.pk for m in roll})
            else:
                messages.success(request, _("已登记会议召开情况"))
                return redirect("meetings:detail", pk=meeting.pk)
    return form_page(request, "meetings/record.html", {
        "form": form, "meeting": meeting, "rows": _roll_rows(roll, posted, row_errors, confirmed)})


def _detail_again(request, meeting, **forms):
    return render(request, "meetings/detail.html", _detail_context(request.user, meeting, **forms), status=400)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def cancel(request, pk: int):
    """取消会议 (a planned one), with the reason."""
    meeting = _for_change(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            svc.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("会议已取消"))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail_again(request, meeting, cancel_form=form)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def minutes(request, pk: int):
    """会议记录."""
    meeting = _for_change(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            svc.meeting_minutes_set(actor=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("会议记录已保存"))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail_again(request, meeting, minutes_form=form)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def attachment_upload(request, pk: int):
    """上传附件 (size and type limited; refused with the reason at the field)."""
    meeting = _for_change(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = svc.attachment_add(actor=request.user, meeting=meeting, upload=form.cleaned_data["file"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已上传“%(name)s”") % {"name": attachment.name})
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail_again(request, meeting, upload_form=form)


@require_perm(None)  # as the meeting: one's own meetings' files are always readable, others need meetings.view
@require_GET
def attachment_download(request, pk: int, aid: int):
    """An attachment, served as a download (never inline, whatever its type)."""
    meeting = sel.meeting_get(actor=request.user, pk=pk)
    attachment = sel.attachment_get(actor=request.user, meeting=meeting, pk=aid)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def followup_add(request, pk: int):
    """会议决定事项: what, who (a member of the org), by when."""
    meeting = _for_change(request, pk)
    form = FollowUpForm(request.POST, owners=sel.org_roll(actor=request.user, org=meeting.org,
                                                         perm=MeetingsPerm.CHANGE)[:500])
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.followup_add(actor=request.user, meeting=meeting, title=data["title"], owner_id=data["owner"],
                             due_on=data["due_on"])
        except DomainError as exc:
            add_domain_errors(form, exc, SERVICE_FIELD_MAP)
        else:
            messages.success(request, _("已添加决定事项"))
            return redirect("meetings:detail", pk=meeting.pk)
    return _detail_again(request, meeting, followup_form=form)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def followup_done(request, pk: int, fid: int):
    meeting = _for_change(request, pk)
    followup = sel.followup_get(actor=request.user, meeting=meeting, pk=fid)
    try:
        svc.followup_complete(actor=request.user, followup=followup)
    except DomainError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("已标记完成"))
    return redirect("meetings:detail", pk=meeting.pk)


@require_perm(MeetingsPerm.CHANGE)
@require_POST
def checkin_code(request, pk: int):
    """发布签到码: a fresh code for members to confirm their attendance during the meeting."""
    meeting = _for_change(request, pk)
    try:
        svc.checkin_code_issue(actor=request.user, meeting=meeting)
    except DomainError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("已发布签到码，请在会场展示"))
    return redirect("meetings:detail", pk=meeting.pk)
