"""Give the existing default roles the integration permission (accounts' own migrations stay untouched)."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

INTEGRATION_PERMS = {  # role code: permissions added (mirrors integration/declarations.py)
    "sysadmin": ["integration.configure"],
    "org_dept": ["integration.configure"],
    "branch_secretary": ["integration.configure"],
}


class Migration(migrations.Migration):
    dependencies = [("integration", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(INTEGRATION_PERMS, prefix="integration.")]
