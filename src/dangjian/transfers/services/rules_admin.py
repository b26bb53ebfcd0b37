"""Editing the DOMAIN §6 rule parameters (global configuration), e.g. a letter validity of 60 days."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import resolver
from dangjian.transfers.choices import TransfersPerm
from dangjian.transfers.errors import TransfersError
from dangjian.transfers.models import TransferRule
from dangjian.transfers.rules import validate_params

__all__ = ["transfer_rule_update"]


def _snapshot(rule: TransferRule) -> dict[str, Any]:
    return {"params": rule.params, "enabled": rule.enabled}


@transaction.atomic
def transfer_rule_update(*, actor: Any, code: str, params: dict[str, Any] | None = None,
                         enabled: bool | None = None, reason: str = "") -> TransferRule:
    """Changes a rule's parameters or whether it applies. Letters issued before keep their due date.

    Permission: ``transfers.configure`` (the rules apply to the whole platform).
    Audit: ``transfers.rule_update`` (before/after, with the stated basis).
    """
    if actor is not None and not resolver().has_perm_anywhere(actor, TransfersPerm.CONFIGURE):
        raise PermissionDenied(TransfersPerm.CONFIGURE)
    rule = TransferRule.objects.select_for_update().get(code=code)
    errors: list[FieldError] = []
    if params is not None:
        if not isinstance(params, dict):
            errors.append(FieldError(TransfersError.RULE_PARAMS_INVALID, "params", _("参数应为 JSON 对象")))
        else:
            errors += [FieldError(TransfersError.RULE_PARAMS_INVALID, "params", p)
                       for p in validate_params(code, {**rule.params, **params})]
    if not reason.strip():
        errors.append(FieldError(TransfersError.REQUIRED, "reason", _("请填写修改依据（文件名称和文号）")))
    if errors:
        raise DomainError(errors)
    before = _snapshot(rule)
    if params is not None:
        rule.params = {**rule.params, **params}
    if enabled is not None:
        rule.enabled = bool(enabled)
    rule.save(update_fields=["params", "enabled", "updated_at"])
    record(actor=actor, action=AuditAction.TRANSFER_RULE_UPDATED, target=rule, before=before, after=_snapshot(rule),
           reason=reason)
    return rule
