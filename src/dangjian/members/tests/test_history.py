"""Effective-dated membership history: the open period follows the member's branch; moving a member
closes one period and opens the next in one audited transaction, and a refused move writes nothing."""
import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.http import Http404
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.members.models import Member, MembershipPeriod
from dangjian.members.services import member_change_branch, member_leave, members_bulk_create
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db
D = dt.date


def periods(member):
    return list(MembershipPeriod.objects.filter(member=member).order_by("valid_from", "pk")
                .values_list("org__code", "valid_from", "valid_to", "reason", "transfer_ref"))


def counts():
    return (Member.objects.count(), MembershipPeriod.objects.count(), AuditEntry.objects.count())


def errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def test_member_create_opens_the_first_period_from_the_joining_date(member_factory):
    # given / when
    member = member_factory("A1", joined_on=D(2005, 7, 1))
    # then
    assert periods(member) == [("A1", D(2005, 7, 1), None, "登记入册", None)]


def test_member_create_opens_the_period_from_since_with_its_reason(member_factory):
    member = member_factory("A1", since=D(2024, 3, 5), period_reason="组织关系转入")
    assert periods(member) == [("A1", D(2024, 3, 5), None, "组织关系转入", None)]


def test_change_branch_closes_the_period_opens_the_next_and_moves_the_member(tree, member_factory, user_factory):
    # given: a member of A1 in its party group; an organisation-department user over the whole of 甲 and 乙
    member = member_factory("A1", party_group=tree["A1G1"])
    dept = user_factory("dept", "org_dept", tree["G"])
    before = AuditEntry.objects.count()
    # when
    moved = member_change_branch(actor=dept, member=member, new_org=tree["B1"], on=D(2024, 5, 6), reason="工作调动")
    # then
    member.refresh_from_db()
    assert (moved.org_id, member.org_id, member.party_group_id) == (tree["B1"].pk, tree["B1"].pk, None)
    assert periods(member) == [
        ("A1", D(2005, 7, 1), D(2024, 5, 6), "登记入册", None),
        ("B1", D(2024, 5, 6), None, "工作调动", None),
    ]
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    closed, opened = MembershipPeriod.objects.filter(member=member).order_by("valid_from")
    assert (entry.action, entry.actor_id, entry.target_id, entry.org_path, entry.reason) == (
        "members.change_branch", dept.pk, str(member.pk), tree["B1"].path, "工作调动")
    assert entry.before == {"org": tree["A1"].pk, "party_group": tree["A1G1"].pk, "period": {
        "id": closed.pk, "org": tree["A1"].pk, "valid_from": "2005-07-01", "valid_to": None, "reason": "登记入册",
        "transfer_ref": None}}
    assert entry.after == {
        "org": tree["B1"].pk, "party_group": None,
        "closed": {"id": closed.pk, "org": tree["A1"].pk, "valid_from": "2005-07-01", "valid_to": "2024-05-06",
                   "reason": "登记入册", "transfer_ref": None},
        "opened": {"id": opened.pk, "org": tree["B1"].pk, "valid_from": "2024-05-06", "valid_to": None,
                   "reason": "工作调动", "transfer_ref": None},
    }


def test_change_branch_with_a_transfer_records_its_reference_and_needs_no_grant_on_the_old_branch(
        tree, member_factory, user_factory):
    # given: the receiving branch's worker holds nothing on A1
    member = member_factory("A1")
    receiver = user_factory("recv", "party_worker", tree["B1"], scope="org")
    # when
    member_change_branch(actor=receiver, member=member, new_org=tree["B1"], on=D(2024, 5, 6),
                         reason="组织关系转接", transfer=41)
    # then
    assert periods(member)[-1] == ("B1", D(2024, 5, 6), None, "组织关系转接", 41)


def test_effective_on_finds_the_branch_of_any_day_with_valid_to_exclusive(tree, member_factory):
    member = member_factory("A1")
    member_change_branch(actor=None, member=member, new_org=tree["B1"], on=D(2024, 5, 6), reason="调动")
    at = lambda day: list(MembershipPeriod.objects.filter(member=member).effective_on(day)  # noqa: E731
                          .values_list("org__code", flat=True))
    assert (at(D(2024, 5, 5)), at(D(2024, 5, 6)), at(D(2004, 1, 1))) == (["A1"], ["B1"], [])


def test_a_member_without_history_gets_it_on_the_first_move(tree):
    # given: a member written by the bulk path (imports), which opens no period
    birth = D(1988, 2, 3)
    members_bulk_create(actor=None, rows=[{
        "name": "批量党员", "gender": "M", "birth_date": birth, "id_number": make_id_number(birth, 5, gender="M"),
        "category": "full", "joined_on": D(2010, 7, 1), "full_member_on": D(2011, 7, 1), "org": tree["A1"]}])
    member = Member.objects.get(name="批量党员")
    assert periods(member) == []
    # when
    member_change_branch(actor=None, member=member, new_org=tree["A2"], on=D(2023, 1, 9), reason="调动")
    # then
    assert periods(member) == [("A1", D(2010, 7, 1), D(2023, 1, 9), "登记入册", None),
                               ("A2", D(2023, 1, 9), None, "调动", None)]


@pytest.mark.parametrize(
    ("_case", "target", "on", "expected"),
    [
        ("same_branch", "A1", D(2024, 1, 1), {("members.same_branch", "org")}),
        ("not_a_branch", "A", D(2024, 1, 1), {("members.org_not_branch", "org")}),
        ("group", "A1G1", D(2024, 1, 1), {("members.org_not_branch", "org")}),
        ("before_period", "A2", D(2005, 6, 30), {("members.before_period_start", "on")}),
    ],
)
def test_bad_moves_are_refused_and_write_nothing(tree, member_factory, _case, target, on, expected):
    member = member_factory("A1", joined_on=D(2005, 7, 1))
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_change_branch(actor=None, member=member, new_org=tree[target], on=on, reason="x")
    assert errors(exc) == expected
    assert counts() == before
    assert periods(member) == [("A1", D(2005, 7, 1), None, "登记入册", None)]


def test_move_to_a_dissolved_branch_or_into_the_future_is_refused(tree, member_factory):
    from dangjian.orgs.services import org_dissolve

    member = member_factory("A1")
    org_dissolve(actor=None, org=tree["A2"], on=D(2024, 1, 1), reason="撤并")
    tree["A2"].refresh_from_db()
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_change_branch(actor=None, member=member, new_org=tree["A2"], on=D(2024, 2, 1), reason="x")
    assert errors(exc) == {("members.org_dissolved", "org")}
    with pytest.raises(DomainError) as exc:
        member_change_branch(actor=None, member=member, new_org=tree["B1"],
                             on=timezone.localdate() + dt.timedelta(days=1), reason="x")
    assert errors(exc) == {("members.date_in_future", "on")}
    assert counts() == before


@pytest.mark.parametrize("_case", ["old_branch_out_of_scope", "new_branch_out_of_scope"])
def test_move_outside_the_actors_scope_is_not_found_and_writes_nothing(tree, member_factory, user_factory, _case):
    # given: a worker of A1 only
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    member = member_factory("B1" if _case == "old_branch_out_of_scope" else "A1")
    target = tree["A1"] if _case == "old_branch_out_of_scope" else tree["B1"]
    before = counts()
    # when / then
    with pytest.raises(Http404):
        member_change_branch(actor=worker, member=member, new_org=target, on=D(2024, 1, 1), reason="x")
    assert counts() == before
    assert Member.objects.get(pk=member.pk).org_id == member.org_id


def test_backfill_migration_opens_one_period_per_member_and_is_idempotent(tree, member_factory):
    # given: members whose periods are missing (as before the migration)
    a = member_factory("A1", joined_on=D(2001, 7, 1))
    b = member_factory("B1", joined_on=D(2012, 6, 30), full_member_on=D(2013, 6, 30))
    MembershipPeriod.objects.all().delete()
    migration = importlib.import_module("dangjian.members.migrations.0003_backfill_membership_periods")
    # when
    migration.backfill(apps, None)
    migration.backfill(apps, None)
    # then
    assert periods(a) == [("A1", D(2001, 7, 1), None, "存量数据初始化（自入党日期）", None)]
    assert periods(b) == [("B1", D(2012, 6, 30), None, "存量数据初始化（自入党日期）", None)]
    assert MembershipPeriod.objects.count() == 2


def test_leave_closes_the_period_and_takes_the_member_out_of_the_register(tree, member_factory, user_factory):
    # given
    from dangjian.members.selectors import member_counts

    member = member_factory("A1", party_group=tree["A1G1"])
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    assert member_counts(actor=worker, orgs=[tree["A1"]]) == {tree["A1"].pk: 1}
    # when
    member_leave(actor=worker, member=member, on=D(2024, 8, 1), reason="转往系统外")
    # then
    member.refresh_from_db()
    assert (member.status, member.org_id, member.party_group_id) == ("left", tree["A1"].pk, None)
    assert periods(member) == [("A1", D(2005, 7, 1), D(2024, 8, 1), "登记入册", None)]
    entry = AuditEntry.objects.order_by("-seq").first()
    closed = MembershipPeriod.objects.get(member=member)
    assert (entry.action, entry.actor_id, entry.org_path, entry.reason) == (
        "members.leave", worker.pk, tree["A1"].path, "转往系统外")
    assert entry.before == {"status": "normal", "party_group": tree["A1G1"].pk, "period": {
        "id": closed.pk, "org": tree["A1"].pk, "valid_from": "2005-07-01", "valid_to": None, "reason": "登记入册",
        "transfer_ref": None}}
    assert entry.after == {"status": "left", "party_group": None, "closed": {
        "id": closed.pk, "org": tree["A1"].pk, "valid_from": "2005-07-01", "valid_to": "2024-08-01",
        "reason": "登记入册", "transfer_ref": None}}
    assert member_counts(actor=worker, orgs=[tree["A1"]]) == {tree["A1"].pk: 0}


def test_leave_is_refused_for_a_member_not_in_the_register_or_out_of_scope(tree, member_factory, user_factory):
    gone = member_factory("A1", status="deceased")
    other = member_factory("B1")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_leave(actor=worker, member=gone, on=D(2024, 8, 1), reason="x")
    assert errors(exc) == {("members.not_in_register", "status")}
    with pytest.raises(Http404):
        member_leave(actor=worker, member=other, on=D(2024, 8, 1), reason="x")
    assert counts() == before
