"""Changing a rule's settings (platform-wide configuration of the health rules)."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.accounts.models import Role
from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import resolver
from dangjian.health.choices import HealthPerm, Severity
from dangjian.health.errors import HealthError
from dangjian.health.events import HealthRulesChanged
from dangjian.health.models import RuleConfig
from dangjian.health.rules import get_rule
from dangjian.health.selectors import rule_setting

__all__ = ["rule_update"]


def _snapshot(row: RuleConfig) -> dict[str, Any]:
    return {"params": row.params, "severity": row.severity, "enabled": row.enabled, "notify_role": row.notify_role}


@transaction.atomic
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
    if actor is not None and not resolver().has_perm_anywhere(actor, HealthPerm.CONFIGURE):
        raise PermissionDenied(HealthPerm.CONFIGURE)
    rule = get_rule(code)
    if rule is None:
        raise DomainError.one(HealthError.UNKNOWN_RULE, "code", _("没有此监测规则"))
    current = rule_setting(code)
    errors: list[FieldError] = []
    if params is not None:
        if not isinstance(params, dict):
            errors.append(FieldError(HealthError.PARAM_TYPE, "params", _("参数应为 JSON 对象")))
        else:
            errors += rule.validate(params)
            if not errors:
                errors += rule.check_consistency({**current.params, **params})
    if severity is not None and severity not in Severity.values:
        errors.append(FieldError(HealthError.INVALID_SEVERITY, "severity", _("严重程度应为 info、warning 或 critical")))
    if notify_role is not None and not Role.objects.filter(code=notify_role).exists():
        errors.append(FieldError(HealthError.UNKNOWN_ROLE, "notify_role", _("没有此角色")))
    if not (reason or "").strip():
        errors.append(FieldError(HealthError.REASON_REQUIRED, "reason", _("请填写修改依据（文件名称和文号）")))
    if errors:
        raise DomainError(errors)
    row, _created = RuleConfig.objects.select_for_update().get_or_create(
        code=code, defaults={"params": current.params, "severity": current.severity, "enabled": current.enabled,
                             "notify_role": current.notify_role})
    before = _snapshot(row)
    row.params = {**current.params, **(params or {})}
    if severity is not None:
        row.severity = severity
    if enabled is not None:
        row.enabled = bool(enabled)
    if notify_role is not None:
        row.notify_role = notify_role
    row.save(update_fields=["params", "severity", "enabled", "notify_role", "updated_at"])
    record(actor=actor, action=AuditAction.HEALTH_RULE_UPDATED, target=row, before=before, after=_snapshot(row),
           reason=reason)
    events.publish(HealthRulesChanged(code=code))
    return row
