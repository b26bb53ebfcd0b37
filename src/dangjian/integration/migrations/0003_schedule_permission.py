"""The schedule page has its own permission (issue 9 §3): give it to the existing system administrator role
(new installations get it from the declarations; branch secretaries keep integration.configure for their
channels but no longer see the platform's schedule)."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions


class Migration(migrations.Migration):
    dependencies = [("integration", "0002_role_permissions")]
    operations = [grant_role_permissions({"sysadmin": ["integration.schedule"]}, prefix="integration.schedule")]
