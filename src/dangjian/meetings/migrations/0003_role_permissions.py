"""Adds the meetings permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {  # mirrors DEFAULT_GRANTS in meetings/declarations.py (sysadmin: every permission)
    "sysadmin": ["meetings.view", "meetings.change"],
    "org_dept": ["meetings.view", "meetings.change"],
    "committee_secretary": ["meetings.view"],
    "branch_secretary": ["meetings.view", "meetings.change"],
    "party_worker": ["meetings.view", "meetings.change"],
    "member": ["meetings.view"],
}


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_seed_kinds_and_cadence"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(GRANTS, prefix="meetings.")]
