"""The member status machine of DOMAIN §6 through its service: every transition, the time thresholds
at their boundaries (6 months of lost contact, 2 years after suspension, the 6-month mobile limit),
illegal moves naming what is possible, decisions recorded, and nothing written on refusal."""
import datetime as dt

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.transfers.models import ContactSearch, StatusChange
from dangjian.transfers.services import contact_search_record, member_status_change

pytestmark = pytest.mark.django_db
D = dt.date
DAY = dt.timedelta(days=1)
LOST = D(2023, 8, 31)  # contact lost; 6 months later is 2024-02-29 (a leap year's month end)
SUSPENDED = D(2022, 2, 28)  # 2 years later is 2024-02-28
DECISION = {"decision_doc": "甲一支〔2024〕2号", "decided_by": "甲公司党委"}


def counts():
    return (StatusChange.objects.count(), ContactSearch.objects.count(), AuditEntry.objects.count())


def errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def status_of(member):
    return Member.objects.get(pk=member.pk).status


@pytest.fixture
def lost(ma, sender):
    """A1's member, out of contact since 2023-08-31, searched for on 2023-10-10."""
    member_status_change(actor=sender, member=ma, transition="lose_contact", effective_on=LOST, reason="电话停机")
    contact_search_record(actor=sender, member=ma, searched_on=D(2023, 10, 10), method="走访家属、原单位")
    return ma


@pytest.fixture
def suspended(ma, sender):
    """A1's member, lost since 2021-07-01, searched, suspended on 2022-02-28."""
    member_status_change(actor=sender, member=ma, transition="lose_contact", effective_on=D(2021, 7, 1))
    contact_search_record(actor=sender, member=ma, searched_on=D(2021, 9, 1), method="登报寻找")
    member_status_change(actor=sender, member=ma, transition="suspend", effective_on=SUSPENDED, **DECISION)
    return ma


def test_going_mobile_records_destination_return_and_certificate(tree, ma, sender):
    # given
    before = AuditEntry.objects.count()
    # when
    change = member_status_change(actor=sender, member=ma, transition="go_mobile", effective_on=D(2024, 3, 1),
                                  destination="深圳市南山区某项目部", expected_return=D(2024, 8, 31),
                                  certificate_no="LD-2024-0012", reason="项目外派")
    # then
    assert (change.from_status, change.to_status, change.org_id, change.recorded_by_id, change.backfilled) == (
        "normal", "mobile", tree["A1"].pk, sender.pk, False)
    assert (change.destination, change.expected_return, change.certificate_no) == (
        "深圳市南山区某项目部", D(2024, 8, 31), "LD-2024-0012")
    assert status_of(ma) == "mobile"
    entries = list(AuditEntry.objects.filter(seq__gt=0).order_by("seq")[before:])
    assert [(e.action, e.actor_id, e.org_path) for e in entries] == [
        ("members.update", sender.pk, tree["A1"].path), ("transfers.status_change", sender.pk, tree["A1"].path)]
    assert (entries[0].before["status"], entries[0].after["status"]) == ("normal", "mobile")
    assert entries[1].after["transition"] == "go_mobile" and entries[1].after["expected_return"] == "2024-08-31"
    # and back
    back = member_status_change(actor=sender, member=ma, transition="return", effective_on=D(2024, 8, 20))
    assert (back.from_status, back.to_status, status_of(ma)) == ("mobile", "normal", "normal")


@pytest.mark.parametrize(
    ("_case", "expected_return", "reason", "ok"),
    [
        ("day_before_6_months", D(2024, 2, 28), "", True),
        ("6_months", D(2024, 2, 29), "", False),
        ("6_months_with_reason", D(2024, 2, 29), "派驻单位无党组织，无法转接", True),
    ],
)
def test_away_6_months_or_more_needs_the_reason_it_cannot_be_transferred(ma, sender, _case, expected_return,
                                                                          reason, ok):
    # given: leaving on 2023-08-31, 6 months end on 2024-02-29
    before = counts()
    call = {"actor": sender, "member": ma, "transition": "go_mobile", "effective_on": D(2023, 8, 31),
            "destination": "外地", "expected_return": expected_return, "reason": reason}
    if ok:
        assert member_status_change(**call).to_status == "mobile"
        return
    with pytest.raises(DomainError) as exc:
        member_status_change(**call)
    (error,) = exc.value.errors
    assert (error.code, error.field) == ("transfers.rule.mobile_max_away", "expected_return")
    assert "第二十五条" in error.citation
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "on", "ok"),
    [("day_before_6_months", D(2024, 2, 28), False), ("6_months", D(2024, 2, 29), True),
     ("day_after", D(2024, 3, 1), True)],
)
def test_suspension_after_6_months_of_lost_contact_at_the_boundary(lost, sender, _case, on, ok):
    before = counts()
    call = dict(actor=sender, member=lost, transition="suspend", effective_on=on, **DECISION)
    if ok:
        change = member_status_change(**call)
        assert (change.from_status, change.to_status, change.decision_doc, change.decided_by) == (
            "lost", "suspended", "甲一支〔2024〕2号", "甲公司党委")
        assert status_of(lost) == "suspended"
        return
    with pytest.raises(DomainError) as exc:
        member_status_change(**call)
    (error,) = exc.value.errors
    assert (error.code, error.field, error.rule, error.possible_on) == (
        "transfers.rule.lost_contact_suspension", "effective_on", "lost_contact_suspension", D(2024, 2, 29))
    assert error.as_dict()["citation"] == "DOMAIN §6 失联: 《中国共产党党员教育管理工作条例》(2019) 第二十四条"
    assert "2024-02-29 起方可停止党籍" in error.message
    assert counts() == before
    assert status_of(lost) == "lost"


def test_suspension_needs_a_search_recorded_since_contact_was_lost(ma, sender):
    # given: lost more than six months ago, never searched for
    member_status_change(actor=sender, member=ma, transition="lose_contact", effective_on=LOST)
    before = counts()
    # when / then
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=ma, transition="suspend", effective_on=D(2024, 3, 1), **DECISION)
    assert errors(exc) == {("transfers.rule.lost_contact_suspension", "searches")}
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "transition", "on", "ok", "possible_on"),
    [
        ("restore_day_before_2_years", "restore", D(2024, 2, 27), True, None),
        ("restore_on_2_years", "restore", D(2024, 2, 28), False, None),
        ("remove_day_before_2_years", "remove", D(2024, 2, 27), False, D(2024, 2, 28)),
        ("remove_on_2_years", "remove", D(2024, 2, 28), True, None),
        ("remove_day_after", "remove", D(2024, 2, 29), True, None),
    ],
)
def test_restoration_within_and_removal_after_2_years_of_suspension(suspended, sender, _case, transition, on, ok,
                                                                   possible_on):
    before = counts()
    call = dict(actor=sender, member=suspended, transition=transition, effective_on=on, **DECISION)
    if ok:
        change = member_status_change(**call)
        assert status_of(suspended) == {"restore": "normal", "remove": "expelled"}[transition]
        assert (change.from_status, change.decision_doc) == ("suspended", "甲一支〔2024〕2号")
        return
    with pytest.raises(DomainError) as exc:
        member_status_change(**call)
    (error,) = exc.value.errors
    assert (error.code, error.field, error.possible_on) == (
        "transfers.rule.suspension_removal", "effective_on", possible_on)
    assert counts() == before
    assert status_of(suspended) == "suspended"


@pytest.mark.parametrize(
    ("_case", "status", "transition", "possible"),
    [
        ("normal_cannot_be_suspended", "normal", "suspend", "外出流动、失去联系、去世"),
        ("normal_cannot_be_removed", "normal", "remove", "外出流动、失去联系、去世"),
        ("lost_cannot_return", "lost", "return", "恢复联系、停止党籍、去世"),
        ("expelled_is_final", "expelled", "restore", "无"),
        ("deceased_is_final", "deceased", "regain_contact", "无"),
    ],
)
def test_illegal_transitions_are_refused_naming_what_is_possible(member_factory, sender, _case, status,
                                                                 transition, possible):
    member = member_factory("A1", status=status)
    # a recorded move into that status, so no 补录 applies
    StatusChange.objects.create(member=member, org=member.org, transition="lose_contact", from_status="normal",
                                to_status=status, effective_on=D(2020, 1, 1))
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=member, transition=transition, effective_on=D(2024, 1, 1),
                             **DECISION)
    (error,) = exc.value.errors
    assert (error.code, error.field) == ("transfers.status_transition", "transition")
    assert f"（可办理：{possible}；DOMAIN §6" in error.message
    assert counts() == before


def test_decisions_need_the_document_and_the_approver(lost, sender):
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=lost, transition="suspend", effective_on=D(2024, 3, 1))
    assert errors(exc) == {("transfers.required", "decision_doc"), ("transfers.required", "decided_by")}
    assert counts() == before


def test_moves_are_chronological_and_mobile_fields_belong_to_going_mobile(lost, sender):
    before = counts()
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=lost, transition="regain_contact", effective_on=LOST - DAY,
                             destination="外地")
    assert errors(exc) == {("transfers.date_too_early", "effective_on"), ("transfers.invalid", "destination")}
    assert counts() == before


def test_a_lost_status_from_an_import_is_backfilled_once_then_the_rules_apply(member_factory, sender):
    # given: the register says 失联 but no move was ever recorded
    member = member_factory("A1", status="lost")
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=member, transition="suspend", effective_on=D(2024, 3, 1), **DECISION)
    assert errors(exc) == {("transfers.history_missing", "transition")}
    # when: the date contact was lost is recorded (补录)
    change = member_status_change(actor=sender, member=member, transition="lose_contact", effective_on=LOST)
    contact_search_record(actor=sender, member=member, searched_on=D(2023, 9, 5), method="电话")
    # then
    assert (change.from_status, change.to_status, change.backfilled, status_of(member)) == (
        "lost", "lost", True, "lost")
    with pytest.raises(DomainError) as exc:
        member_status_change(actor=sender, member=member, transition="lose_contact", effective_on=LOST)
    assert errors(exc) == {("transfers.status_transition", "transition")}
    assert member_status_change(actor=sender, member=member, transition="suspend", effective_on=D(2024, 2, 29),
                                **DECISION).to_status == "suspended"


def test_death_is_recorded_from_any_status_in_the_register(lost, sender):
    change = member_status_change(actor=sender, member=lost, transition="decease", effective_on=D(2024, 1, 2))
    assert (change.from_status, change.to_status, status_of(lost)) == ("lost", "deceased", "deceased")


def test_out_of_scope_status_changes_and_searches_are_not_found(tree, mb, sender):
    before = counts()
    with pytest.raises(Http404):
        member_status_change(actor=sender, member=mb, transition="lose_contact", effective_on=LOST)
    with pytest.raises(Http404):
        contact_search_record(actor=sender, member=mb, searched_on=LOST, method="电话")
    assert counts() == before
    assert status_of(mb) == "normal"


def test_searches_are_recorded_for_lost_members_only_and_not_before_contact_was_lost(ma, sender):
    with pytest.raises(DomainError) as exc:
        contact_search_record(actor=sender, member=ma, searched_on=D(2024, 1, 1), method="电话")
    assert errors(exc) == {("transfers.member_status", "member")}
    member_status_change(actor=sender, member=ma, transition="lose_contact", effective_on=LOST)
    before = counts()
    with pytest.raises(DomainError) as exc:
        contact_search_record(actor=sender, member=ma, searched_on=LOST - DAY, method=" ")
    assert errors(exc) == {("transfers.required", "method"), ("transfers.date_too_early", "searched_on")}
    assert counts() == before
    search = contact_search_record(actor=sender, member=ma, searched_on=LOST, method="电话", result="无人接听")
    assert AuditEntry.objects.order_by("-seq").first().after == {
        "id": search.pk, "member_id": ma.pk, "searched_on": "2023-08-31", "method": "电话", "result": "无人接听"}
