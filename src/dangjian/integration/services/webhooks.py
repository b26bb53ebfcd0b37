"""Writes of the outbound events (issue 10 §7): subscriptions, the fan-out of a domain event to the
subscriptions that cover it, and replay.

Permission for the subscription services: ``integration.configure`` over the subscription's
organisation. A URL must be ``http(s)://`` and — unless ``DANGJIAN_WEBHOOK_ALLOW_PRIVATE`` (on only in
development) — resolve to public addresses only; anything else is refused at its field with nothing
written. Secrets never reach the audit log (the URL is logged without its query, the secret not at all).

The fan-out (:func:`webhook_events_fan_out`) runs once the transaction that published the event has
committed (the ``core.events`` hub calls it); it stores the CloudEvent and one delivery per covering
subscription in one transaction, and the deliveries go through the notifications' delivery machinery
(queue, attempts, exponential backoff, the "failed" dead-letter state).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.events import DomainEvent
from dangjian.integration import conf, webhooks
from dangjian.integration.choices import DeliveryKind, DeliveryStatus, IntegrationPerm
from dangjian.integration.errors import IntegrationError
from dangjian.integration.events import DeliveriesQueued
from dangjian.integration.models import Delivery, OutboundEvent, WebhookSubscription
from dangjian.integration.senders import mask_url
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

__all__ = [
    "MAX_EVENT_TYPES",
    "REPLAY_BATCH",
    "check_subscription_url",
    "subscription_create",
    "subscription_rotate_secret",
    "subscription_update",
    "webhook_deliveries_replay",
    "webhook_events_fan_out",
]

MAX_URL = 1000
MAX_EVENT_TYPES = 100
REPLAY_BATCH = 1000
_UNSET = object()
_EDITABLE = ("name", "url", "event_types", "enabled")


def _snapshot(sub: WebhookSubscription) -> dict[str, Any]:
    return {
        "org": sub.org.code,
        "name": sub.name,
        "url": mask_url(sub.url),
        "event_types": list(sub.event_types),
        "enabled": sub.enabled,
    }


def check_subscription_url(url: str, field: str = "url") -> list[FieldError]:
    """The URL's shape, then (in production) that its host is and resolves to public addresses only."""
    if not url:
        return [FieldError(IntegrationError.WEBHOOK_REQUIRED, field, _("请填写接收地址"))]
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("接收地址格式不正确"))]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("接收地址必须以 http:// 或 https:// 开头"))]
    try:
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        host, port = "", None
    if not host or parts.username or parts.password:
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("接收地址格式不正确"))]
    if conf.webhook_allow_private():
        return []
    try:
        private = webhooks.private_addresses(host, port)
    except OSError:
        return [FieldError(IntegrationError.WEBHOOK_HOST, field,
                           _("无法解析主机名：%(host)s") % {"host": host})]
    if private:
        return [FieldError(IntegrationError.URL_PRIVATE, field,
                           _("接收地址指向内网、本机或保留地址（%(addresses)s），生产环境不允许")
                           % {"addresses": ", ".join(private[:3])})]
    return []


def _clean_types(values: Any, field: str = "event_types") -> tuple[list[str], list[FieldError]]:
    if isinstance(values, str):
        values = [values]
    known = webhooks.catalogue()
    out: list[str] = []
    for raw in values or ():
        item = str(raw).strip()
        if not item:
            continue
        if item not in known:
            return [], [FieldError(IntegrationError.EVENT_TYPE_UNKNOWN, field,
                                   _("未知的事件类型：%(value)s") % {"value": item[:200]})]
        if item not in out:
            out.append(item)
    if not out:
        return [], [FieldError(IntegrationError.EVENT_TYPES_REQUIRED, field, _("请至少选择一种事件类型"))]
    if len(out) > MAX_EVENT_TYPES:
        return [], [FieldError(IntegrationError.EVENT_TYPE_UNKNOWN, field,
                               _("最多 %(n)s 种事件类型") % {"n": MAX_EVENT_TYPES})]
    order = list(known)
    return sorted(out, key=order.index), []


def _validate(sub: WebhookSubscription) -> None:
    errors: list[FieldError] = []
    sub.name = (sub.name or "").strip()
    if not sub.name:
        errors.append(FieldError(IntegrationError.NAME_REQUIRED, "name", _("此项为必填项")))
    elif len(sub.name) > 100:
        errors.append(FieldError(IntegrationError.NAME_REQUIRED, "name", _("最多 %(n)s 个字符") % {"n": 100}))
    sub.url = (sub.url or "").strip()
    errors += check_subscription_url(sub.url)
    sub.event_types, type_errors = _clean_types(sub.event_types)
    errors += type_errors
    if errors:
        raise DomainError(errors)


@transaction.atomic
def subscription_create(*, actor: Any, org: Any, name: str, url: str, event_types: Iterable[str],
                        enabled: bool = True) -> WebhookSubscription:
    """Subscribes *url* to *event_types* of *org* and its subtree, with a fresh signing secret (the
    caller shows ``subscription.secret`` once). Permission: ``integration.configure`` over *org*.
    Audit: ``integration.webhook_create`` (URL without its query; no secret). No side effects."""
    sub = WebhookSubscription(org=org, name=name, url=url or "", event_types=list(event_types or ()),
                              enabled=bool(enabled), secret=webhooks.new_secret())
    _validate(sub)
    require_org_in_scope(actor=actor, org=org, perm=IntegrationPerm.CONFIGURE)
    sub.save()
    record(actor=actor, action=AuditAction.WEBHOOK_CREATED, target=sub, org=org, after=_snapshot(sub))
    return sub


def _cancel_pending(sub: WebhookSubscription, reason: str) -> int:
    return Delivery.objects.filter(subscription=sub, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error=reason, next_attempt_at=None, updated_at=timezone.now())


@transaction.atomic
def subscription_update(*, actor: Any, subscription: WebhookSubscription, name: Any = _UNSET, url: Any = _UNSET,
                        event_types: Any = _UNSET, enabled: Any = _UNSET) -> WebhookSubscription:
    """Changes the given fields (the org is fixed). Disabling cancels the deliveries still waiting (they
    stay in the log and can be replayed once it is enabled again). Permission: ``integration.configure``
    over its org. Audit: ``integration.webhook_update`` with before/after."""
    require_org_in_scope(actor=actor, org=subscription.org, perm=IntegrationPerm.CONFIGURE)
    sub = WebhookSubscription.objects.select_for_update().select_related("org").get(pk=subscription.pk)
    before, raw_before = _snapshot(sub), {f: getattr(sub, f) for f in _EDITABLE}
    for field, value in (("name", name), ("url", url), ("event_types", event_types), ("enabled", enabled)):
        if value is _UNSET:
            continue
        if field == "enabled":
            value = bool(value)
        elif field == "event_types":
            value = list(value or ())
        setattr(sub, field, "" if value is None else value)
    _validate(sub)
    changed = [f for f in _EDITABLE if getattr(sub, f) != raw_before[f]]
    if not changed:
        return sub
    sub.save(update_fields=[*changed, "updated_at"])
    cancelled = _cancel_pending(sub, "subscription disabled") if "enabled" in changed and not sub.enabled else 0
    after = _snapshot(sub)
    if cancelled:
        after["cancelled_deliveries"] = cancelled
    record(actor=actor, action=AuditAction.WEBHOOK_UPDATED, target=sub, org=sub.org, before=before, after=after)
    return sub


@transaction.atomic
def subscription_rotate_secret(*, actor: Any, subscription: WebhookSubscription,
                               now: dt.datetime | None = None) -> WebhookSubscription:
    """Gives the subscription a new signing secret (the caller shows it once); the old one keeps
    signing alongside for ``DANGJIAN_WEBHOOK_SECRET_GRACE_HOURS``. Permission: ``integration.configure``
    over its org. Audit: ``integration.webhook_rotate`` (when the old secret stops; no secret)."""
    require_org_in_scope(actor=actor, org=subscription.org, perm=IntegrationPerm.CONFIGURE)
    now = now or timezone.now()
    sub = WebhookSubscription.objects.select_for_update().select_related("org").get(pk=subscription.pk)
    grace = dt.timedelta(hours=conf.webhook_secret_grace_hours())
    sub.previous_secret, sub.previous_secret_until = (sub.secret, now + grace) if grace else ("", None)
    sub.secret = webhooks.new_secret()
    sub.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    record(actor=actor, action=AuditAction.WEBHOOK_SECRET_ROTATED, target=sub, org=sub.org,
           after={"previous_secret_until": sub.previous_secret_until.isoformat() if sub.previous_secret_until
                  else None})
    return sub


@transaction.atomic
def webhook_deliveries_replay(*, actor: Any, subscription: WebhookSubscription,
                              delivery_ids: Iterable[int] | None = None, since: dt.datetime | None = None,
                              now: dt.datetime | None = None) -> list[int]:
    """Sends events to the subscription again: the given deliveries of it (any finished state: sent,
    failed, cancelled), or else every dead-lettered ("failed") one, created since *since* when given (at
    most ``REPLAY_BATCH`` at a time). Each gets a fresh attempt budget; the body and the webhook-id are
    the original ones, so a receiver that already has the event can recognise it.

    Refused while the subscription is disabled, and for an id that is not a finished delivery of this
    subscription (nothing replayed then). Permission: ``integration.configure`` over its org. Audit:
    ``integration.webhook_replay`` with the ids. Side effects: the deliveries are queued after commit."""
    require_org_in_scope(actor=actor, org=subscription.org, perm=IntegrationPerm.CONFIGURE)
    now = now or timezone.now()
    sub = WebhookSubscription.objects.select_for_update().select_related("org").get(pk=subscription.pk)
    if not sub.enabled:
        raise DomainError.one(IntegrationError.SUBSCRIPTION_DISABLED, None,
                              _("该订阅已停用：请先启用再重放"))
    finished = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)
    qs = Delivery.objects.select_for_update().filter(subscription=sub)
    if delivery_ids is not None:
        wanted = sorted({int(i) for i in delivery_ids})
        rows = list(qs.filter(pk__in=wanted, status__in=finished).order_by("pk"))
        missing = sorted(set(wanted) - {d.pk for d in rows})
        if missing or not wanted:
            raise DomainError.one(IntegrationError.DELIVERY_NOT_REPLAYABLE, "delivery_ids",
                                  _("以下投递不属于该订阅或尚未结束，不能重放：%(ids)s")
                                  % {"ids": ", ".join(map(str, missing)) or "—"})
    else:
        qs = qs.filter(status=DeliveryStatus.FAILED)
        if since is not None:
            qs = qs.filter(created_at__gte=since)
        rows = list(qs.order_by("pk")[:REPLAY_BATCH])
    ids = [d.pk for d in rows]
    if ids:
        for delivery in rows:
            delivery.status = DeliveryStatus.PENDING
            delivery.retry_base = delivery.attempts
            delivery.next_attempt_at = now
            delivery.claimed_at = None
            delivery.sent_at = None
        Delivery.objects.bulk_update(rows, ["status", "retry_base", "next_attempt_at", "claimed_at", "sent_at"])
        Delivery.objects.filter(pk__in=ids).update(updated_at=now)
        events.publish(DeliveriesQueued(delivery_ids=tuple(ids), org_ids=(sub.org_id,)))
    record(actor=actor, action=AuditAction.WEBHOOK_REPLAYED, target=sub, org=sub.org,
           after={"deliveries": ids, "since": since.isoformat() if since else None})
    return ids


def webhook_events_fan_out(*, event: DomainEvent, now: dt.datetime | None = None) -> list[int]:
    """Stores *event* as a CloudEvent and one pending webhook delivery per enabled subscription whose
    types include it and whose org subtree covers one of its ``org_ids`` (an event about no org in
    particular: the subscriptions at a root org); returns the delivery ids. An event no subscription
    wants, or one not in the catalogue, leaves nothing behind.

    Permission: none (the system, after the publishing transaction committed). Audit: none — the write
    that raised the event was audited; each attempt is a DeliveryAttempt row. Side effects: the
    deliveries are queued after this commit."""
    entry = webhooks.event_type_of(event)
    if entry is None:
        return []
    subs = _subscriptions_covering(event_type=entry.type, org_ids=event.org_ids)
    if not subs:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        event_id = webhooks.new_event_id()
        cloud_event = webhooks.envelope(event, entry, event_id=event_id, time=now)
        stored = OutboundEvent.objects.create(event_id=event_id, type=entry.type, time=now,
                                              org_ids=list(event.org_ids), envelope=cloud_event)
        deliveries = Delivery.objects.bulk_create([
            Delivery(event=stored, subscription=sub, org=sub.org, kind=DeliveryKind.WEBHOOK,
                     target=mask_url(sub.url)[:300], next_attempt_at=now)
            for sub in subs
        ])
        ids = tuple(d.pk for d in deliveries)
        events.publish(DeliveriesQueued(delivery_ids=ids, org_ids=event.org_ids))
    return list(ids)


def _subscriptions_covering(*, event_type: str, org_ids: Iterable[int]) -> list[WebhookSubscription]:
    """(The routing read of the fan-out, not a caller's read: no actor.) The enabled subscriptions to *event_type* whose org's subtree holds one of *org_ids*; for no org in
    particular, those at a root org (they cover everything).

    Every domain event passes through here after its commit, so the common case — nobody subscribes to
    this type — costs one query on the (few) enabled subscriptions; the event's org paths are read only
    when some subscription wants the type."""
    wanted = [sub for sub in WebhookSubscription.objects.filter(enabled=True).select_related("org").order_by("pk")
              if event_type in (sub.event_types or ())]
    if not wanted:
        return []
    org_ids = list(org_ids)
    if not org_ids:
        return [sub for sub in wanted if sub.org.depth == 1]
    paths = list(Organization.objects.filter(pk__in=org_ids).values_list("path", flat=True))
    return [sub for sub in wanted if any(path.startswith(sub.org.path) for path in paths)]
