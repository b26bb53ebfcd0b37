"""Development services: applications, order, every rule through the services at its boundaries, the
register written on admission and conversion, scope, and bad input that writes nothing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.development.choices import ConversionOutcome, Stage, StepCode
from dangjian.development.models import Applicant, DevelopmentRule, Pipeline, Step, StepPerson
from dangjian.development.services import (
    applicant_create,
    applicant_update,
    pipeline_close,
    pipelines_refresh_plans,
    rule_update,
    step_record,
)
from dangjian.development.tests.conftest import APPLIED, CALENDAR, NOTICES, VOTES, applicant_fields
from dangjian.members.models import Member
from tests.fixtures import make_id_number

pytestmark = pytest.mark.django_db
S = StepCode
D = dt.date


def counts():
    return (Applicant.objects.count(), Pipeline.objects.count(), Step.objects.count(), StepPerson.objects.count(),
            Member.objects.count(), AuditEntry.objects.count())


def errors(exc):
    return {(e.code, e.field) for e in exc.value.errors}


def last_audit():
    return AuditEntry.objects.order_by("-seq").first()


# --- applications -----------------------------------------------------------------------------------------


def test_application_creates_applicant_pipeline_first_step_and_masked_audit(tree):
    # given
    fields = applicant_fields(tree)
    # when
    pipeline = applicant_create(actor=None, responsible="王书记", **fields)
    # then
    entry = last_audit()
    assert (pipeline.stage, pipeline.applied_on, pipeline.next_step, pipeline.next_due) == (
        Stage.APPLICANT, APPLIED, S.TALK, D(2022, 4, 1))
    assert list(pipeline.steps.values_list("code", "number", "on", "responsible")) == [
        (S.APPLICATION, 1, APPLIED, "王书记")]
    assert entry.action == "development.applicant_create"
    assert entry.org_path == tree["A1"].path
    assert entry.after["applicant"]["id_number"] == pipeline.applicant.id_number_masked
    assert fields["id_number"] not in str(entry.after)
    assert fields["phone"] not in str(entry.after)


def test_application_stores_id_and_phone_encrypted_with_blind_index(tree):
    # given
    fields = applicant_fields(tree)
    # when
    pipeline = applicant_create(actor=None, **fields)
    # then
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM development_applicant WHERE id = %s", [pipeline.applicant_id])
        raw_id, raw_phone = cursor.fetchone()
    assert raw_id.startswith("sm4gcm:1:") and fields["id_number"] not in raw_id
    assert raw_phone.startswith("sm4gcm:1:")
    assert Applicant.objects.get(pk=pipeline.applicant_id).id_number == fields["id_number"]


def test_birth_date_and_gender_default_to_the_id_number(tree):
    # when
    pipeline = applicant_create(actor=None, **{**applicant_fields(tree), "birth_date": None, "gender": ""})
    # then
    assert (pipeline.applicant.birth_date, pipeline.applicant.gender) == (D(1995, 5, 17), "M")


def test_fullwidth_digits_and_spaces_in_the_id_are_normalised(tree):
    # given
    number = applicant_fields(tree)["id_number"]
    full = " " + "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number) + " "
    # when
    pipeline = applicant_create(actor=None, **applicant_fields(tree, id_number=full))
    # then
    assert pipeline.applicant.id_number == number


@pytest.mark.parametrize(
    ("_case", "override", "expected"),
    [
        ("bad_checksum", {"id_number": "320102199505170713"}, {("id_number.checksum", "id_number")}),
        ("birth_mismatch", {"birth_date": D(1995, 5, 18), "id_number": make_id_number(D(1995, 5, 17), 71,
                                                                                        area="320102")},
         {("development.birth_date_mismatch", "birth_date")}),
        ("gender_mismatch", {"gender": "F", "id_number": make_id_number(D(1995, 5, 17), 71, area="320102")},
         {("development.gender_mismatch", "gender")}),
        ("future_application", {"applied_on": D(2099, 1, 1)}, {("development.date_in_future", "applied_on")}),
        ("bad_phone", {"phone": "1370000"}, {("development.phone_invalid", "phone")}),
        ("bad_ethnicity", {"ethnicity": "火星族"}, {("development.invalid", "ethnicity")}),
        ("missing_name", {"name": "  "}, {("development.blank", "name")}),
    ],
)
def test_bad_application_is_refused_with_the_field_named_and_nothing_written(tree, _case, override, expected):
    # given
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        applicant_create(actor=None, **applicant_fields(tree, **override))
    # then
    assert errors(exc) == expected
    assert counts() == before


def test_application_only_at_an_active_branch(tree):
    # given
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        applicant_create(actor=None, **applicant_fields(tree, org=tree["A"]))
    # then
    assert errors(exc) == {("development.org_not_branch", "org")}
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "birth", "applied", "refused_until"),
    [
        ("17_day_before_18th_birthday", D(2004, 5, 17), D(2022, 5, 16), D(2022, 5, 17)),
        ("18th_birthday", D(2004, 5, 17), D(2022, 5, 17), None),
        ("day_after", D(2004, 5, 17), D(2022, 5, 18), None),
        ("feb29_born_feb27", D(2004, 2, 29), D(2022, 2, 27), D(2022, 2, 28)),
        ("feb29_born_feb28", D(2004, 2, 29), D(2022, 2, 28), None),
        ("feb29_born_mar1", D(2004, 2, 29), D(2022, 3, 1), None),
    ],
)
def test_application_needs_18_full_years(tree, _case, birth, applied, refused_until):
    # given
    fields = applicant_fields(tree, birth_date=birth, id_number=make_id_number(birth, 71, area="320102"),
                              applied_on=applied)
    before = counts()
    # when / then
    if refused_until is None:
        assert applicant_create(actor=None, **fields).applied_on == applied
        return
    with pytest.raises(DomainError) as exc:
        applicant_create(actor=None, **fields)
    (error,) = exc.value.errors
    assert (error.code, error.field, error.rule, error.possible_on) == (
        "development.rule.min_age", "applied_on", "min_age", refused_until)
    assert counts() == before


def test_person_in_the_member_register_is_refused(tree, member_factory):
    # given
    member = member_factory("B1")
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        applicant_create(actor=None, **applicant_fields(tree, id_number=member.id_number, birth_date=member.birth_date,
                                                         gender=member.gender))
    # then
    assert errors(exc) == {("development.already_member", "id_number")}
    assert counts() == before


def test_one_open_pipeline_per_person_even_in_another_branch_until_closed(tree):
    # given
    first = applicant_create(actor=None, **applicant_fields(tree))
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        applicant_create(actor=None, **applicant_fields(tree, org=tree["B1"]))
    # then
    assert errors(exc) == {("development.id_number_open_pipeline", "id_number")}
    assert counts() == before
    # when the first one is withdrawn, the person may apply again
    pipeline_close(actor=None, pipeline=first, outcome=Stage.WITHDRAWN, on=D(2022, 6, 1), reason="本人申请撤回")
    again = applicant_create(actor=None, **applicant_fields(tree, org=tree["B1"], applied_on=D(2023, 1, 5)))
    assert again.applicant.org_id == tree["B1"].pk


# --- order and dates ---------------------------------------------------------------------------------------


def test_out_of_order_step_is_refused_naming_the_missing_steps(pipeline_factory):
    # given
    pipeline = pipeline_factory()
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.ACTIVIST_CONFIRM, on=D(2022, 4, 1))
    # then
    (error,) = exc.value.errors
    assert (error.code, error.field) == ("development.step_out_of_order", "code")
    assert "第2步 党组织派人谈话" in error.message
    assert counts() == before


def test_a_step_cannot_be_recorded_twice(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.TALK)
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.TALK, on=D(2022, 3, 20))
    # then
    assert errors(exc) == {("development.step_already_recorded", "code")}
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "on", "expected"),
    [
        ("future", D(2099, 1, 1), {("development.date_in_future", "on")}),
        ("before_application", D(2022, 2, 28), {("development.date_before_previous", "on")}),
    ],
)
def test_step_dates_must_be_past_and_in_sequence(pipeline_factory, _case, on, expected):
    # given
    pipeline = pipeline_factory()
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.TALK, on=on)
    # then
    assert errors(exc) == expected
    assert counts() == before


def test_tomorrow_is_in_the_future_today_is_not(pipeline_factory):
    # given
    from django.utils import timezone

    pipeline = pipeline_factory()
    today = timezone.localdate()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.TALK, on=today + dt.timedelta(days=1))
    step = step_record(actor=None, pipeline=pipeline, code=S.TALK, on=today)
    # then
    assert errors(exc) == {("development.date_in_future", "on")}
    assert step.on == today


@pytest.mark.parametrize(
    ("_case", "talk_on", "warned"),
    [("day_before_deadline", D(2022, 3, 31), False), ("deadline", D(2022, 4, 1), False),
     ("day_after", D(2022, 4, 2), True)],
)
def test_late_talk_is_recorded_with_a_warning(pipeline_factory, _case, talk_on, warned):
    # given
    pipeline = pipeline_factory()
    # when
    step = step_record(actor=None, pipeline=pipeline, code=S.TALK, on=talk_on)
    # then
    assert [w["rule"] for w in step.warnings] == (["talk_deadline"] if warned else [])


# --- activist → development object ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "on", "allowed"),
    [("364_days", D(2023, 3, 31), False), ("365_days", D(2023, 4, 1), True), ("366_days", D(2023, 4, 2), True)],
)
def test_development_object_after_one_year_as_activist(pipeline_factory, advance, _case, on, allowed):
    # given: activist since 2022-04-01
    pipeline = advance(pipeline_factory(), S.ACTIVIST_EDUCATION)
    before = counts()
    # when / then
    if allowed:
        step_record(actor=None, pipeline=pipeline, code=S.CANDIDATE_CONFIRM, on=on,
                    notice_start=D(2023, 3, 20), notice_end=D(2023, 3, 24))
        pipeline.refresh_from_db()
        assert (pipeline.stage, pipeline.candidate_on) == (Stage.CANDIDATE, on)
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CANDIDATE_CONFIRM, on=on,
                    notice_start=D(2023, 3, 20), notice_end=D(2023, 3, 24))
    (error,) = exc.value.errors
    assert (error.code, error.field, error.possible_on) == (
        "development.rule.candidate_min_cultivation", "on", D(2023, 4, 1))
    assert "2023-04-01 起方可列为发展对象" in error.message
    assert "《发展党员工作细则》(2014) 第十三条" in error.message
    assert counts() == before


def test_development_object_needs_the_public_notice(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.ACTIVIST_EDUCATION)
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CANDIDATE_CONFIRM, on=D(2023, 4, 3),
                    notice_start=D(2023, 3, 20), notice_end=D(2023, 3, 23))
    # then
    assert errors(exc) == {("development.rule.public_notice", "notice_end")}
    assert counts() == before


# --- people ---------------------------------------------------------------------------------------------------


def test_introducers_must_be_two_full_members_in_normal_standing(pipeline_factory, advance, people, member_factory):
    # given
    pipeline = advance(pipeline_factory(), S.CANDIDATE_CONFIRM)
    full = people["full"]
    outside = member_factory("B1")
    cases = [
        ([full[1].pk], {("development.rule.introducers", "introducers")}),
        ([full[1].pk, people["probationary"].pk], {("development.person_not_full_member", "introducers")}),
        ([full[1].pk, full[1].pk], {("development.person_duplicate", "introducers")}),
        ([full[1].pk, 999999], {("development.person_not_found", "introducers")}),
    ]
    before = counts()
    # when / then
    for introducers, expected in cases:
        with pytest.raises(DomainError) as exc:
            step_record(actor=None, pipeline=pipeline, code=S.INTRODUCERS, on=D(2023, 4, 6), introducers=introducers)
        assert errors(exc) == expected
    assert counts() == before
    step = step_record(actor=None, pipeline=pipeline, code=S.INTRODUCERS, on=D(2023, 4, 6),
                       introducers=[full[1].pk, outside.pk])
    assert sorted(step.step_people.values_list("member_id", "role")) == sorted(
        [(full[1].pk, "introducer"), (outside.pk, "introducer")])


def test_introducer_outside_the_actors_scope_is_not_found(pipeline_factory, advance, people, member_factory,
                                                          user_factory, tree):
    # given
    secretary = user_factory("sec_a1", "branch_secretary", tree["A1"], scope="org")
    pipeline = advance(pipeline_factory(), S.CANDIDATE_CONFIRM)
    outside = member_factory("B1")
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=secretary, pipeline=pipeline, code=S.INTRODUCERS, on=D(2023, 4, 6),
                    introducers=[people["full"][1].pk, outside.pk])
    # then
    assert errors(exc) == {("development.person_not_found", "introducers")}
    assert counts() == before


def test_one_or_two_cultivation_contacts(pipeline_factory, advance, people):
    # given
    pipeline = advance(pipeline_factory(), S.ACTIVIST_RECORD)
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONTACTS, on=D(2022, 4, 6),
                    contacts=[m.pk for m in people["full"][:3]])
    # then
    assert errors(exc) == {("development.rule.cultivation_contacts", "contacts")}
    assert counts() == before


# --- review, training ----------------------------------------------------------------------------------------


def test_failed_political_review_stops_the_admission(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.TRAINING,
                       overrides={S.POLITICAL_REVIEW: {"review_passed": False, "conclusion": "不合格"}})
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.BRANCH_REVIEW, on=D(2023, 4, 20))
    # then
    (error,) = exc.value.errors
    assert (error.code, error.rule) == ("development.rule.political_review", "political_review")
    assert "第十六条" in error.message
    assert counts() == before


def test_political_review_needs_a_written_conclusion(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.INTRODUCERS)
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.POLITICAL_REVIEW, on=D(2023, 4, 10), review_passed=True,
                    conclusion=" ")
    # then
    assert errors(exc) == {("development.required", "conclusion")}


@pytest.mark.parametrize(
    ("_case", "days", "hours", "allowed"),
    [("2_days_23_hours", 2, 23, False), ("3_days", 3, None, True), ("24_hours", None, 24, True)],
)
def test_training_three_days_or_24_hours(pipeline_factory, advance, _case, days, hours, allowed):
    # given
    pipeline = advance(pipeline_factory(), S.POLITICAL_REVIEW)
    before = counts()
    # when / then
    if allowed:
        step = step_record(actor=None, pipeline=pipeline, code=S.TRAINING, on=D(2023, 4, 12), training_days=days,
                           class_hours=hours)
        assert (step.training_days, step.class_hours) == (days, hours)
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.TRAINING, on=D(2023, 4, 12), training_days=days,
                    class_hours=hours)
    assert errors(exc) == {("development.rule.training_minimum", "training_days")}
    assert counts() == before


# --- admission meeting and approval --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "votes", "expected"),
    [
        ("votes_exceed_attendance", {"attending": 6, "votes_for": 6, "votes_against": 1},
         {("development.votes_exceed_attendance", "votes_for")}),
        ("attendance_exceeds_entitled", {"attending": 11}, {("development.attendance_exceeds_entitled", "attending")}),
        ("written_exceeds_absent", {"attending": 9, "written_opinions": 2},
         {("development.attendance_exceeds_entitled", "written_opinions")}),
        ("no_quorum_exactly_half", {"attending": 5, "votes_for": 5, "votes_against": 0},
         {("development.rule.meeting_quorum", "attending")}),
        ("negative", {"votes_abstain": -1}, {("development.invalid", "votes_abstain")}),
        ("missing", {"entitled": None}, {("development.required", "entitled")}),
    ],
)
def test_bad_meeting_counts_are_refused_and_nothing_written(pipeline_factory, advance, _case, votes, expected):
    # given
    pipeline = advance(pipeline_factory(), S.APPLICATION_FORM)
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_MEETING, on=D(2023, 5, 20), **{**VOTES, **votes})
    # then
    assert errors(exc) == expected
    assert counts() == before


def test_exactly_half_of_the_entitled_does_not_pass_more_than_half_does(pipeline_factory, advance):
    # given: 10 entitled; 9 present; 5 for is more than half of those present but not of the entitled
    pipeline = advance(pipeline_factory(), S.APPLICATION_FORM)
    half = {**VOTES, "attending": 9, "votes_for": 5, "votes_against": 4}
    # when
    failed = step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_MEETING, on=D(2023, 5, 20), **half)
    # then
    assert failed.passed is False
    assert [w["rule"] for w in failed.warnings] == ["vote_majority"]
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.COMMITTEE_TALK, on=D(2023, 5, 25))
    assert errors(exc) == {("development.step_out_of_order", "code")}
    # when the branch meets again and 6 vote for
    passed = step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_MEETING, on=D(2023, 5, 27),
                         **{**half, "votes_for": 6, "votes_against": 3})
    pipeline.refresh_from_db()
    # then
    assert passed.passed is True
    assert pipeline.admission_meeting_on == D(2023, 5, 27)


def test_written_opinions_of_absentees_count(pipeline_factory, advance):
    # given: 10 entitled, 6 present, 2 written opinions in favour
    pipeline = advance(pipeline_factory(), S.APPLICATION_FORM)
    # when
    step = step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_MEETING, on=D(2023, 5, 20), entitled=10,
                       attending=6, written_opinions=2, votes_for=6, votes_against=2, votes_abstain=0)
    # then
    assert step.passed is True


@pytest.mark.parametrize(
    ("_case", "on", "reason", "allowed"),
    [
        ("at_3_months", D(2023, 8, 20), "", True),
        ("day_after_3_months_no_reason", D(2023, 8, 21), "", False),
        ("day_after_3_months_with_reason", D(2023, 8, 21), "上级党委集中审批", True),
        ("at_6_months", D(2023, 11, 20), "上级党委集中审批", True),
        ("day_after_6_months", D(2023, 11, 21), "上级党委集中审批", False),
    ],
)
def test_admission_approval_deadline(pipeline_factory, advance, _case, on, reason, allowed):
    # given: the branch resolution of 2023-05-20
    pipeline = advance(pipeline_factory(), S.COMMITTEE_TALK)
    before = counts()
    # when / then
    if allowed:
        step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_APPROVAL, on=on, approver="甲公司党委",
                    extension_reason=reason)
        pipeline.refresh_from_db()
        assert (pipeline.stage, pipeline.admitted_on) == (Stage.PROBATIONARY, on)
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_APPROVAL, on=on, approver="甲公司党委",
                    extension_reason=reason)
    (error,) = exc.value.errors
    assert error.code == "development.rule.admission_approval_deadline"
    assert counts() == before


def test_admission_creates_the_probationary_member_through_the_register(pipeline_factory, advance, tree):
    # given
    pipeline = advance(pipeline_factory(), S.COMMITTEE_TALK)
    members_before = Member.objects.count()
    # when
    step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_APPROVAL, on=D(2023, 6, 15), approver="甲公司党委")
    # then
    pipeline.refresh_from_db()
    member = pipeline.member
    applicant = pipeline.applicant
    assert Member.objects.count() == members_before + 1
    assert (member.name, member.id_number, member.birth_date, member.gender, member.phone, member.org_id) == (
        applicant.name, applicant.id_number, applicant.birth_date, applicant.gender, applicant.phone, tree["A1"].pk)
    assert (member.category, member.joined_on, member.full_member_on) == ("probationary", D(2023, 5, 20), None)
    assert pipeline.probation_end == D(2024, 5, 20)
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["development.admit", "members.create"]


def test_admission_not_approved_closes_the_pipeline_without_a_member(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.COMMITTEE_TALK)
    members_before = Member.objects.count()
    # when
    step_record(actor=None, pipeline=pipeline, code=S.ADMISSION_APPROVAL, on=D(2023, 6, 15), approver="甲公司党委",
                approved=False)
    # then
    pipeline.refresh_from_db()
    assert (pipeline.stage, pipeline.closed_on, pipeline.member_id) == (Stage.CANCELLED, D(2023, 6, 15), None)
    assert pipeline.applicant.is_open is False
    assert Member.objects.count() == members_before
    assert last_audit().action == "development.admission_reject"


# --- probation and conversion -------------------------------------------------------------------------------


def test_full_pipeline_to_full_member_with_party_age_from_the_end_of_probation(pipeline_factory, advance, tree):
    # given
    pipeline = pipeline_factory()
    # when
    pipeline = advance(pipeline, S.ARCHIVE, overrides={S.PLACEMENT: {"party_group": tree["A1G1"].pk}})
    # then
    member = Member.objects.get(pk=pipeline.member_id)
    assert (pipeline.stage, pipeline.full_on, pipeline.next_step, pipeline.next_due) == (
        Stage.FULL, D(2024, 5, 20), "", None)
    assert (member.category, member.status, member.joined_on, member.full_member_on, member.party_group_id) == (
        "full", "normal", D(2023, 5, 20), D(2024, 5, 20), tree["A1G1"].pk)
    assert pipeline.steps.count() == 25
    assert pipeline.applicant.is_open is False
    dev_actions = list(AuditEntry.objects.filter(action__startswith="development.").order_by("seq")
                       .values_list("action", flat=True))
    assert dev_actions == ["development.applicant_create", *["development.step_record"] * 15, "development.admit",
                           *["development.step_record"] * 6, "development.convert", "development.step_record"]
    convert = AuditEntry.objects.get(action="development.convert")
    assert (convert.before["stage"], convert.after["stage"], convert.after["full_on"]) == (
        "probationary", "full", "2024-05-20")


@pytest.mark.parametrize(
    ("_case", "on", "allowed"),
    [("day_before_end", D(2024, 5, 19), False), ("day_of_end", D(2024, 5, 20), True),
     ("day_after_end", D(2024, 5, 21), True)],
)
def test_conversion_meeting_not_before_the_probation_ends(pipeline_factory, advance, _case, on, allowed):
    # given
    pipeline = advance(pipeline_factory(), S.CONVERSION_APPLICATION)
    data = {**VOTES, "conversion_outcome": ConversionOutcome.ON_TIME, "notice_start": NOTICES[S.CONVERSION_MEETING][0],
            "notice_end": NOTICES[S.CONVERSION_MEETING][1]}
    before = counts()
    # when / then
    if allowed:
        assert step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=on, **data).passed is True
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=on, **data)
    (error,) = exc.value.errors
    assert (error.code, error.possible_on) == ("development.rule.probation_length", D(2024, 5, 20))
    assert "2024-05-20 起方可讨论转正" in error.message
    assert counts() == before


@pytest.mark.parametrize(
    ("_case", "months", "allowed"),
    [("5_months", 5, False), ("6_months", 6, True), ("12_months", 12, True), ("13_months", 13, False)],
)
def test_extension_by_6_to_12_months(pipeline_factory, advance, _case, months, allowed):
    # given
    pipeline = advance(pipeline_factory(), S.CONVERSION_APPLICATION)
    data = {**VOTES, "notice_start": D(2024, 5, 6), "notice_end": D(2024, 5, 10),
            "conversion_outcome": ConversionOutcome.EXTEND, "extension_months": months}
    before = counts()
    # when / then
    if allowed:
        step = step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=D(2024, 5, 20), **data)
        assert step.extension_months == months
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=D(2024, 5, 20), **data)
    assert errors(exc) == {("development.rule.probation_extension", "extension_months")}
    assert counts() == before


def test_extension_moves_probation_end_once_then_converts_on_the_new_end(pipeline_factory, advance):
    # given: probation to 2024-05-20, extended by 6 months
    pipeline = advance(pipeline_factory(), S.CONVERSION_MEETING, overrides={
        S.CONVERSION_MEETING: {"conversion_outcome": ConversionOutcome.EXTEND, "extension_months": 6}})
    # when
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=D(2024, 6, 10), approver="甲公司党委")
    pipeline.refresh_from_db()
    # then
    assert (pipeline.stage, pipeline.extension_months, pipeline.probation_end) == (
        Stage.PROBATIONARY, 6, D(2024, 11, 20))
    assert last_audit().action == "development.probation_extend"
    # a second round: a new application, then a meeting not before the new end, and no second extension
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPLICATION, on=D(2024, 11, 1))
    data = {**VOTES, "notice_start": D(2024, 11, 11), "notice_end": D(2024, 11, 15)}
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=D(2024, 11, 19),
                    conversion_outcome=ConversionOutcome.ON_TIME, **data)
    assert errors(exc) == {("development.rule.probation_length", "on")}
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=D(2024, 11, 20),
                    conversion_outcome=ConversionOutcome.EXTEND, extension_months=6, **data)
    assert errors(exc) == {("development.rule.probation_extension", "conversion_outcome")}
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_MEETING, on=D(2024, 11, 20),
                conversion_outcome=ConversionOutcome.ON_TIME, **data)
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=D(2024, 12, 5), approver="甲公司党委")
    pipeline.refresh_from_db()
    member = pipeline.member
    assert (pipeline.stage, member.category, member.joined_on, member.full_member_on) == (
        Stage.FULL, "full", D(2023, 5, 20), D(2024, 11, 20))


def test_cancelled_probation_closes_the_pipeline_and_the_register_entry(pipeline_factory, advance):
    # given
    pipeline = advance(pipeline_factory(), S.CONVERSION_MEETING, overrides={
        S.CONVERSION_MEETING: {"conversion_outcome": ConversionOutcome.CANCEL}})
    # when
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=D(2024, 6, 10), approver="甲公司党委")
    # then
    pipeline.refresh_from_db()
    assert (pipeline.stage, pipeline.closed_on, pipeline.member.status, pipeline.member.category) == (
        Stage.CANCELLED, D(2024, 6, 10), "expelled", "probationary")
    assert pipeline.applicant.is_open is False
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.ARCHIVE, on=D(2024, 6, 20))
    assert errors(exc) == {("development.pipeline_closed", "code")}


@pytest.mark.parametrize(
    ("_case", "on", "allowed"),
    [("at_3_months", D(2024, 8, 20), True), ("day_after_3_months", D(2024, 8, 21), False)],
)
def test_conversion_approval_within_3_months(pipeline_factory, advance, _case, on, allowed):
    # given: the conversion resolution of 2024-05-20
    pipeline = advance(pipeline_factory(), S.CONVERSION_MEETING)
    # when / then
    if allowed:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=on, approver="甲公司党委")
        assert Member.objects.get(pk=pipeline.member_id).full_member_on == D(2024, 5, 20)
        return
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=on, approver="甲公司党委",
                    extension_reason="特殊情况")
    assert errors(exc) == {("development.rule.conversion_approval_deadline", "on")}
    assert Member.objects.get(pk=pipeline.member_id).category == "probationary"


# --- scope -----------------------------------------------------------------------------------------------------


def test_branch_a_secretary_cannot_act_on_branch_b(pipeline_factory, advance, user_factory, tree):
    # given
    secretary = user_factory("sec_a1", "branch_secretary", tree["A1"], scope="org")
    theirs = pipeline_factory("B1")
    before = counts()
    # when / then
    with pytest.raises(Http404):
        step_record(actor=secretary, pipeline=theirs, code=S.TALK, on=D(2022, 3, 10))
    with pytest.raises(Http404):
        pipeline_close(actor=secretary, pipeline=theirs, outcome=Stage.WITHDRAWN, on=D(2022, 3, 10), reason="x")
    with pytest.raises(Http404):
        applicant_update(actor=secretary, applicant=theirs.applicant, job_title="工程师")
    with pytest.raises(Http404):
        applicant_create(actor=secretary, **applicant_fields(tree, org=tree["B1"],
                                                              id_number=make_id_number(D(1990, 1, 1), 5)))
    assert counts() == before
    mine = pipeline_factory("A1", actor=secretary)
    assert step_record(actor=secretary, pipeline=mine, code=S.TALK, on=D(2022, 3, 10)).recorded_by == secretary


def test_view_only_role_cannot_record_steps(pipeline_factory, user_factory, tree):
    # given
    viewer = user_factory("cs", "committee_secretary", tree["A"])
    pipeline = pipeline_factory("A1")
    before = counts()
    # when / then
    with pytest.raises(Http404):
        step_record(actor=viewer, pipeline=pipeline, code=S.TALK, on=D(2022, 3, 10))
    assert counts() == before


# --- applicant corrections, closing ------------------------------------------------------------------------


def test_applicant_update_audits_masked_before_and_after(pipeline_factory):
    # given
    pipeline = pipeline_factory()
    # when
    applicant = applicant_update(actor=None, applicant=pipeline.applicant, phone="13911112222", job_title="工程师")
    # then
    entry = last_audit()
    assert (applicant.phone, applicant.job_title) == ("13911112222", "工程师")
    assert entry.action == "development.applicant_update"
    assert (entry.before["job_title"], entry.after["job_title"]) == ("技术员", "工程师")
    assert entry.after["phone"] == "139****2222"


def test_closing_needs_a_reason_and_stops_further_steps(pipeline_factory):
    # given
    pipeline = pipeline_factory()
    before = counts()
    # when
    with pytest.raises(DomainError) as exc:
        pipeline_close(actor=None, pipeline=pipeline, outcome=Stage.WITHDRAWN, on=D(2022, 3, 5), reason=" ")
    # then
    assert errors(exc) == {("development.required", "reason")}
    assert counts() == before
    pipeline_close(actor=None, pipeline=pipeline, outcome=Stage.WITHDRAWN, on=D(2022, 3, 5), reason="本人撤回")
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.TALK, on=D(2022, 3, 10))
    assert errors(exc) == {("development.pipeline_closed", "code")}


# --- rules as data ----------------------------------------------------------------------------------------------


def test_rules_are_seeded_from_the_defaults_with_citations(db):
    rows = {r.code: r for r in DevelopmentRule.objects.all()}
    assert len(rows) == 19
    assert rows["candidate_min_cultivation"].params == {"years": 1}
    assert rows["public_notice"].params["days"] == 5
    assert "第十三条" in rows["candidate_min_cultivation"].citation


def test_rule_change_applies_to_the_next_step_and_is_audited(pipeline_factory, advance, user_factory, tree):
    # given: a province requiring 3 months between application and activist
    admin = user_factory("admin", "sysadmin", None, scope="all")
    pipeline = advance(pipeline_factory(), S.TALK)
    # when
    rule_update(actor=admin, code="activist_min_wait", params={"months": 3}, reason="省委组织部规定")
    # then
    entry = last_audit()
    assert (entry.action, entry.before["params"], entry.after["params"]) == (
        "development.rule_update", {"months": 0}, {"months": 3})
    with pytest.raises(DomainError) as exc:
        step_record(actor=None, pipeline=pipeline, code=S.ACTIVIST_CONFIRM, on=D(2022, 5, 31))
    assert [e.possible_on for e in exc.value.errors] == [D(2022, 6, 1)]
    assert step_record(actor=None, pipeline=pipeline, code=S.ACTIVIST_CONFIRM, on=D(2022, 6, 1)).number == 3


def test_rule_change_needs_the_configure_permission_and_valid_params(user_factory, tree):
    # given
    secretary = user_factory("sec", "branch_secretary", tree["A1"])
    admin = user_factory("admin", "sysadmin", None, scope="all")
    before = AuditEntry.objects.count()
    # when / then
    with pytest.raises(PermissionDenied):
        rule_update(actor=secretary, code="min_age", params={"years": 16}, reason="x")
    with pytest.raises(DomainError) as exc:
        rule_update(actor=admin, code="min_age", params={"years": "十八"}, reason="x")
    assert errors(exc) == {("development.rule_params_invalid", "params")}
    assert DevelopmentRule.objects.get(code="min_age").params == {"years": 18}
    assert AuditEntry.objects.count() == before


def test_refresh_plans_recomputes_stored_deadlines_after_a_rule_change(pipeline_factory):
    # given: talk due 1 month after 2022-03-01
    pipeline = pipeline_factory()
    DevelopmentRule.objects.filter(code="talk_deadline").update(params={"months": 2})
    # when
    changed = pipelines_refresh_plans()
    again = pipelines_refresh_plans()
    # then
    pipeline.refresh_from_db()
    assert (changed, again, pipeline.next_due) == (1, 0, D(2022, 5, 1))


def test_calendar_dates_of_the_fixture_respect_every_rule():
    assert all(day <= D(2024, 6, 20) for day in CALENDAR.values())


def test_rule_change_enqueues_the_refresh_of_stored_deadlines(pipeline_factory, user_factory,
                                                              django_capture_on_commit_callbacks):
    # given: talk due 1 month after 2022-03-01
    admin = user_factory("admin", "sysadmin", None, scope="all")
    pipeline = pipeline_factory()
    # when: the committed rule change runs its subscribers (the task backend in tests is immediate)
    with django_capture_on_commit_callbacks(execute=True):
        rule_update(actor=admin, code="talk_deadline", params={"months": 2}, reason="省委组织部规定")
    # then
    pipeline.refresh_from_db()
    assert pipeline.next_due == D(2022, 5, 1)


def test_data_migration_adds_the_permissions_to_existing_roles_once(db):
    # given: roles as an installation seeded before this app existed
    import importlib

    from django.apps import apps as django_apps

    from dangjian.accounts.models import Role

    migration = importlib.import_module("dangjian.development.migrations.0003_role_permissions")
    for role in Role.objects.all():
        role.permissions = [p for p in role.permissions if not p.startswith("development.")]
        role.save(update_fields=["permissions"])
    # when
    migration.Migration.operations[0].code(django_apps, None)
    migration.Migration.operations[0].code(django_apps, None)
    # then
    perms = {r.code: sorted(p for p in r.permissions if p.startswith("development.")) for r in Role.objects.all()}
    assert perms == {
        "sysadmin": ["development.change", "development.configure", "development.view"],
        "org_dept": ["development.change", "development.view"],
        "committee_secretary": ["development.view"],
        "branch_secretary": ["development.change", "development.view"],
        "party_worker": ["development.change", "development.view"],
        "auditor": [],
        "member": [],
    }
