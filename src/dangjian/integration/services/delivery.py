"""Sending a delivery: claim it, try once, record the attempt, and either finish or schedule a retry.

A delivery is claimed with a conditional UPDATE (pending and due → sending), so however many tasks
and workers reach for the same delivery, one attempt runs at a time and a sent message is not sent
again. Retries back off exponentially (``DANGJIAN_NOTIFY_RETRY_SECONDS`` × 2ⁿ⁻¹) up to
``DANGJIAN_NOTIFY_MAX_ATTEMPTS`` attempts; then the delivery is failed with the last reason. Delivery
is at-least-once: a worker that dies between sending and recording leaves the delivery "sending",
and :func:`deliveries_requeue` hands it back after the lease (``DANGJIAN_NOTIFY_SENDING_LEASE_SECONDS``).

An event delivery to a webhook subscription (kind ``webhook``) goes the same way with its own budget
(``DANGJIAN_WEBHOOK_MAX_ATTEMPTS``): the stored CloudEvent is POSTed with the Standard Webhooks headers,
any 2xx answer is success, and the address is checked again before each attempt. "failed" is the
dead-letter state; a replay (``services.webhooks``) makes it pending with a fresh budget
(``retry_base``) while the attempt numbers go on.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.integration import conf, webhooks
from dangjian.integration.choices import ChannelKind, DeliveryKind, DeliveryStatus
from dangjian.integration.models import Delivery, DeliveryAttempt
from dangjian.integration.senders import Message, SendError, SendResult, email_send, post_bytes, robot_send

__all__ = ["MAX_RETRY_DELAY", "deliveries_requeue", "delivery_attempt", "retry_delay"]

log = logging.getLogger(__name__)
MAX_RETRY_DELAY = dt.timedelta(hours=6)
REQUEUE_BATCH = 500


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the *attempts*-th failed attempt: base, 2·base, 4·base, … (at most 6 hours)."""
    seconds = conf.retry_base_seconds() * (2 ** max(0, attempts - 1))
    return min(dt.timedelta(seconds=seconds), MAX_RETRY_DELAY)


def _message(delivery: Delivery) -> Message:
    dispatch = delivery.dispatch
    link = dispatch.link
    if link.startswith("/"):
        base = conf.site_url()
        link = f"{base}{link}" if base else ""
    org = dispatch.org
    return Message(title=dispatch.title, body=dispatch.body, severity=dispatch.severity,
                   org_name=org.name if org is not None else "", url=link)


def _send_webhook(delivery: Delivery, now: dt.datetime) -> SendResult:
    sub, event = delivery.subscription, delivery.event
    if sub is None or event is None:
        raise SendError("the subscription was deleted")
    if not sub.enabled:
        raise SendError("the subscription is disabled")
    if not conf.webhook_allow_private():
        parts = urlsplit(sub.url)
        try:
            private = webhooks.private_addresses(parts.hostname or "", parts.port)
        except (OSError, ValueError) as exc:
            raise SendError(f"cannot resolve {parts.hostname}: {exc}")
        if private:
            raise SendError(f"refused: {parts.hostname} resolves to a non-public address ({', '.join(private)})")
    body = webhooks.body_bytes(event.envelope)
    timestamp = int(now.timestamp())
    keys = [sub.secret]
    if sub.previous_secret and sub.previous_secret_until and sub.previous_secret_until > now:
        keys.append(sub.previous_secret)
    headers = {
        "Content-Type": webhooks.CONTENT_TYPE,
        "webhook-id": event.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.signature_header(keys, msg_id=event.event_id, timestamp=timestamp, body=body),
        "User-Agent": "dangjian-webhooks/1",
    }
    return post_bytes(sub.url, body, headers=headers)


def _send(delivery: Delivery, now: dt.datetime) -> SendResult:
    if delivery.kind == DeliveryKind.WEBHOOK:
        return _send_webhook(delivery, now)
    message = _message(delivery)
    if delivery.notification_id is not None:
        address = delivery.notification.recipient.email
        return email_send(to=[address] if address else [], message=message)
    channel = delivery.channel
    if channel is None:
        raise SendError("the channel was deleted")
    if not conf.kind_enabled(channel.kind):
        raise SendError(f"{channel.kind} is switched off on this installation")
    if channel.kind == ChannelKind.EMAIL:
        return email_send(to=list(channel.email_recipients or []), message=message)
    return robot_send(channel.kind, url=channel.webhook_url, secret=channel.secret, message=message,
                      now_ms=int(time.time() * 1000))


def _budget(delivery: Delivery) -> int:
    return conf.webhook_max_attempts() if delivery.kind == DeliveryKind.WEBHOOK else conf.max_attempts()


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, updated_at=now)
    )


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Tries *delivery_id* once if it is pending and due; returns its status afterwards ("skipped" when
    another worker holds it, it is not due yet, or it is already finished).

    Permission: none (the worker, as the system). Audit: none — each attempt is a DeliveryAttempt row.
    Side effects: the message is sent; a retry is queued for later when the backend can defer."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("dispatch__org", "channel", "notification__recipient",
                                               "subscription", "event").get(pk=delivery_id)
    number = delivery.attempts + 1
    started = time.monotonic()
    try:
        result = _send(delivery, now)
        ok, error, http_status, response = True, "", result.http_status, result.response
    except SendError as exc:
        ok, error, http_status, response = False, exc.reason, exc.http_status, exc.response
    except Exception as exc:  # a bug must not leave the delivery "sending" for good
        log.exception("delivery %s: sender crashed", delivery_id)
        ok, error, http_status, response = False, f"{type(exc).__name__}: {exc}", None, ""
    duration = int((time.monotonic() - started) * 1000)
    finished = now + dt.timedelta(milliseconds=duration)
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=delivery, number=number, started_at=now, duration_ms=duration,
                                       ok=ok, http_status=http_status, error=error[:2000],
                                       response=(response or "")[:500])
        delivery.attempts = number
        delivery.last_error = error[:2000]
        delivery.claimed_at = None
        if ok:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = finished
            delivery.next_attempt_at = None
        elif number - delivery.retry_base >= _budget(delivery):
            delivery.status = DeliveryStatus.FAILED  # the dead letter: kept, listed, replayable
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = finished + retry_delay(number - delivery.retry_base)
        delivery.save(update_fields=["attempts", "last_error", "claimed_at", "status", "sent_at",
                                     "next_attempt_at", "updated_at"])
    if not ok:
        log.warning("delivery %s (%s → %s) attempt %s failed: %s", delivery.pk, delivery.kind, delivery.target,
                    number, error)
    if delivery.status == DeliveryStatus.PENDING:
        _queue_retry(delivery)
    return delivery.status


def _queue_retry(delivery: Delivery) -> None:
    """With a backend that can defer (the database backend), the retry is queued to run when due; the
    immediate backend (tests) cannot wait, so :func:`deliveries_requeue` picks it up instead."""
    from dangjian.integration.tasks import deliver

    backend = deliver.get_backend()
    if getattr(backend, "supports_defer", False):
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)


def deliveries_requeue(*, now: dt.datetime | None = None, batch: int = REQUEUE_BATCH) -> list[int]:
    """The sweeper: hands back deliveries whose worker died mid-send (past the lease), and returns the
    pending deliveries that are overdue by more than the grace period (their queued task was lost, or
    the backend could not defer it), for the caller to queue again. Idempotent: the claim in
    :func:`delivery_attempt` makes a delivery queued twice run once."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=conf.sending_lease_seconds())
    stuck = list(Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
                 .order_by("pk").values_list("pk", flat=True)[:batch])
    if stuck:
        Delivery.objects.filter(pk__in=stuck, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, claimed_at=None, next_attempt_at=now, updated_at=now)
    overdue = now - dt.timedelta(seconds=conf.retry_grace_seconds())
    late = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=overdue)
        .exclude(pk__in=stuck).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch]
    )
    return stuck + late
