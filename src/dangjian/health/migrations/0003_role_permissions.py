"""Adds the health permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

GRANTS = {
    "sysadmin": ["health.view", "health.acknowledge", "health.configure"],
    "org_dept": ["health.view", "health.acknowledge"],
    "committee_secretary": ["health.view", "health.acknowledge"],
    "branch_secretary": ["health.view", "health.acknowledge"],
    "party_worker": ["health.view"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=list(GRANTS)):
        perms = list(role.permissions or [])
        missing = [p for p in GRANTS[role.code] if p not in perms]
        if missing:
            role.permissions = sorted([*perms, *missing])
            role.save(update_fields=["permissions"])


def remove_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=list(GRANTS)):
        role.permissions = [p for p in role.permissions or [] if not p.startswith("health.")]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("health", "0002_seed_rules"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(add_permissions, remove_permissions)]
