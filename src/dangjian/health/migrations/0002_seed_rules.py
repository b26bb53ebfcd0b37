"""Seeds one RuleConfig row per registered health rule with its regulation defaults (DOMAIN.md); never
overwrites a row an administrator has changed. A rule added later runs on its defaults until it is
configured (``selectors.rule_settings``)."""
from django.db import migrations


def seed(apps, schema_editor):
    from dangjian.health.rules import all_rules, load

    load()
    RuleConfig = apps.get_model("health", "RuleConfig")
    for rule in all_rules():
        RuleConfig.objects.get_or_create(code=rule.code, defaults={
            "params": rule.defaults(), "severity": rule.severity, "enabled": True, "notify_role": rule.notify_role})


def unseed(apps, schema_editor):
    apps.get_model("health", "RuleConfig").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
