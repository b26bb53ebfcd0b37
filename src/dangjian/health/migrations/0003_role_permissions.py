"""Adds the health permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {
    "sysadmin": ["health.view", "health.acknowledge", "health.configure"],
    "org_dept": ["health.view", "health.acknowledge"],
    "committee_secretary": ["health.view", "health.acknowledge"],
    "branch_secretary": ["health.view", "health.acknowledge"],
    "party_worker": ["health.view"],
}


class Migration(migrations.Migration):
    dependencies = [("health", "0002_seed_rules"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(GRANTS, prefix="health.")]
