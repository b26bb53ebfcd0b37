"""Changing the cadence rules (platform-wide configuration of DOMAIN §4) through the rules kit."""
from __future__ import annotations

from typing import Any

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import rules as kit
from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.events import CadenceRulesChanged
from dangjian.meetings.models import CadenceRule
from dangjian.meetings.rules import RULE_ERRORS, CadenceRuleStore, load_cadence_rules

__all__ = ["RULESET", "cadence_rule_update"]

RULESET = kit.Ruleset(
    name="meetings", perm=MeetingsPerm.CONFIGURE, audit_action=AuditAction.CADENCE_RULE_UPDATED,
    store=CadenceRuleStore(), load=load_cadence_rules, codes=RULE_ERRORS, record=record,
    settings={"enabled": lambda value: None}, changed=CadenceRulesChanged,
)


def cadence_rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None,
                        enabled: bool | None = None, reason: str = "") -> CadenceRule:
    """Changes a cadence rule (``"<org type>.<kind code>"``): its window (``unit``), the minimum held in
    each window (``min_count``, 1 to ``MAX_MIN_COUNT``) or whether it applies — e.g. a province asking
    for a party lecture every month.

    Permission: ``meetings.configure`` (the rules apply to the whole platform). Nothing is written when a
    value is refused (each error names its field: ``params.unit``, ``params.min_count``, ``reason``).
    Audit: ``meetings.cadence_rule_update`` (before/after, with the stated basis), in the same
    transaction. Event: ``CadenceRulesChanged`` (on commit). The compliance pages count against the
    new values at once, the health monitoring when its cadence rule is re-run (a background task).
    """
    return kit.rule_update(actor=actor, ruleset=RULESET, code=code, params=params, reason=reason,
                           enabled=None if enabled is None else bool(enabled))
