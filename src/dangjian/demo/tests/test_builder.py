"""The demo build: deterministic, valid against the register's own rules, shaped as DOMAIN §2–§3
says, audited per batch with an intact chain."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from dangjian.audit.models import AuditEntry
from dangjian.audit.verify import verify_chain
from dangjian.demo.builder import DemoError, build_demo
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.services import validate_member
from dangjian.orgs.choices import ALLOWED_PARENTS
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping

from .conftest import TODAY


def _snapshot():
    return list(Member.objects.order_by("pk").values_list(
        "name", "id_number", "phone", "birth_date", "gender", "org__code", "org__name", "party_group__code",
        "unit__code", "category", "joined_on", "full_member_on", "status"))


def _build_and_snapshot(**kwargs):
    with transaction.atomic():
        build_demo(today=TODAY, **kwargs)
        snap = _snapshot()
        orgs = list(Organization.objects.values_list("path", "name", "org_type"))
        seats = sorted(CommitteeSeat.objects.values_list("term__org__code", "member__name", "position"))
        transaction.set_rollback(True)
    return snap, orgs, seats


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    first = _build_and_snapshot(members=300, seed=11)
    again = _build_and_snapshot(members=300, seed=11)
    other = _build_and_snapshot(members=300, seed=12)
    assert first == again
    assert len(first[0]) == 300
    assert [r[:2] for r in first[0]] != [r[:2] for r in other[0]]


@pytest.mark.django_db
def test_worker_processes_give_the_same_data():
    alone = _build_and_snapshot(members=300, seed=5, workers=0, batch_size=100)
    parallel = _build_and_snapshot(members=300, seed=5, workers=1, batch_size=100)
    assert alone == parallel


@pytest.mark.django_db
def test_every_member_passes_validate_member(small_demo):
    members = list(Member.objects.select_related("org", "party_group"))
    assert len(members) == small_demo.members == 300
    assert [(m.pk, validate_member(m, today=TODAY)) for m in members if validate_member(m, today=TODAY)] == []


@pytest.mark.django_db
def test_tree_is_consistent_and_every_parent_type_allowed(small_demo):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert EnterpriseUnit.objects.find_problems() == ([], [], [], [], [])
    by_path = {o.path: o for o in Organization.objects.all()}
    for org in by_path.values():
        parent = by_path.get(org.path[:-4]) if org.depth > 1 else None
        assert (parent.org_type if parent else None) in ALLOWED_PARENTS[org.org_type]
    assert Organization.objects.filter(depth=1).count() == 1


@pytest.mark.django_db
def test_branches_have_3_to_50_members_and_groups_hold_their_branch_members(small_demo):
    for branch in Organization.objects.filter(org_type="branch"):
        assert 3 <= branch.members.count() <= 50
    for member in Member.objects.filter(party_group__isnull=False).select_related("org", "party_group"):
        assert member.party_group.path.startswith(member.org.path)
        assert member.party_group.depth == member.org.depth + 1


@pytest.mark.django_db
def test_terms_seats_and_mappings():
    build_demo(members=2000, seed=3, today=TODAY)
    terms = list(CommitteeTerm.objects.all())
    assert len(terms) == Organization.objects.exclude(org_type="group").count()
    days = [(t.end_date - TODAY).days for t in terms]
    assert any(0 <= d < 183 for d in days), "some terms end within six months"
    assert any(d < 0 for d in days), "a few terms have expired"
    assert all(t.is_current for t in terms)
    for seat in CommitteeSeat.objects.select_related("term__org", "member__org"):
        assert seat.member.org.path.startswith(seat.term.org.path)
        assert seat.member.category == "full" and seat.since == seat.term.start_date
    secretaries = CommitteeSeat.objects.filter(position="secretary").values_list("term_id", flat=True)
    assert len(secretaries) == len(set(secretaries)) > 0
    mapped = set(OrgUnitMapping.objects.values_list("org_id", flat=True))
    assert mapped == set(Organization.objects.exclude(org_type="group").values_list("pk", flat=True))
    for joint in Organization.objects.filter(is_joint=True):
        assert 2 <= joint.unit_mappings.count() <= 5


@pytest.mark.django_db
def test_one_audit_entry_per_batch_and_the_chain_verifies():
    result = build_demo(members=1000, seed=4, today=TODAY, batch_size=250)
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("members.bulk_create") == 4
    assert actions[-1] == "demo.build"
    assert len(actions) == result.audit_entries
    assert verify_chain().ok
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"audit chain OK: {len(actions)} entries verified" in out.getvalue()


@pytest.mark.django_db
def test_refuses_to_build_over_existing_organisations(small_demo):
    with pytest.raises(DemoError):
        build_demo(members=10, seed=1, today=TODAY)


@pytest.mark.django_db
def test_strict_mode_checks_every_row_with_the_service():
    result = build_demo(members=120, seed=2, today=TODAY, strict=True)
    assert result.checked_by_service == 120


@pytest.mark.django_db
def test_default_today_is_the_local_date():
    from django.utils import timezone

    result = build_demo(members=50, seed=2)
    assert result.today == timezone.localdate()
    assert Member.objects.filter(joined_on__gt=result.today).count() == 0
    assert isinstance(result.today, dt.date)


def _schema_of_members():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'members_member'")
            indexes = sorted(r[0] for r in cursor.fetchall())
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'members_member'::regclass")
            return indexes, sorted(cursor.fetchall())
        cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'members_member'")
        return sorted(r[0] or "" for r in cursor.fetchall()), []


@pytest.mark.django_db
def test_bulk_load_restores_every_index_and_constraint(monkeypatch):
    from dangjian.demo import builder

    before = _schema_of_members()
    monkeypatch.setattr(builder, "BULK_LOAD_FROM", 0)
    result = build_demo(members=300, seed=8, today=TODAY)
    assert result.members == 300
    assert _schema_of_members() == before
    assert Member.objects.filter(org__org_type="branch").count() == 300
