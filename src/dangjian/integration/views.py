"""Pages of the integration app: the inbox (every signed-in user, their own notifications only), the
notification preferences, and the notification channels of the orgs in the actor's
``integration.configure`` scope, plus the read-only schedule (``integration.schedule``).

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. Someone else's notification or a channel outside the actor's scope is "not found".
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.declarations import label
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.integration import conf
from dangjian.integration.choices import ChannelKind, IntegrationPerm, PersonalChannel
from dangjian.integration.cron import describe_spec
from dangjian.integration.forms import ChannelEditForm, ChannelFilterForm, ChannelForm, PreferencesForm
from dangjian.integration.selectors import (
    channel_deliveries,
    channel_get,
    channel_list,
    inbox_page,
    notification_get_own,
    preferences_of,
    schedule_list,
    unread_count,
)
from dangjian.integration.senders import mask_url
from dangjian.integration.services import (
    channel_create,
    channel_delete,
    channel_test,
    channel_update,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_set,
)
from dangjian.orgs.pickers import org_choice, org_from_picker, org_pick_resolve
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice

__all__ = [
    "channel_create_view",
    "channel_delete_view",
    "channel_edit",
    "channel_test_view",
    "channels",
    "inbox",
    "preferences",
    "read",
    "read_all",
    "schedule",
]

PAGE_SIZE = 30


def _kinds_enabled() -> dict[str, bool]:
    return {kind: conf.kind_enabled(kind) for kind in ChannelKind.values}


# --- the inbox -------------------------------------------------------------------------------------------


@require_perm(None)  # everyone has an inbox; it only ever shows the actor's own notifications
@require_GET
def inbox(request):
    """我的通知: newest first; "unread only" filter; open (marks read), mark read, mark all read."""
    actor = request.user
    unread_only = request.GET.get("unread") == "1"
    page = inbox_page(actor=actor, unread=unread_only, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    base = {"unread": "1"} if unread_only else {}
    return render(request, "integration/inbox.html", {
        "notifications": page.items,
        "unread_only": unread_only,
        "unread_total": unread_count(actor),
        "next_url": "?" + urlencode({**base, "cursor": page.next_cursor}) if page.next_cursor else None,
        "first_url": "?" + urlencode(base),
    })


def _back(request) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return "integration:inbox"


@require_perm(None)
@require_POST
def read(request, pk: int):
    """Marks one of the actor's notifications read; with ``open`` set, continues to its (local) link."""
    notification = notification_get_own(actor=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if request.POST.get("open") and link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect(_back(request))


@require_perm(None)
@require_POST
def read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": count})
    return redirect(_back(request))


@require_perm(None)
def preferences(request):
    """通知偏好: the least severity per personal channel and the muted sources, ticked by name."""
    actor = request.user
    prefs = preferences_of(actor=actor)
    initial = {
        "in_app_min_severity": prefs[PersonalChannel.IN_APP].min_severity,
        "in_app_muted_sources": list(prefs[PersonalChannel.IN_APP].muted_sources),
        "email_min_severity": prefs[PersonalChannel.EMAIL].min_severity,
        "email_muted_sources": list(prefs[PersonalChannel.EMAIL].muted_sources),
    }
    stored = [*initial["in_app_muted_sources"], *initial["email_muted_sources"]]
    form = PreferencesForm(request.POST or None, initial=initial, stored=stored)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                preferences_set(actor=actor, values={
                    channel: {"min_severity": data[f"{channel}_min_severity"],
                              "muted_sources": data[f"{channel}_muted_sources"]}
                    for channel in PersonalChannel.values
                })
            except DomainError as exc:
                add_domain_errors(form, exc, {f"{c}.{f}": f"{c}_{f}" for c in PersonalChannel.values
                                              for f in ("min_severity", "muted_sources")})
            else:
                messages.success(request, _("已保存通知偏好"))
                return redirect("integration:preferences")
        status = 400
    return render(request, "integration/preferences.html", {
        "form": form, "email_enabled": conf.kind_enabled(ChannelKind.EMAIL), "email_address": actor.email,
    }, status=status)


# --- channels --------------------------------------------------------------------------------------------


def _org_filter(actor: Any, code: str | None, form: Any = None):
    """The org chosen in the filter (picker: a code or a name); out of scope it is 404 like a missing one."""
    org, _error = org_pick_resolve(actor=actor, text=code or "", perm=IntegrationPerm.CONFIGURE)
    if org is None and (code or "").strip():
        raise Http404("not found")
    if org is not None and form is not None:
        show_choice(form, "org", org_choice(actor=actor, org=org))
    return org


@require_perm(IntegrationPerm.CONFIGURE)
@require_GET
def channels(request):
    """通知渠道: the channels of the orgs in scope (filter by org code), with the installation's switches."""
    actor = request.user
    form = ChannelFilterForm(request.GET)
    org = _org_filter(actor, request.GET.get("org"), form)
    page = keyset_page(channel_list(actor=actor, org=org), cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    rows = [(c, mask_url(c.webhook_url) if c.webhook_url else "") for c in page.items]
    return render(request, "integration/channels.html", {
        "rows": rows, "org": org, "form": form, "kinds_enabled": _kinds_enabled(),
        "next_url": "?" + urlencode({**({"org": org.code} if org else {}), "cursor": page.next_cursor})
        if page.next_cursor else None,
    })


def _recipients(text: str) -> list[str]:
    return [part for part in (text or "").replace("，", ",").replace(";", ",").replace("\n", ",").split(",")
            if part.strip()]


@require_perm(IntegrationPerm.CONFIGURE)
def channel_create_view(request):
    actor = request.user
    form = ChannelForm(request.POST or None, initial={"org_code": request.GET.get("org", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = org_from_picker(actor, form, "org_code")  # unknown and out of scope read the same
            if org is not None:
                try:
                    channel = channel_create(
                        actor=actor, org=org, kind=data["kind"], name=data["name"],
                        webhook_url=data["webhook_url"], secret=data["secret"],
                        email_recipients=_recipients(data["email_recipients"]),
                        min_severity=data["min_severity"], include_subtree=data["include_subtree"],
                        enabled=data["enabled"])
                except DomainError as exc:
                    add_domain_errors(form, exc)
                else:
                    messages.success(request, _("已新建通知渠道“%(name)s”") % {"name": channel.name})
                    return redirect("integration:channel_edit", pk=channel.pk)
        status = 400
    return render(request, "integration/channel_form.html", {"form": form, "channel": None,
                                                             "kinds_enabled": _kinds_enabled()}, status=status)


@require_perm(IntegrationPerm.CONFIGURE)
def channel_edit(request, pk: int):
    """A channel's settings, its latest deliveries, and the test / delete buttons."""
    actor = request.user
    channel = channel_get(actor=actor, pk=pk)
    initial = {"name": channel.name, "email_recipients": ", ".join(channel.email_recipients or []),
               "min_severity": channel.min_severity, "include_subtree": channel.include_subtree,
               "enabled": channel.enabled}
    form = ChannelEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes: dict[str, Any] = {"name": data["name"], "min_severity": data["min_severity"],
                                       "include_subtree": data["include_subtree"], "enabled": data["enabled"]}
            if channel.kind == ChannelKind.EMAIL:
                changes["email_recipients"] = _recipients(data["email_recipients"])
            else:
                if data["webhook_url"].strip():
                    changes["webhook_url"] = data["webhook_url"]
                if data["clear_secret"]:
                    changes["secret"] = ""
                elif data["secret"]:
                    changes["secret"] = data["secret"]
            try:
                channel_update(actor=actor, channel=channel, **changes)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("integration:channel_edit", pk=channel.pk)
        status = 400
    return render(request, "integration/channel_form.html", {
        "form": form, "channel": channel, "masked_url": mask_url(channel.webhook_url) if channel.webhook_url else "",
        "deliveries": channel_deliveries(actor=actor, channel=channel), "kinds_enabled": _kinds_enabled(),
    }, status=status)


@require_perm(IntegrationPerm.CONFIGURE)
@require_POST
def channel_test_view(request, pk: int):
    actor = request.user
    channel = channel_get(actor=actor, pk=pk)
    try:
        channel_test(actor=actor, channel=channel)
    except DomainError as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("测试消息已排队发送，结果见下方投递记录"))
    return redirect("integration:channel_edit", pk=channel.pk)


@require_perm(IntegrationPerm.CONFIGURE)
@require_POST
def channel_delete_view(request, pk: int):
    actor = request.user
    channel = channel_get(actor=actor, pk=pk)
    name = channel.name
    channel_delete(actor=actor, channel=channel)
    messages.success(request, _("已删除通知渠道“%(name)s”") % {"name": name})
    return redirect("integration:channels")


@require_perm(IntegrationPerm.SCHEDULE)
@require_GET
def schedule(request):
    """定时任务: the platform-wide schedule and the last outcome of each entry (read-only here; changed
    with ``dangjian schedule``), each by its name and when it runs in words; the entry code, task path
    and spec only in an advanced detail (issue 9 §3)."""
    jobs = [(job, label("schedule", job.name, default=job.description or job.name), describe_spec(job.spec))
            for job in schedule_list(actor=request.user)]
    return render(request, "integration/schedule.html", {"jobs": jobs})
