"""Member register services: every bad input is a field error and nothing is half-written."""
import datetime as dt

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.members.services import member_create, member_update, members_bulk_create
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db


def _fields(tree, **over):
    birth = dt.date(1990, 5, 17)
    data = {
        "name": "张三",
        "gender": "M",
        "birth_date": birth,
        "id_number": make_id_number(birth, 11, gender="M"),
        "phone": "13900001111",
        "category": "full",
        "joined_on": dt.date(2015, 7, 1),
        "full_member_on": dt.date(2016, 7, 1),
        "org": tree["A1"],
    }
    data.update(over)
    return data


def _errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def _unchanged(counts):
    assert (Member.objects.count(), AuditEntry.objects.count()) == counts


def test_create_normalises_input_and_audits_masked(tree):
    data = _fields(tree, name=" 张三 ", id_number=" " + _fields(tree)["id_number"].lower().replace("x", "x") + " ")
    member = member_create(actor=None, **data)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert member.name == "张三"
    assert entry.action == "members.create"
    assert entry.after["id_number"] == member.id_number_masked
    assert member.id_number not in str(entry.after)


@pytest.mark.parametrize(
    ("_case", "override", "expected"),
    [
        ("bad_checksum", {"id_number": "110101199005170113"}, {("id_number.checksum", "id_number")}),
        ("birth_mismatch", {"birth_date": dt.date(1990, 5, 18)}, {("members.birth_date_mismatch", "birth_date")}),
        ("gender_mismatch", {"gender": "F"}, {("members.gender_mismatch", "gender")}),
        ("future_join", {"joined_on": dt.date(2099, 1, 1), "full_member_on": None, "category": "probationary"},
         {("members.date_in_future", "joined_on")}),
        ("full_without_date", {"full_member_on": None}, {("members.full_date_required", "full_member_on")}),
        ("bad_phone", {"phone": "12345"}, {("members.phone_invalid", "phone")}),
    ],
)
def test_bad_input_is_refused_with_the_field_named(tree, _case, override, expected):
    counts = (Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        member_create(actor=None, **_fields(tree, **override))
    assert _errors(exc) == expected
    _unchanged(counts)


def test_fullwidth_digits_in_id_are_normalised_not_rejected(tree):
    number = _fields(tree)["id_number"]
    full = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    member = member_create(actor=None, **_fields(tree, id_number=full))
    assert member.id_number == number


def test_duplicate_id_number_is_refused(tree):
    member_create(actor=None, **_fields(tree))
    counts = (Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        member_create(actor=None, **_fields(tree, name="李四", org=tree["B1"]))
    assert _errors(exc) == {("members.id_number_duplicate", "id_number")}
    _unchanged(counts)


def test_member_only_in_a_branch_and_group_of_own_branch(tree):
    from dangjian.orgs.services import org_create

    other_group = org_create(actor=None, parent=tree["B1"], name="乙一第一党小组", code="B1G1", org_type="group")
    counts = (Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        member_create(actor=None, **_fields(tree, org=tree["A"]))
    assert _errors(exc) == {("members.org_not_branch", "org")}
    with pytest.raises(DomainError) as exc:
        member_create(actor=None, **_fields(tree, party_group=other_group))
    assert _errors(exc) == {("members.group_not_in_branch", "party_group")}
    _unchanged(counts)
    ok = member_create(actor=None, **_fields(tree, party_group=tree["A1G1"]))
    assert ok.party_group_id == tree["A1G1"].pk


def test_update_audits_before_and_after_and_refuses_out_of_scope(tree, member_factory, user_factory):
    member = member_factory("A1")
    worker = user_factory("w", "party_worker", tree["A1"], scope="org")
    updated = member_update(actor=worker, member=member, job_title="车间主任")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert updated.job_title == "车间主任"
    assert (entry.before["job_title"], entry.after["job_title"]) == ("", "车间主任")
    with pytest.raises(Http404):
        member_update(actor=worker, member=member, org=tree["B1"])
    assert Member.objects.get(pk=member.pk).org_id == tree["A1"].pk


def test_bulk_create_is_all_or_nothing_with_row_numbers(tree):
    good = _fields(tree)
    birth = dt.date(1985, 1, 2)
    second = _fields(tree, name="王五", birth_date=birth, id_number=make_id_number(birth, 21, gender="M"))
    bad = _fields(tree, name="赵六", id_number="110101199005170113")
    counts = (Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        members_bulk_create(actor=None, rows=[good, second, bad])
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "id_number")]
    _unchanged(counts)
    assert members_bulk_create(actor=None, rows=[good, second]) == 2
    assert AuditEntry.objects.order_by("-seq").first().after == {"count": 2, "org_count": 1}
