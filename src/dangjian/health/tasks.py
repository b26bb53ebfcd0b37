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

from typing import Any

from django.apps import apps
from django_tasks import task

from dangjian.core import events
from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.core.events import OrgDataChanged
from dangjian.health.events import HealthRulesChanged
from dangjian.health.rules import OrgScope
from dangjian.health.services import affected_scope, findings_scan

__all__ = ["RECHECK_MAX_ORGS", "recheck_orgs", "rescan_rule", "scan_all", "subscribe"]

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


def _on_change(event: OrgDataChanged) -> None:
    """Every event that says the data of some orgs changed (members, orgs, meetings, transfers,
    development, dues payments, and whatever app declares one later) re-checks those orgs."""
    ids = list(event.org_ids)
    if ids and len(ids) <= RECHECK_MAX_ORGS:
        recheck_orgs.enqueue(org_ids=ids)


def _on_rules_changed(event: HealthRulesChanged) -> None:
    rescan_rule.enqueue(code=event.code)


def _on_cadence_changed(event: Any) -> None:
    from dangjian.health.choices import RuleCode

    rescan_rule.enqueue(code=RuleCode.CADENCE_SHORTFALL)


def subscribe() -> None:
    events.subscribe(OrgDataChanged, _on_change)
    events.subscribe(HealthRulesChanged, _on_rules_changed)
    if apps.is_installed("dangjian.meetings"):  # the cadence rule reads the meetings app when it is there
        from dangjian.meetings.events import CadenceRulesChanged

        events.subscribe(CadenceRulesChanged, _on_cadence_changed)
