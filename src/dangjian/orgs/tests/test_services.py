"""Organisation services: the tree stays legal, moves carry subtrees, writes are audited."""
import datetime as dt

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.orgs.models import CommitteeTerm, Organization, OrgUnitMapping
from dangjian.orgs.services import (
    org_create,
    org_dissolve,
    org_move,
    org_unit_map,
    org_update,
    term_create,
    unit_create,
)

pytestmark = pytest.mark.django_db


def _codes(exc):
    return [(e.code, e.field) for e in exc.value.errors]


def test_create_records_audit_entry_in_same_transaction(tree):
    before = AuditEntry.objects.count()
    org = org_create(actor=None, parent=tree["A"], name="甲三支部", code="A3", org_type="branch")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.target_id, entry.org_path) == ("orgs.create", str(org.pk), org.path)
    assert org.path.startswith(tree["A"].path) and org.depth == 3


@pytest.mark.parametrize(
    ("_case", "parent_code", "org_type", "code"),
    [
        ("group_under_committee", "A", "group", "orgs.parent_not_allowed"),
        ("branch_under_group", "A1G1", "branch", "orgs.parent_not_allowed"),
        ("committee_under_branch", "A1", "committee", "orgs.parent_not_allowed"),
        ("group_as_root", None, "group", "orgs.root_not_allowed"),
    ],
)
def test_illegal_placement_is_refused_and_nothing_written(tree, _case, parent_code, org_type, code):
    count, audits = Organization.objects.count(), AuditEntry.objects.count()
    parent = tree[parent_code] if parent_code else None
    with pytest.raises(DomainError) as exc:
        org_create(actor=None, parent=parent, name="X", code="X1", org_type=org_type)
    assert exc.value.errors[0].code == code
    assert (Organization.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_duplicate_code_and_missing_name_are_field_errors(tree):
    with pytest.raises(DomainError) as exc:
        org_create(actor=None, parent=tree["A"], name="重复", code="A1", org_type="branch")
    assert _codes(exc) == [("orgs.code_taken", "code")]
    with pytest.raises(DomainError) as exc:
        org_create(actor=None, parent=tree["A"], name="", code="A9", org_type="branch")
    assert ("name" in [e.field for e in exc.value.errors])


def test_move_carries_the_subtree(tree, member_factory):
    member_factory("A1")
    moved = org_move(actor=None, org=tree["A1"], new_parent=tree["B"])
    group = Organization.objects.get(code="A1G1")
    b = Organization.objects.get(code="B")
    assert moved.path.startswith(b.path) and group.path.startswith(moved.path)
    assert group.depth == 4
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "orgs.move" and entry.before["parent"] == "A" and entry.after["parent"] == "B"


def test_move_into_own_subtree_or_illegal_parent_is_refused(tree):
    with pytest.raises(DomainError) as exc:
        org_move(actor=None, org=tree["A"], new_parent=tree["A1"])
    assert _codes(exc) == [("orgs.move_into_itself", "parent")]
    with pytest.raises(DomainError) as exc:
        org_move(actor=None, org=tree["A1"], new_parent=tree["B1"])
    assert _codes(exc) == [("orgs.parent_not_allowed", "parent")]


def test_type_change_must_keep_children_legal(tree):
    with pytest.raises(DomainError) as exc:
        org_update(actor=None, org=tree["A1"], org_type="general_branch")
    assert _codes(exc) == [("orgs.child_type_conflict", "org_type")]
    assert Organization.objects.get(code="A1").org_type == "branch"


def test_dissolve_refused_with_children_or_members(tree, member_factory):
    member_factory("B1")
    with pytest.raises(DomainError) as exc:
        org_dissolve(actor=None, org=tree["A1"], on=dt.date(2026, 1, 1))
    assert _codes(exc) == [("orgs.has_children", "status")]
    with pytest.raises(DomainError) as exc:
        org_dissolve(actor=None, org=tree["B1"], on=dt.date(2026, 1, 1))
    assert _codes(exc) == [("orgs.has_members", "status")]
    done = org_dissolve(actor=None, org=tree["A2"], on=dt.date(2026, 1, 1))
    assert done.status == "dissolved"
    with pytest.raises(DomainError) as exc:
        org_create(actor=None, parent=done, name="子", code="A2X", org_type="group")
    assert exc.value.errors[0].code in {"orgs.parent_dissolved", "orgs.parent_not_allowed"}


def test_term_length_comes_from_policy_data(tree):
    from dangjian.orgs.models import TermPolicy

    term = term_create(actor=None, org=tree["A1"], start_date=dt.date(2024, 3, 1))
    assert (term.number, term.term_years, term.end_date) == (1, 3, dt.date(2027, 3, 1))
    TermPolicy.objects.filter(org_type="committee").update(term_years=5)
    t2 = term_create(actor=None, org=tree["A"], start_date=dt.date(2021, 6, 30))
    assert t2.end_date == dt.date(2026, 6, 30)
    t3 = term_create(actor=None, org=tree["A1"], start_date=dt.date(2027, 3, 1))
    assert t3.number == 2
    assert list(CommitteeTerm.objects.filter(org=tree["A1"], is_current=True)) == [t3]
    with pytest.raises(DomainError):
        term_create(actor=None, org=tree["A1G1"], start_date=dt.date(2024, 1, 1))


def test_unit_mapping_is_effective_dated_and_refuses_overlap(tree):
    unit = unit_create(actor=None, parent=None, name="甲公司", code="U-A", unit_type="company")
    m = org_unit_map(actor=None, org=tree["A"], unit=unit, valid_from=dt.date(2020, 1, 1))
    with pytest.raises(DomainError) as exc:
        org_unit_map(actor=None, org=tree["A"], unit=unit, valid_from=dt.date(2021, 1, 1))
    assert _codes(exc) == [("orgs.mapping_overlap", "valid_from")]
    assert list(OrgUnitMapping.objects.effective_on(dt.date(2019, 12, 31))) == []
    assert list(OrgUnitMapping.objects.effective_on(dt.date(2020, 1, 1))) == [m]


def test_actor_outside_scope_cannot_write(tree, user_factory):
    secretary = user_factory("sec_b", "branch_secretary", tree["B1"], scope="org")
    count = Organization.objects.count()
    with pytest.raises(Http404):
        org_update(actor=secretary, org=tree["A1"], name="改名")
    with pytest.raises(Http404):
        org_create(actor=secretary, parent=tree["A1"], name="新组", code="A1G9", org_type="group")
    assert Organization.objects.count() == count
    assert Organization.objects.get(code="A1").name == "甲一支部"
    org_create(actor=secretary, parent=tree["B1"], name="乙一第一党小组", code="B1G1", org_type="group")
