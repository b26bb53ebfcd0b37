"""The rules of DOMAIN §6 with their defaults and citations, as editable data (letter validity 90 days,
mobile members < 6 months, lost contact 6 months, suspension 2 years)."""
from django.db import migrations


def seed_rules(apps, schema_editor):
    from dangjian.transfers.rules import DEFAULT_RULES

    TransferRule = apps.get_model("transfers", "TransferRule")
    for rule in DEFAULT_RULES:
        TransferRule.objects.get_or_create(code=rule.code, defaults={
            "title": rule.title, "params": rule.params, "citation": rule.citation, "confidence": rule.confidence,
            "enabled": rule.enabled,
        })


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]
    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
