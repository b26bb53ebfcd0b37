"""Give the existing default roles the integration permission (accounts' own migrations stay untouched)."""
from django.db import migrations

INTEGRATION_PERMS = {  # role code: permissions added (mirrors accounts.choices.INTEGRATION_ROLE_PERMISSIONS)
    "sysadmin": ["integration.configure"],
    "org_dept": ["integration.configure"],
    "branch_secretary": ["integration.configure"],
}


def add(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=INTEGRATION_PERMS):
        perms = list(role.permissions or [])
        missing = [p for p in INTEGRATION_PERMS[role.code] if p not in perms]
        if missing:
            role.permissions = sorted(perms + missing)
            role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=INTEGRATION_PERMS):
        role.permissions = [p for p in (role.permissions or []) if not p.startswith("integration.")]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("integration", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(add, remove)]
