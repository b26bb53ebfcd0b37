"""Roles, scopes and permission codes of the platform."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.audit.choices import AuditPerm

__all__ = [  # noqa: F822 (ALL_PERMISSIONS and DEFAULT_ROLES come from __getattr__)
    "ALL_PERMISSIONS",
    "ALL_PERMISSIONS_ROLE",
    "DEFAULT_ROLES",
    "ROLES",
    "AccountsPerm",
    "AuditPerm",
    "Scope",
    "all_permissions",
    "default_roles",
]


class AccountsPerm:
    MANAGE = "accounts.manage"


class Scope(models.TextChoices):
    SELF = "self", _("本人")
    ORG = "org", _("本组织")
    SUBTREE = "subtree", _("本组织及下级")
    ALL = "all", _("全部")


# code: (Chinese name, MFA required). The permissions each role gets by default are declared by the
# apps that own them (``<app>/declarations.py``, DEFAULT_GRANTS); the system administrator gets all.
ROLES = {
    "sysadmin": ("系统管理员", True),
    "org_dept": ("组织部", True),
    "committee_secretary": ("党委书记", True),
    "branch_secretary": ("支部书记", False),
    "party_worker": ("党务工作者", False),
    "auditor": ("审计员", True),
    "member": ("党员", False),
}
ALL_PERMISSIONS_ROLE = "sysadmin"


def all_permissions() -> dict[str, Any]:
    """Every permission code the installed apps declare, with its label (``INSTALLED_APPS`` order)."""
    from dangjian.core.declarations import registry

    return {code: perm.label for code, perm in registry().permissions.items()}


def default_roles() -> dict[str, tuple[str, list[str], bool]]:
    """code: (Chinese name, sorted permissions, MFA required), from :data:`ROLES` and the apps' grants.
    Seeded by accounts' data migration on a new installation; editable afterwards."""
    from dangjian.core.declarations import registry

    grants = registry().grants
    unknown = sorted(set(grants) - set(ROLES))
    if unknown:
        raise ImproperlyConfigured(f"default grants name undefined roles: {unknown} (see accounts.choices.ROLES)")
    everything = sorted(registry().permissions)
    return {code: (name, everything if code == ALL_PERMISSIONS_ROLE else sorted(grants.get(code, ())), mfa)
            for code, (name, mfa) in ROLES.items()}


def __getattr__(name: str) -> Any:
    # ALL_PERMISSIONS and DEFAULT_ROLES are read when asked for (the apps' declarations are collected
    # once the app registry is ready), so ``from dangjian.accounts.choices import DEFAULT_ROLES`` keeps working.
    if name == "ALL_PERMISSIONS":
        return all_permissions()
    if name == "DEFAULT_ROLES":
        return default_roles()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
