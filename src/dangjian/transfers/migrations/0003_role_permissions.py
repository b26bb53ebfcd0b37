"""Adds the transfers permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {
    "sysadmin": ["transfers.view", "transfers.change", "transfers.configure"],
    "org_dept": ["transfers.view", "transfers.change"],
    "committee_secretary": ["transfers.view"],
    "branch_secretary": ["transfers.view", "transfers.change"],
    "party_worker": ["transfers.view", "transfers.change"],
}


class Migration(migrations.Migration):
    dependencies = [("transfers", "0002_seed_rules"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(GRANTS, prefix="transfers.")]
