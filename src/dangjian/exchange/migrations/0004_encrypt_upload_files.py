"""Uploaded files of import jobs hold full ID numbers and phones (issue 7 §4): the files of finished jobs
(committed, rejected, failed) are no longer needed and are forgotten; those of jobs still waiting for
their preview or commit are encrypted with the field key. Runs before the field becomes encrypted, so
it reads the stored bytes as they are."""
from django.db import migrations

import dangjian.core.fields

FINISHED = ("committed", "rejected", "failed")
_PREFIX = b"sm4gcm:1:"


def encrypt_or_forget(apps, schema_editor):
    from dangjian.core.crypto import encrypt_bytes

    ImportJob = apps.get_model("exchange", "ImportJob")
    ImportJob.objects.filter(status__in=FINISHED).exclude(data=b"").update(data=b"")
    for pk, data in ImportJob.objects.exclude(data=b"").values_list("pk", "data").iterator(chunk_size=50):
        data = bytes(data)
        if data and not data.startswith(_PREFIX):
            ImportJob.objects.filter(pk=pk).update(data=encrypt_bytes(data))


def decrypt(apps, schema_editor):
    from dangjian.core.crypto import decrypt_bytes

    ImportJob = apps.get_model("exchange", "ImportJob")
    for pk, data in ImportJob.objects.exclude(data=b"").values_list("pk", "data").iterator(chunk_size=50):
        data = bytes(data)
        if data.startswith(_PREFIX):
            ImportJob.objects.filter(pk=pk).update(data=decrypt_bytes(data))


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0003_role_permissions"),
    ]

    operations = [
        migrations.RunPython(encrypt_or_forget, decrypt),
        migrations.AlterField(
            model_name="importjob",
            name="data",
            field=dangjian.core.fields.EncryptedBinaryField(blank=True, verbose_name="文件内容"),
        ),
    ]
