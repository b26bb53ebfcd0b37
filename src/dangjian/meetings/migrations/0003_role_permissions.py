"""Adds the meetings permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

GRANTS = {  # mirrors accounts.choices.MEETINGS_ROLE_PERMISSIONS (sysadmin: every permission)
    "sysadmin": ["meetings.view", "meetings.change"],
    "org_dept": ["meetings.view", "meetings.change"],
    "committee_secretary": ["meetings.view"],
    "branch_secretary": ["meetings.view", "meetings.change"],
    "party_worker": ["meetings.view", "meetings.change"],
    "member": ["meetings.view"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=list(GRANTS)):
        perms = list(role.permissions or [])
        missing = [p for p in GRANTS[role.code] if p not in perms]
        if missing:
            role.permissions = sorted([*perms, *missing])
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_seed_kinds_and_cadence"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
