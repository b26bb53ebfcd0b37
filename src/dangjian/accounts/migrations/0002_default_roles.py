"""The default roles (系统管理员, 组织部, 党委书记, 支部书记, 党务工作者, 审计员, 党员) as editable data."""
from django.db import migrations


def seed_roles(apps, schema_editor):
    from dangjian.accounts.choices import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for code, (name, perms, mfa) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": perms, "requires_mfa": mfa})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
