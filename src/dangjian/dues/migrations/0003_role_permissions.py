"""Give the existing default roles their dues permissions (accounts' own migrations stay untouched)."""
from django.db import migrations

DUES_PERMS = {  # role code: permissions added (mirrors accounts.choices.DEFAULT_ROLES)
    "sysadmin": ["dues.view", "dues.change"],
    "org_dept": ["dues.view", "dues.change"],
    "committee_secretary": ["dues.view"],
    "branch_secretary": ["dues.view", "dues.change"],
    "party_worker": ["dues.view", "dues.change"],
    "member": ["dues.view"],
}


def add(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=DUES_PERMS):
        perms = list(role.permissions or [])
        missing = [p for p in DUES_PERMS[role.code] if p not in perms]
        if missing:
            role.permissions = sorted(perms + missing)
            role.save(update_fields=["permissions"])


def remove(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=DUES_PERMS):
        role.permissions = [p for p in (role.permissions or []) if not p.startswith("dues.")]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("dues", "0002_seed_rule_sets"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(add, remove)]
