"""Opens the current membership period of every member already in the register: at the member's
branch, from the date they joined the Party (``joined_on``; the register holds no earlier history).

Streams the register in primary-key batches (DESIGN "Scale": a million members never sit in memory)
and skips members that already have a period, so running it again writes nothing.
"""
from django.db import migrations
from django.db.models import Exists, OuterRef

BATCH = 5000
REASON = "存量数据初始化（自入党日期）"


def backfill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    MembershipPeriod = apps.get_model("members", "MembershipPeriod")
    last = 0
    while True:
        rows = list(
            Member.objects.filter(pk__gt=last)
            .filter(~Exists(MembershipPeriod.objects.filter(member_id=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", "org_id", "joined_on")[:BATCH]
        )
        if not rows:
            return
        MembershipPeriod.objects.bulk_create(
            [MembershipPeriod(member_id=pk, org_id=org_id, valid_from=joined_on, reason=REASON)
             for pk, org_id, joined_on in rows]
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membershipperiod")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
