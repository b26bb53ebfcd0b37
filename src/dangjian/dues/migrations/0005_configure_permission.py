"""Give the system administrator role of existing installations ``dues.configure`` (adding versions of the
dues rules, issue 8 point 5); new installations get it from the declarations. Reversing removes only it."""
from django.db import migrations

from dangjian.accounts.migration_ops import grant_role_permissions


class Migration(migrations.Migration):
    dependencies = [("dues", "0004_bill_write_path"), ("accounts", "0002_default_roles")]
    operations = [grant_role_permissions({"sysadmin": ["dues.configure"]}, prefix="dues.configure")]
