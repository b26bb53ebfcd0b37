"""Adds the exchange permissions to the roles of existing installations (new ones get them from
accounts.choices.DEFAULT_ROLES when the roles are first seeded). Never removes a permission."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {  # mirrors accounts.choices.DEFAULT_ROLES
    "sysadmin": ["exchange.import", "exchange.export"],
    "org_dept": ["exchange.import", "exchange.export"],
    "committee_secretary": ["exchange.export"],
    "branch_secretary": ["exchange.import", "exchange.export"],
    "party_worker": ["exchange.import", "exchange.export"],
}


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_national_profiles"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions(GRANTS, prefix="exchange.")]
