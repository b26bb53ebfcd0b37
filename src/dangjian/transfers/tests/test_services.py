"""Transfer services: the three kinds end to end, letter validity at its boundaries, who may act on
which side, and every refusal writing nothing."""
import datetime as dt

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.members.models import Member, MembershipPeriod
from dangjian.transfers.models import Transfer
from dangjian.transfers.services import (
    transfer_cancel,
    transfer_external_in,
    transfer_initiate,
    transfer_issue_letter,
    transfer_receive,
    transfer_return,
    transfer_rule_update,
    transfers_expire,
)
from dangjian.transfers.tests.conftest import DUE, ISSUED
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db
D = dt.date
DAY = dt.timedelta(days=1)


def counts():
    return (Transfer.objects.count(), Member.objects.count(), MembershipPeriod.objects.count(),
            AuditEntry.objects.count())


def errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def periods(member):
    return list(MembershipPeriod.objects.filter(member=member).order_by("valid_from", "pk")
                .values_list("org__code", "valid_from", "valid_to", "transfer_ref"))


def new_audit(before):
    return list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", "actor_id", "org_path"))


def last_seq():
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


# --- inside the group ---------------------------------------------------------------------------------


def test_internal_transfer_sends_then_the_receiving_branch_receives_and_the_member_moves(
        tree, ma, sender, receiver, send):
    # given
    seq = last_seq()
    # when: A1 issues the letter
    transfer = send(ma)
    # then
    assert (transfer.kind, transfer.status, transfer.from_org_id, transfer.to_org_id) == (
        "internal_out", "sent", tree["A1"].pk, tree["B1"].pk)
    assert (transfer.issued_on, transfer.validity_days, transfer.due_on, transfer.initiated_by_id) == (
        ISSUED, 90, DUE, sender.pk)
    assert new_audit(seq) == [("transfers.initiate", sender.pk, tree["A1"].path)]
    entry = AuditEntry.objects.get(seq=seq + 1)
    assert entry.after["status"] == "sent" and entry.after["due_on"] == "2024-05-30" and entry.before is None
    assert Member.objects.get(pk=ma.pk).org_id == tree["A1"].pk  # the sending branch stays responsible
    # when: B1 receives
    seq = last_seq()
    received = transfer_receive(actor=receiver, transfer=transfer, received_on=D(2024, 3, 20), notes="已报到")
    # then: branch changed atomically with its history
    member = Member.objects.get(pk=ma.pk)
    assert (received.status, received.received_on, received.received_by_id, received.notes) == (
        "received", D(2024, 3, 20), receiver.pk, "已报到")
    assert (member.org_id, member.party_group_id, member.status) == (tree["B1"].pk, None, "normal")
    assert periods(member) == [("A1", D(2005, 7, 1), D(2024, 3, 20), None),
                               ("B1", D(2024, 3, 20), None, transfer.pk)]
    assert new_audit(seq) == [("members.change_branch", receiver.pk, tree["B1"].path),
                              ("transfers.receive", receiver.pk, tree["B1"].path)]
    entry = AuditEntry.objects.filter(action="transfers.receive").get()
    assert (entry.before["status"], entry.after["status"], entry.after["received_on"]) == (
        "sent", "received", "2024-03-20")


def test_a_draft_is_saved_without_a_letter_and_issued_later(tree, ma, sender):
    # given
    draft = transfer_initiate(actor=sender, member=ma, kind="internal_out", to_org=tree["B1"])
    assert (draft.status, draft.letter_no, draft.issued_on, draft.due_on) == ("draft", "", None, None)
    # when
    sent = transfer_issue_letter(actor=sender, transfer=draft, letter_no="甲组转〔2024〕9号", issued_on=ISSUED,
                                 validity_days=30)
    # then
    assert (sent.status, sent.letter_no, sent.validity_days, sent.due_on) == ("sent", "甲组转〔2024〕9号", 30,
                                                                             D(2024, 3, 31))
    assert AuditEntry.objects.order_by("-seq").first().action == "transfers.issue_letter"


@pytest.mark.parametrize(
    ("_case", "received_on", "ok"),
    [("day_before_due", DUE - DAY, True), ("due_day", DUE, True), ("day_after_due", DUE + DAY, False)],
)
def test_receipt_within_the_90_day_validity_only(ma, receiver, send, _case, received_on, ok):
    # given: issued 2024-03-01, valid through 2024-05-30
    transfer = send(ma)
    before = counts()
    # when / then
    if ok:
        assert transfer_receive(actor=receiver, transfer=transfer, received_on=received_on).status == "received"
        return
    with pytest.raises(DomainError) as exc:
        transfer_receive(actor=receiver, transfer=transfer, received_on=received_on)
    (error,) = exc.value.errors
    assert (error.code, error.field, error.rule) == ("transfers.rule.letter_validity", "received_on", "letter_validity")
    assert "2024-05-30" in error.message and "DOMAIN §6" in error.message
    assert counts() == before
    assert Transfer.objects.get(pk=transfer.pk).status == "sent"


def test_an_expired_letter_is_reissued_by_the_sender_and_then_received(ma, sender, receiver, send):
    # given: the daily task marks it expired the day after its last valid day, not before
    transfer = send(ma)
    assert transfers_expire(on=DUE) == 0
    assert transfers_expire(on=DUE + DAY) == 1
    assert transfers_expire(on=DUE + DAY) == 0  # idempotent
    transfer.refresh_from_db()
    assert transfer.status == "expired"
    # when: the sending branch, still responsible, reissues
    reissued = transfer_issue_letter(actor=sender, transfer=transfer, letter_no="甲组转〔2024〕7号", issued_on=D(2024, 6, 3))
    received = transfer_receive(actor=receiver, transfer=reissued, received_on=D(2024, 6, 10))
    # then
    assert (reissued.due_on, received.status) == (D(2024, 9, 1), "received")
    assert AuditEntry.objects.filter(action="transfers.expire").values_list("after", flat=True)[0] == {
        "count": 1, "as_of": "2024-05-31"}


def test_validity_is_configurable_by_rule_and_per_letter_within_the_maximum(tree, ma, mb, sender, send,
                                                                            user_factory):
    # given: an administrator shortens the default to 60 days
    admin = user_factory("admin", "sysadmin", tree["G"])
    transfer_rule_update(actor=admin, code="letter_validity", params={"days": 60}, reason="某省委组织部通知")
    # when
    transfer = send(ma)
    # then
    assert (transfer.validity_days, transfer.due_on) == (60, D(2024, 4, 30))
    entry = AuditEntry.objects.filter(action="transfers.rule_update").get()
    assert (entry.before, entry.after) == ({"params": {"days": 90, "max_days": 180}, "enabled": True},
                                           {"params": {"days": 60, "max_days": 180}, "enabled": True})
    other = Member.objects.get(pk=mb.pk)
    with pytest.raises(DomainError) as exc:
        transfer_initiate(actor=admin, member=other, kind="internal_out", to_org=tree["A1"], letter_no="x",
                          issued_on=ISSUED, validity_days=181)
    assert errors(exc) == {("transfers.rule.letter_validity", "validity_days")}


def test_return_with_a_reason_leaves_the_member_and_allows_a_new_transfer(tree, ma, receiver, send):
    # given
    transfer = send(ma)
    with pytest.raises(DomainError) as exc:
        transfer_return(actor=receiver, transfer=transfer, on=D(2024, 3, 5), reason=" ")
    assert errors(exc) == {("transfers.required", "reason")}
    # when
    returned = transfer_return(actor=receiver, transfer=transfer, on=D(2024, 3, 5), reason="接收单位不符")
    # then
    assert (returned.status, returned.closed_on, returned.closed_reason) == ("returned", D(2024, 3, 5), "接收单位不符")
    assert Member.objects.get(pk=ma.pk).org_id == tree["A1"].pk
    assert send(ma, "A2").status == "sent"


def test_the_sender_cancels_and_the_receiver_cannot(ma, sender, receiver, send):
    transfer = send(ma)
    before = counts()
    with pytest.raises(Http404):
        transfer_cancel(actor=receiver, transfer=transfer, on=D(2024, 3, 2), reason="x")
    assert counts() == before
    cancelled = transfer_cancel(actor=sender, transfer=transfer, on=D(2024, 3, 2), reason="本人暂缓调动")
    assert (cancelled.status, cancelled.closed_reason) == ("cancelled", "本人暂缓调动")
    with pytest.raises(DomainError) as exc:
        transfer_receive(actor=receiver, transfer=transfer, received_on=D(2024, 3, 3))
    assert errors(exc) == {("transfers.wrong_status", "status")}


# --- out of and into the group ------------------------------------------------------------------------


def test_external_out_leaves_the_register_when_the_sender_records_the_receipt(tree, ma, sender, send):
    # given
    transfer = send(ma, kind="external_out")
    assert (transfer.kind, transfer.to_org_id, transfer.outside_org_name, transfer.due_on) == (
        "external_out", None, "中共某市某区某街道工作委员会", DUE)
    seq = last_seq()
    # when: the receipt slip (回执) comes back
    received = transfer_receive(actor=sender, transfer=transfer, received_on=D(2024, 4, 2))
    # then
    member = Member.objects.get(pk=ma.pk)
    assert (received.status, received.received_on, member.status, member.org_id) == (
        "received", D(2024, 4, 2), "left", tree["A1"].pk)
    assert periods(member) == [("A1", D(2005, 7, 1), D(2024, 4, 2), None)]
    assert new_audit(seq) == [("members.leave", sender.pk, tree["A1"].path),
                              ("transfers.receive", sender.pk, tree["A1"].path)]


def test_external_in_registers_the_member_in_the_receiving_branch(tree, receiver):
    # given
    birth = D(1992, 8, 8)
    person = {"name": "外来党员", "gender": "F", "birth_date": birth, "id_number": make_id_number(birth, 44, gender="F"),
              "category": "full", "joined_on": D(2014, 6, 1), "full_member_on": D(2015, 6, 1)}
    seq = last_seq()
    # when
    transfer = transfer_external_in(actor=receiver, to_org=tree["B1"], outside_org_name="中共某大学委员会",
                                    letter_no="某大组〔2024〕3号", issued_on=D(2024, 2, 1), received_on=D(2024, 2, 20),
                                    member=person)
    # then
    member = transfer.member
    assert (transfer.kind, transfer.status, transfer.from_org_id, transfer.to_org_id, transfer.due_on) == (
        "external_in", "received", None, tree["B1"].pk, D(2024, 5, 1))
    assert (member.name, member.org_id, member.status) == ("外来党员", tree["B1"].pk, "normal")
    assert list(MembershipPeriod.objects.filter(member=member).values_list("org__code", "valid_from", "valid_to",
                                                                          "reason")) == [
        ("B1", D(2024, 2, 20), None, "组织关系从系统外转入（中共某大学委员会，介绍信 某大组〔2024〕3号）")]
    assert new_audit(seq) == [("members.create", receiver.pk, tree["B1"].path),
                              ("transfers.external_in", receiver.pk, tree["B1"].path)]


def test_external_in_reports_letter_and_person_errors_together_and_writes_nothing(tree, receiver):
    person = {"name": "外来党员", "gender": "M", "birth_date": D(1992, 8, 8), "id_number": "110101199208080000",
              "category": "full", "joined_on": D(2014, 6, 1), "full_member_on": D(2015, 6, 1)}
    before = counts()
    with pytest.raises(DomainError) as exc:
        transfer_external_in(actor=receiver, to_org=tree["B1"], outside_org_name="", letter_no="x",
                             issued_on=D(2024, 2, 1), received_on=D(2024, 6, 1), member=person)
    assert errors(exc) == {("transfers.required", "outside_org_name"), ("transfers.rule.letter_validity", "received_on"),
                           ("id_number.checksum", "id_number")}
    assert counts() == before


# --- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "target", "expected"),
    [
        ("same_branch", "A1", {("transfers.same_org", "to_org")}),
        ("committee", "B", {("transfers.org_not_branch", "to_org")}),
        ("no_destination", None, {("transfers.required", "to_org")}),
    ],
)
def test_bad_destinations_are_refused_naming_to_org(tree, ma, sender, _case, target, expected):
    before = counts()
    with pytest.raises(DomainError) as exc:
        transfer_initiate(actor=sender, member=ma, kind="internal_out", to_org=tree[target] if target else None,
                          letter_no="x", issued_on=ISSUED)
    assert errors(exc) == expected
    assert counts() == before


def test_a_dissolved_destination_is_refused_on_initiate_and_on_receipt(tree, ma, sender, send, user_factory):
    from dangjian.orgs.services import org_create, org_dissolve

    # given: A2 is dissolved; a letter to a new branch A3 is in transit when A3 is dissolved too
    org_dissolve(actor=None, org=tree["A2"], on=D(2024, 1, 10), reason="撤并")
    tree["A2"].refresh_from_db()
    a3 = org_create(actor=None, parent=tree["A"], name="甲三支部", code="A3", org_type="branch")
    in_transit = send(ma, to=None, to_org=a3)
    org_dissolve(actor=None, org=a3, on=D(2024, 3, 2), reason="撤并")
    dept = user_factory("dept", "org_dept", tree["A"])
    before = counts()
    # when / then
    with pytest.raises(DomainError) as exc:
        transfer_initiate(actor=sender, member=ma, kind="internal_out", to_org=tree["A2"], letter_no="x",
                          issued_on=ISSUED)
    assert errors(exc) == {("transfers.org_dissolved", "to_org"), ("transfers.in_transit", "member")}
    assert "接收党组织“甲二支部”已撤销" in [e.message for e in exc.value.errors]
    with pytest.raises(DomainError) as exc:
        transfer_receive(actor=dept, transfer=in_transit, received_on=D(2024, 3, 5))
    assert errors(exc) == {("transfers.org_dissolved", "to_org")}
    assert counts() == before
    assert Member.objects.get(pk=ma.pk).org_id == tree["A1"].pk


def test_a_member_already_in_transit_cannot_start_another_transfer(tree, ma, sender, send):
    first = send(ma)
    before = counts()
    with pytest.raises(DomainError) as exc:
        send(ma, "A2")
    assert errors(exc) == {("transfers.in_transit", "member")}
    assert f"编号 {first.pk}" in exc.value.errors[0].message
    assert counts() == before


def test_a_member_not_in_normal_or_mobile_status_cannot_be_transferred(tree, member_factory, sender, send):
    lost = member_factory("A1", status="lost")
    before = counts()
    with pytest.raises(DomainError) as exc:
        send(lost)
    assert errors(exc) == {("transfers.member_status", "member")}
    assert counts() == before


@pytest.mark.parametrize("_case", ["sender_out_of_scope", "receiver_out_of_scope", "sender_tries_to_receive"])
def test_out_of_scope_actors_get_not_found_and_nothing_is_written(tree, ma, mb, sender, receiver, send,
                                                                   user_factory, _case):
    # given
    transfer = send(ma)
    outsider = user_factory("outsider", "party_worker", tree["A2"], scope="org")
    before = counts()
    # when / then
    with pytest.raises(Http404):
        if _case == "sender_out_of_scope":  # B1's worker sending A1's member
            transfer_initiate(actor=receiver, member=Member.objects.get(pk=ma.pk), kind="internal_out",
                              to_org=tree["A2"], letter_no="x", issued_on=ISSUED)
        elif _case == "receiver_out_of_scope":  # A2's worker receiving a letter addressed to B1
            transfer_receive(actor=outsider, transfer=transfer, received_on=D(2024, 3, 5))
        else:  # the sending branch cannot receive its own letter inside the group
            transfer_receive(actor=sender, transfer=transfer, received_on=D(2024, 3, 5))
    assert counts() == before
    assert Transfer.objects.get(pk=transfer.pk).status == "sent"
    assert Member.objects.get(pk=ma.pk).org_id == tree["A1"].pk


def test_bad_letter_input_is_refused_with_the_fields_named(tree, ma, sender):
    before = counts()
    with pytest.raises(DomainError) as exc:
        transfer_initiate(actor=sender, member=ma, kind="internal_out", to_org=tree["B1"], letter_no=" ",
                          issued_on=dt.date(2099, 1, 1), validity_days=0)
    assert errors(exc) == {("transfers.required", "letter_no"), ("transfers.date_in_future", "issued_on"),
                           ("transfers.rule.letter_validity", "validity_days")}
    with pytest.raises(DomainError) as exc:
        transfer_initiate(actor=sender, member=ma, kind="external_out", to_org=None, outside_org_name="",
                          letter_no="x", issued_on=ISSUED)
    assert errors(exc) == {("transfers.required", "outside_org_name")}
    assert counts() == before


def test_receipt_before_the_letter_date_is_refused(ma, receiver, send):
    transfer = send(ma)
    with pytest.raises(DomainError) as exc:
        transfer_receive(actor=receiver, transfer=transfer, received_on=ISSUED - DAY)
    assert errors(exc) == {("transfers.date_too_early", "received_on")}


def test_the_daily_task_expires_letters_as_the_system_on_the_task_channel(ma, send):
    from dangjian.transfers.tasks import expire_letters

    transfer = send(ma)
    result = expire_letters.enqueue(on=(DUE + DAY).isoformat())
    transfer.refresh_from_db()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (result.return_value, transfer.status) == (1, "expired")
    assert (entry.action, entry.actor_id, entry.channel) == ("transfers.expire", None, "task")
