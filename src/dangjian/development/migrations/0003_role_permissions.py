"""Adds the development permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {
    "sysadmin": ["development.view", "development.change", "development.configure"],
    "org_dept": ["development.view", "development.change"],
    "committee_secretary": ["development.view"],
    "branch_secretary": ["development.view", "development.change"],
    "party_worker": ["development.view", "development.change"],
}


class Migration(migrations.Migration):
    dependencies = [("development", "0002_seed_rules"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(GRANTS, prefix="development.")]
