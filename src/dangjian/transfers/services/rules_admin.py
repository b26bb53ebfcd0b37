"""Editing the DOMAIN §6 rule parameters (global configuration), e.g. a letter validity of 60 days,
through the rules kit."""
from __future__ import annotations

from typing import Any

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import rules as kit
from dangjian.transfers.choices import TransfersPerm
from dangjian.transfers.models import TransferRule
from dangjian.transfers.rules import RULE_ERRORS, check_consistency, load_rules

__all__ = ["RULESET", "transfer_rule_update"]

RULESET = kit.Ruleset(
    name="transfers", perm=TransfersPerm.CONFIGURE, audit_action=AuditAction.TRANSFER_RULE_UPDATED,
    store=kit.ModelRuleStore(TransferRule, fields=("params", "enabled")),
    load=lambda: load_rules().rules, codes=RULE_ERRORS, record=record,
    settings={"enabled": lambda value: None}, consistency=check_consistency, one_field=True,
)


def transfer_rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None,
                         enabled: bool | None = None, reason: str = "") -> TransferRule:
    """Changes a rule's parameters or whether it applies. Letters issued before keep their due date.

    Permission: ``transfers.configure`` (the rules apply to the whole platform).
    Audit: ``transfers.rule_update`` (before/after, with the stated basis).
    """
    return kit.rule_update(actor=actor, ruleset=RULESET, code=code, params=params, reason=reason,
                           enabled=None if enabled is None else bool(enabled))
