"""The meeting kinds and the DOMAIN §4 cadence minimums (with citations) as editable data."""
from django.db import migrations


def seed(apps, schema_editor):
    from dangjian.meetings.choices import DEFAULT_CADENCE, DEFAULT_KINDS

    MeetingKind = apps.get_model("meetings", "MeetingKind")
    CadenceRule = apps.get_model("meetings", "CadenceRule")
    kinds = {}
    for k in DEFAULT_KINDS:
        kinds[k.code], _ = MeetingKind.objects.get_or_create(code=k.code, defaults={
            "name": k.name, "roll": str(k.roll), "org_types": list(k.org_types), "sort": k.sort})
    for r in DEFAULT_CADENCE:
        CadenceRule.objects.get_or_create(org_type=r.org_type, kind=kinds[r.kind], defaults={
            "unit": str(r.unit), "min_count": r.min_count, "citation": r.citation, "confidence": r.confidence,
            "enabled": r.enabled})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
