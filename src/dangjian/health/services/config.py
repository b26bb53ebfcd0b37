"""Changing a rule's settings (platform-wide configuration of the health rules) through the rules kit."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dangjian.accounts.models import Role
from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import rules as kit
from dangjian.core.errors import FieldError
from dangjian.core.scoping import SYSTEM
from dangjian.health.choices import HealthPerm, Severity
from dangjian.health.errors import HealthError
from dangjian.health.events import HealthRulesChanged
from dangjian.health.models import RuleConfig
from dangjian.health.rules import RULE_ERRORS, get_rule
from dangjian.health.selectors import rule_setting, rule_settings

__all__ = ["RULESET", "rule_update"]


def _load() -> dict[str, kit.Rule]:
    return {s.rule.code: kit.Rule(s.rule.code, str(s.rule.title), s.params, s.rule.citation, enabled=s.enabled,
                                  severity=s.severity, schema=s.rule.params, basis=s.rule.basis)
            for s in rule_settings(actor=SYSTEM)}


def _seed(code: str) -> dict[str, Any]:
    current = rule_setting(actor=SYSTEM, code=code)
    return {"params": current.params, "severity": current.severity, "enabled": current.enabled,
            "notify_role": current.notify_role}


def _severity(value: Any) -> FieldError | None:
    if value in Severity.values:
        return None
    return FieldError(HealthError.INVALID_SEVERITY, "severity", _("严重程度应为 info、warning 或 critical"))


def _notify_role(value: Any) -> FieldError | None:
    if Role.objects.filter(code=value).exists():
        return None
    return FieldError(HealthError.UNKNOWN_ROLE, "notify_role", _("没有此角色"))


RULESET = kit.Ruleset(
    name="health", perm=HealthPerm.CONFIGURE, audit_action=AuditAction.HEALTH_RULE_UPDATED,
    store=kit.ModelRuleStore(RuleConfig, fields=("params", "severity", "enabled", "notify_role"), seed=_seed),
    load=_load, codes=RULE_ERRORS, record=record,
    settings={"severity": _severity, "enabled": lambda value: None, "notify_role": _notify_role},
    consistency=lambda rule, merged: get_rule(rule.code).check_consistency(merged),
    changed=HealthRulesChanged, severities=tuple(Severity.choices),
)


def rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None, severity: str | None = None,
                enabled: bool | None = None, notify_role: str | None = None, reason: str = "") -> RuleConfig:
    """Changes a rule's parameters (each checked against the rule's parameter schema and range, then
    for consistency with the others), severity, whether it runs, or the role it notifies — e.g. a group
    rule that a branch has at most 40 members, or term reminders at 6, 3, 2 and 1 months.

    Permission: ``health.configure`` (the rules apply to the whole platform). Nothing is written when a
    value is refused (each error names its field: ``params.<name>``, ``severity``, ``notify_role``,
    ``reason``). Audit: ``health.rule_update`` (before/after). Event: ``health.rules_changed`` — the
    rule is re-run over every org by a background task.
    """
    return kit.rule_update(actor=actor, ruleset=RULESET, code=code, params=params, reason=reason,
                           severity=severity, enabled=None if enabled is None else bool(enabled),
                           notify_role=notify_role)
