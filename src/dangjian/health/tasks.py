"""Background jobs of the health app (django-tasks; idempotent, STYLE §8) and the domain events that
trigger a re-check.

- :func:`scan_all`: the nightly full scan (a later issue wires the schedule and the worker);
- :func:`recheck_orgs`: the rules over a few orgs and their ancestors, enqueued after commit by the
  subscribers below when a write that matters lands (a member changed or transferred, an org changed, a
  meeting recorded as held, a development step, a dues payment);
- :func:`rescan_rule`: one rule over every org after an administrator changed its settings.

Each is safe to run twice: the scan upserts on the findings' natural key.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_tasks import task

from dangjian.core import events
from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.health.events import RULES_CHANGED
from dangjian.health.rules import OrgScope
from dangjian.health.services import affected_scope, findings_scan

__all__ = ["RECHECK_EVENTS", "RECHECK_MAX_ORGS", "recheck_orgs", "rescan_rule", "scan_all", "subscribe"]

# Domain events after which the affected orgs are re-checked. The payload keys that carry org ids differ
# per event; all of them are read.
RECHECK_EVENTS = (
    "members.changed",  # org_ids (member created, updated, changed branch, left)
    "orgs.changed",  # org_ids (org created, updated, moved, dissolved)
    "meetings.held",  # org_ids
    "meetings.election_recorded",  # org_ids (a new term and its seats)
    "transfers.changed",  # org_ids
    "transfers.received",  # from_org_id, to_org_id
    "transfers.status_changed",  # org_id (lost contact, suspended …)
    "development.changed",  # org_ids
    "development.admitted",  # org_id
    "development.converted",  # org_id
    "dues.payment_recorded",  # org_id
)
_ORG_KEYS = ("org_ids", "org_id", "from_org_id", "to_org_id")
# Above this many orgs a re-check is a full scan's work: leave it to the nightly run.
RECHECK_MAX_ORGS = 1000


@task()
def scan_all() -> dict[str, Any]:
    """The nightly full scan of every rule over every org (and the monitoring rollups)."""
    with use_context(RequestContext(channel=Channel.TASK)):
        return findings_scan(scope=OrgScope.everything()).as_dict()


@task()
def recheck_orgs(org_ids: list[int]) -> dict[str, Any] | None:
    """Every rule over *org_ids* and their ancestors only; other orgs' findings are not touched."""
    scope = affected_scope(org_ids)
    if scope is None:
        return None
    with use_context(RequestContext(channel=Channel.TASK)):
        return findings_scan(scope=scope).as_dict()


@task()
def rescan_rule(code: str) -> dict[str, Any]:
    with use_context(RequestContext(channel=Channel.TASK)):
        return findings_scan(codes=[code], rollups=True).as_dict()


def org_ids_of(payload: dict[str, Any]) -> list[int]:
    ids: set[int] = set()
    for key in _ORG_KEYS:
        value = payload.get(key)
        if value is None:
            continue
        values: Iterable[Any] = value if isinstance(value, list | tuple | set) else [value]
        ids |= {int(v) for v in values if v is not None}
    return sorted(ids)


def _on_change(**payload: Any) -> None:
    ids = org_ids_of(payload)
    if ids and len(ids) <= RECHECK_MAX_ORGS:
        recheck_orgs.enqueue(org_ids=ids)


def _on_rules_changed(**payload: Any) -> None:
    rescan_rule.enqueue(code=payload["code"])


def subscribe() -> None:
    for name in RECHECK_EVENTS:
        events.subscribe(name, _on_change)
    events.subscribe(RULES_CHANGED, _on_rules_changed)
