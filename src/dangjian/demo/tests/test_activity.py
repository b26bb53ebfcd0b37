"""The demo's activity history and planted problems (issue #4 §7): deterministic for a seed, the findings
the monitoring table needs on first run, an intact audit chain, and ``--no-activity``."""
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from dangjian.audit.models import AuditEntry
from dangjian.audit.verify import verify_chain
from dangjian.demo.activity import add_activity
from dangjian.demo.builder import build_demo
from dangjian.demo.tests.conftest import TODAY
from dangjian.development.models import Pipeline
from dangjian.dues.models import DuesBill, DuesPayment
from dangjian.health.models import Finding
from dangjian.meetings.models import Attendance, Meeting
from dangjian.members.models import Member

SEED = 7
REQUIRED_RULES = {"org.term_expiring", "meetings.cadence_shortfall", "dues.arrears", "development.step_overdue",
                  "development.probation_overdue", "org.too_few_full_members", "org.branch_oversize",
                  "org.committee_missing", "transfers.overdue", "members.lost_contact"}


class _Rollback(Exception):
    pass


def _fingerprint() -> dict:
    """What the activity wrote, by natural keys (org codes, kinds, dates, names), never database keys:
    sequences are not rolled back on PostgreSQL."""
    meetings = sorted((org, group or "", kind, day, status, topic) for org, group, kind, day, status, topic in
                      Meeting.objects.values_list("org__code", "party_group__code", "kind__code", "meeting_date",
                                                  "status", "topic"))
    attendance = Counter(Attendance.objects.values_list("meeting__org__code", "status"))
    bills = Counter(DuesBill.objects.values_list("org__code", "period", "status"))
    return {
        "meetings": meetings,
        "attendance": sorted(attendance.items()),
        "bills": sorted(bills.items()),
        "paid": sorted(DuesPayment.objects.values_list("member__name", "paid_on", "amount")),
        "pipelines": sorted(Pipeline.objects.values_list("applicant__org__code", "applicant__name", "stage",
                                                         "applied_on")),
        "members": sorted(Member.objects.values_list("name", "org__code", "status")),
        "findings": sorted(Finding.objects.filter(state="open").values_list("rule", "org__code", "message")),
    }


def _build_with_activity() -> tuple[dict, object]:
    build_demo(members=300, seed=SEED, today=TODAY, target_orgs=30)
    result = add_activity(seed=SEED, today=TODAY, members=300)
    return _fingerprint(), result


@pytest.mark.django_db
def test_activity_is_deterministic_and_plants_the_problems_the_monitoring_table_shows():
    # given a first build with activity, rolled back
    try:
        with transaction.atomic():
            first, _ = _build_with_activity()
            raise _Rollback
    except _Rollback:
        pass
    assert not Meeting.objects.exists()
    # when the same seed and day are built again
    second, result = _build_with_activity()
    # then everything is the same
    for key in first:
        assert first[key] == second[key], key
    # a year of meetings with roll calls, most present, some on leave with a reason, a few absent
    assert result.meetings.held > 300 and result.meetings.attendance > 3000
    statuses = Counter(Attendance.objects.values_list("status", flat=True))
    assert statuses["present"] > 5 * statuses["leave"] > 0 and statuses["absent"] > 0
    assert not Attendance.objects.filter(status="leave", reason="").exists()
    assert Meeting.objects.filter(status="planned", meeting_date__lt=TODAY).exists()  # held but not recorded
    assert not Meeting.objects.filter(status="held", meeting_date__gt=TODAY).exists()
    # dues: most bills paid, a few members three months or more behind
    assert DuesBill.objects.filter(status="paid").count() > 0.8 * DuesBill.objects.exclude(period="2025-06").count()
    assert result.dues.members_in_arrears >= 1
    # findings of every planted kind, and the alerts in the inboxes they go to
    produced = {code for code, n in result.findings.items() if n}
    assert REQUIRED_RULES <= produced, REQUIRED_RULES - produced
    assert Finding.objects.filter(state="open").count() == sum(result.findings.values())
    # one audit entry per bulk batch, and the chain intact
    assert AuditEntry.objects.filter(action="meetings.bulk_record").count() == result.meetings.audit_entries >= 1
    assert AuditEntry.objects.filter(action="demo.activity").count() == 1
    assert verify_chain().ok
    call_command("audit", "verify", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_without_activity_writes_no_history():
    out = io.StringIO()
    call_command("demo", "--members", "120", "--orgs", "12", "--seed", "3", "--no-activity", stdout=out)
    assert Member.objects.count() == 120
    assert not Meeting.objects.exists() and not DuesBill.objects.exists() and not Pipeline.objects.exists()
    assert not Finding.objects.exists()
    assert "活动数据" not in out.getvalue()
