"""Editing the rule parameters (global configuration of DOMAIN §5)."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import resolver
from dangjian.development.choices import DevelopmentPerm, Severity
from dangjian.development.errors import DevelopmentError
from dangjian.development.events import DevelopmentRulesChanged
from dangjian.development.models import DevelopmentRule
from dangjian.development.rules import validate_params

__all__ = ["rule_update"]


def _snapshot(rule: DevelopmentRule) -> dict[str, Any]:
    return {"params": rule.params, "severity": rule.severity, "enabled": rule.enabled}


@transaction.atomic
def rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None, severity: str | None = None,
                enabled: bool | None = None, reason: str = "") -> DevelopmentRule:
    """Changes a rule's parameters, severity or whether it applies, e.g. a province requiring 6 months
    between application and activist, or 7 calendar days of public notice.

    Permission: ``development.configure`` (the rules apply to the whole platform).
    Audit: ``development.rule_update`` (before/after). Event: ``development.rules_changed`` — stored
    deadlines of open pipelines are recomputed by the ``refresh_plans`` task.
    """
    if actor is not None and not resolver().has_perm_anywhere(actor, DevelopmentPerm.CONFIGURE):
        raise PermissionDenied(DevelopmentPerm.CONFIGURE)
    rule = DevelopmentRule.objects.select_for_update().get(code=code)
    errors: list[FieldError] = []
    if params is not None:
        if not isinstance(params, dict):
            errors.append(FieldError(DevelopmentError.RULE_PARAMS_INVALID, "params", _("参数应为 JSON 对象")))
        else:
            errors += [FieldError(DevelopmentError.RULE_PARAMS_INVALID, "params", p) for p in validate_params(code, params)]
    if severity is not None and severity not in Severity.values:
        errors.append(FieldError(DevelopmentError.INVALID, "severity", _("处理方式无效")))
    if not reason.strip():
        errors.append(FieldError(DevelopmentError.REQUIRED, "reason", _("请填写修改依据（文件名称和文号）")))
    if errors:
        raise DomainError(errors)
    before = _snapshot(rule)
    if params is not None:
        rule.params = {**rule.params, **params}
    if severity is not None:
        rule.severity = severity
    if enabled is not None:
        rule.enabled = bool(enabled)
    rule.save(update_fields=["params", "severity", "enabled", "updated_at"])
    record(actor=actor, action=AuditAction.DEV_RULE_UPDATED, target=rule, before=before, after=_snapshot(rule),
           reason=reason)
    events.publish(DevelopmentRulesChanged(code=code))
    return rule
