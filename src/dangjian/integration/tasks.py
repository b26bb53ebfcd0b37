"""Background jobs of the integration app (django-tasks; idempotent, STYLE §8).

- :func:`deliver` sends one delivery (one attempt; a failed attempt schedules the next).
- :func:`retry_deliveries` is the sweeper the schedule runs every minute.

``subscribe`` connects ``DeliveriesQueued`` (published by ``notify`` inside the writing
transaction, delivered by ``core.events`` after commit) to queueing one :func:`deliver` per delivery,
and every event class of the outbound-event catalogue (each app's ``declarations.EVENTS``) to the
webhook fan-out, which stores the deliveries for the subscriptions that cover it.
"""
from __future__ import annotations

import logging

from django_tasks import task

from dangjian.core import events
from dangjian.core.context import Channel, RequestContext, current, use_context
from dangjian.health.events import FindingsChanged
from dangjian.integration.events import DeliveriesQueued

__all__ = ["deliver", "health_alerts", "queue_deliveries", "retry_deliveries", "subscribe"]

log = logging.getLogger(__name__)


def _task_context():
    """The worker already set the task channel; outside it (immediate backend) set one here."""
    ctx = current()
    return use_context(ctx if ctx.channel == Channel.TASK else RequestContext(channel=Channel.TASK))


@task()
def deliver(delivery_id: int) -> str:
    """One attempt of delivery *delivery_id* (a no-op when it is not due, sent, or held by another worker)."""
    from dangjian.integration.services import delivery_attempt

    with _task_context():
        return delivery_attempt(delivery_id=delivery_id)


@task()
def retry_deliveries() -> int:
    """Re-queues deliveries that are overdue (a lost task, a dead worker); returns how many."""
    from dangjian.integration.services import deliveries_requeue

    with _task_context():
        ids = deliveries_requeue()
        queue_deliveries(delivery_ids=ids)
    return len(ids)


def queue_deliveries(*, delivery_ids: list[int] | tuple[int, ...]) -> None:
    """Puts one :func:`deliver` per id on the queue. A failure to queue one (or, with the immediate
    backend, to send it) is logged and does not stop the others: the sweeper catches up later."""
    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            log.exception("could not queue delivery %s", delivery_id)


@task()
def health_alerts(since: str, rule_codes: list[str] | None = None, after: int = 0) -> int:
    """Turns the health findings that appeared at *since* into notifications, a batch per task (the
    next batch is queued by this one; see ``services.alerts``)."""
    from dangjian.integration.services.alerts import findings_notify

    with _task_context():
        written, last = findings_notify(since=since, rule_codes=rule_codes, after=after)
    if last is not None:
        health_alerts.enqueue(since, rule_codes, last)
    return written


def _on_deliveries_queued(event: DeliveriesQueued) -> None:
    queue_deliveries(delivery_ids=event.delivery_ids)


def _on_findings_changed(event: FindingsChanged) -> None:
    if event.since:
        health_alerts.enqueue(event.since, list(event.rule_codes) or None, 0)


def _on_published_event(event: events.DomainEvent) -> None:
    from dangjian.integration.services import webhook_events_fan_out

    webhook_events_fan_out(event=event)


def subscribe() -> None:
    from dangjian.integration.webhooks import catalogue

    events.subscribe(DeliveriesQueued, _on_deliveries_queued)
    events.subscribe(FindingsChanged, _on_findings_changed)
    for entry in catalogue().values():
        events.subscribe(entry.event, _on_published_event)
