"""A migration operation for apps that bring new permissions: add them to the existing default roles.

New installations get the permissions from ``accounts.choices.DEFAULT_ROLES`` when the roles are first
seeded; installations that already have the roles need this. It only ever adds; reversing removes the
app's own permissions (those starting with *prefix*).
"""
from __future__ import annotations

from django.db import migrations

__all__ = ["grant_role_permissions"]


def grant_role_permissions(grants: dict[str, list[str]], *, prefix: str) -> migrations.RunPython:
    """``RunPython`` adding ``grants[role_code]`` to each existing role (never removing any)."""

    def add(apps, schema_editor):
        Role = apps.get_model("accounts", "Role")
        for role in Role.objects.filter(code__in=list(grants)):
            perms = list(role.permissions or [])
            missing = [p for p in grants[role.code] if p not in perms]
            if missing:
                role.permissions = sorted([*perms, *missing])
                role.save(update_fields=["permissions"])

    def remove(apps, schema_editor):
        Role = apps.get_model("accounts", "Role")
        for role in Role.objects.filter(code__in=list(grants)):
            role.permissions = [p for p in role.permissions or [] if not p.startswith(prefix)]
            role.save(update_fields=["permissions"])

    return migrations.RunPython(add, remove)
