"""Gives the system administrator role of existing installations ``meetings.configure`` (changing the
cadence rules); new installations get it with every other permission when the roles are seeded."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions

GRANTS = {"sysadmin": ["meetings.configure"]}  # mirrors meetings/declarations.py (sysadmin only)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_role_permissions")]
    operations = [grant_role_permissions(GRANTS, prefix="meetings.configure")]
