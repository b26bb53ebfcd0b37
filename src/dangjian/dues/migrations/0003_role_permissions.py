"""Give the existing default roles their dues permissions (accounts' own migrations stay untouched)."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

DUES_PERMS = {  # role code: permissions added (mirrors accounts.choices.DEFAULT_ROLES)
    "sysadmin": ["dues.view", "dues.change"],
    "org_dept": ["dues.view", "dues.change"],
    "committee_secretary": ["dues.view"],
    "branch_secretary": ["dues.view", "dues.change"],
    "party_worker": ["dues.view", "dues.change"],
    "member": ["dues.view"],
}


class Migration(migrations.Migration):
    dependencies = [("dues", "0002_seed_rule_sets"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(DUES_PERMS, prefix="dues.")]
