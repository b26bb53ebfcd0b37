"""Byte-order collation for tree paths on PostgreSQL (so range/prefix predicates use the index),
and the DOMAIN §3 default term lengths as editable data."""
from django.db import migrations


def c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("orgs_organization", "orgs_enterpriseunit"):
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


def seed_term_policy(apps, schema_editor):
    from dangjian.orgs.choices import DEFAULT_TERM_YEARS

    TermPolicy = apps.get_model("orgs", "TermPolicy")
    for org_type, (years, citation) in DEFAULT_TERM_YEARS.items():
        TermPolicy.objects.get_or_create(org_type=str(org_type), defaults={"term_years": years, "citation": citation})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [
        migrations.RunPython(c_collation, migrations.RunPython.noop),
        migrations.RunPython(seed_term_policy, migrations.RunPython.noop),
    ]
