"""Editing the rule parameters (global configuration of DOMAIN §5) through the rules kit."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import rules as kit
from dangjian.core.errors import FieldError
from dangjian.development.choices import DevelopmentPerm, Severity
from dangjian.development.errors import DevelopmentError
from dangjian.development.events import DevelopmentRulesChanged
from dangjian.development.models import DevelopmentRule
from dangjian.development.rules import RULE_ERRORS, check_consistency, load_rules

__all__ = ["RULESET", "rule_update"]


def _severity(value: Any) -> FieldError | None:
    if value in Severity.values:
        return None
    return FieldError(DevelopmentError.INVALID, "severity", _("处理方式无效"))


RULESET = kit.Ruleset(
    name="development", perm=DevelopmentPerm.CONFIGURE, audit_action=AuditAction.DEV_RULE_UPDATED,
    store=kit.ModelRuleStore(DevelopmentRule, fields=("params", "severity", "enabled")),
    load=lambda: load_rules().rules, codes=RULE_ERRORS, record=record,
    settings={"severity": _severity, "enabled": lambda value: None},
    consistency=check_consistency, changed=DevelopmentRulesChanged, one_field=True,
    severities=tuple(Severity.choices),
)


def rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None, severity: str | None = None,
                enabled: bool | None = None, reason: str = "") -> DevelopmentRule:
    """Changes a rule's parameters, severity or whether it applies, e.g. a province requiring 6 months
    between application and activist, or 7 calendar days of public notice.

    Permission: ``development.configure`` (the rules apply to the whole platform).
    Audit: ``development.rule_update`` (before/after). Event: ``development.rules_changed`` — stored
    deadlines of open pipelines are recomputed by the ``refresh_plans`` task.
    """
    return kit.rule_update(actor=actor, ruleset=RULESET, code=code, params=params, reason=reason,
                           severity=severity, enabled=None if enabled is None else bool(enabled))
