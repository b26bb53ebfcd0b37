"""The rules of DOMAIN §5 with their national defaults and citations, as editable data."""
from django.db import migrations


def seed_rules(apps, schema_editor):
    from dangjian.development.rules import DEFAULT_RULES

    DevelopmentRule = apps.get_model("development", "DevelopmentRule")
    for rule in DEFAULT_RULES:
        DevelopmentRule.objects.get_or_create(code=rule.code, defaults={
            "title": rule.title, "params": rule.params, "severity": rule.severity, "citation": rule.citation,
            "confidence": rule.confidence, "enabled": rule.enabled,
        })


class Migration(migrations.Migration):
    dependencies = [("development", "0001_initial")]
    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
