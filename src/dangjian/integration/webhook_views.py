"""Pages of the outbound events (事件订阅, issue 10 §7): the webhook subscriptions of the orgs in the
actor's ``integration.configure`` scope, each with its delivery log, secret rotation and replay.

Composition only: reads through selectors, writes through ``services.webhooks``. A subscription outside
the actor's scope is "not found". The signing secret is shown once, on the page that answers the
create or rotate post (never put in a redirect, a message or the log).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.integration.choices import DeliveryStatus, IntegrationPerm
from dangjian.integration.selectors import subscription_deliveries_page, subscription_get, subscription_list
from dangjian.integration.senders import mask_url
from dangjian.integration.services import (
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
    webhook_deliveries_replay,
)
from dangjian.integration.webhook_forms import SubscriptionEditForm, SubscriptionForm
from dangjian.integration.webhooks import catalogue
from dangjian.orgs.selectors import org_get_by_code
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm

__all__ = ["webhook_create", "webhook_edit", "webhook_replay", "webhook_rotate", "webhooks"]

PAGE_SIZE = 30
LOG_SIZE = 20


def _labels() -> dict[str, str]:
    return {t: str(e.label) for t, e in catalogue().items()}


@require_perm(IntegrationPerm.CONFIGURE)
@require_GET
def webhooks(request):
    """事件订阅: the subscriptions of the orgs in scope (filter by org code)."""
    actor = request.user
    code = (request.GET.get("org") or "").strip()
    org = org_get_by_code(actor=actor, code=code, perm=IntegrationPerm.CONFIGURE) if code else None
    page = keyset_page(subscription_list(actor=actor, org=org), cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    labels = _labels()
    rows = [(s, mask_url(s.url), [labels.get(t, t) for t in s.event_types]) for s in page.items]
    return render(request, "integration/webhooks.html", {
        "rows": rows, "org": org,
        "next_url": "?" + urlencode({**({"org": org.code} if org else {}), "cursor": page.next_cursor})
        if page.next_cursor else None,
    })


def _secret_page(request, sub: Any, *, created: bool):
    response = render(request, "integration/webhook_secret.html", {"subscription": sub, "created": created})
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@require_perm(IntegrationPerm.CONFIGURE)
def webhook_create(request):
    actor = request.user
    form = SubscriptionForm(request.POST or None, initial={"org_code": request.GET.get("org", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                org = org_get_by_code(actor=actor, code=data["org_code"].strip(), perm=IntegrationPerm.CONFIGURE)
            except Http404:  # unknown and out of scope read the same
                form.add_error("org_code", _("组织不存在或不在您的数据范围内"))
            else:
                try:
                    sub = subscription_create(actor=actor, org=org, name=data["name"], url=data["url"],
                                              event_types=data["event_types"], enabled=data["enabled"])
                except DomainError as exc:
                    add_domain_errors(form, exc)
                else:
                    return _secret_page(request, sub, created=True)
        status = 400
    return render(request, "integration/webhook_form.html", {"form": form, "subscription": None}, status=status)


@require_perm(IntegrationPerm.CONFIGURE)
def webhook_edit(request, pk: int):
    """A subscription's settings, its delivery log (newest first), rotate-secret and replay."""
    actor = request.user
    sub = subscription_get(actor=actor, pk=pk)
    form = SubscriptionEditForm(request.POST or None, initial={
        "name": sub.name, "event_types": list(sub.event_types), "enabled": sub.enabled})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes: dict[str, Any] = {"name": data["name"], "event_types": data["event_types"],
                                       "enabled": data["enabled"]}
            if data["url"].strip():
                changes["url"] = data["url"]
            try:
                subscription_update(actor=actor, subscription=sub, **changes)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("integration:webhook_edit", pk=sub.pk)
        status = 400
    wanted = request.GET.get("status") or None
    wanted = wanted if wanted in DeliveryStatus.values else None
    page = subscription_deliveries_page(actor=actor, subscription=sub, status=wanted,
                                        cursor=request.GET.get("cursor"), limit=LOG_SIZE)
    query = {"status": wanted} if wanted else {}
    return render(request, "integration/webhook_form.html", {
        "form": form, "subscription": sub, "masked_url": mask_url(sub.url), "deliveries": page.items,
        "statuses": DeliveryStatus.choices, "wanted": wanted,
        "next_url": "?" + urlencode({**query, "cursor": page.next_cursor}) if page.next_cursor else None,
    }, status=status)


@require_perm(IntegrationPerm.CONFIGURE)
@require_POST
def webhook_rotate(request, pk: int):
    actor = request.user
    sub = subscription_rotate_secret(actor=actor, subscription=subscription_get(actor=actor, pk=pk))
    return _secret_page(request, sub, created=False)


@require_perm(IntegrationPerm.CONFIGURE)
@require_POST
def webhook_replay(request, pk: int):
    """Replays one delivery (``delivery`` in the post) or every dead-lettered one of the subscription."""
    actor = request.user
    sub = subscription_get(actor=actor, pk=pk)
    raw = (request.POST.get("delivery") or "").strip()
    try:
        ids = [int(raw)] if raw else None
    except ValueError:
        ids = [0]
    try:
        replayed = webhook_deliveries_replay(actor=actor, subscription=sub, delivery_ids=ids)
    except DomainError as exc:
        messages.error(request, "; ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("已重新排队 %(n)s 条投递") % {"n": len(replayed)})
    return redirect("integration:webhook_edit", pk=sub.pk)
