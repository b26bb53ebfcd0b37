"""Every rule of DOMAIN §5 at its boundaries: the day before, the day of, the day after (no database)."""
import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.development.choices import NoticeUnit, Severity, StepCode
from dangjian.development.rules import (
    DEFAULT_RULES,
    RuleCode,
    approval_deadlines,
    check_activist_wait,
    check_approval_deadline,
    check_candidate_cultivation,
    check_contacts,
    check_conversion_meeting,
    check_extension,
    check_introducers,
    check_min_age,
    check_notice,
    check_oath,
    check_quorum,
    check_talk,
    check_training,
    count_notice_days,
    probation_end,
    validate_params,
    vote_passes,
)
from dangjian.development.rules import RULES as DEFAULTS

D = dt.date
RULES = DEFAULTS.defaults()


def rule(code, **params):
    base = RULES[code]
    return dataclasses.replace(base, params={**base.params, **params})


def outcome(violation):
    """``None`` when allowed, else (field, possible_on, is_warning)."""
    if violation is None:
        return None
    return violation.field, violation.possible_on, violation.warning


def test_every_rule_has_a_domain_citation_and_a_known_severity():
    # given / when
    codes = [r.code for r in DEFAULT_RULES]
    # then
    assert len(codes) == len(set(codes)) == 19
    assert all(r.citation.startswith("DOMAIN §5") for r in DEFAULT_RULES)
    assert {r.severity for r in DEFAULT_RULES} == {Severity.BLOCK, Severity.WARN}


@pytest.mark.parametrize(
    ("_case", "birth", "applied", "expected"),
    [
        ("17_day_before_birthday", D(2004, 5, 17), D(2022, 5, 16), ("applied_on", D(2022, 5, 17), False)),
        ("18_on_birthday", D(2004, 5, 17), D(2022, 5, 17), None),
        ("18_day_after", D(2004, 5, 17), D(2022, 5, 18), None),
        ("feb29_born_day_before", D(2004, 2, 29), D(2022, 2, 27), ("applied_on", D(2022, 2, 28), False)),
        ("feb29_born_feb28_non_leap", D(2004, 2, 29), D(2022, 2, 28), None),
        ("feb29_born_mar1", D(2004, 2, 29), D(2022, 3, 1), None),
        ("feb29_born_leap_18th", D(2008, 2, 29), D(2026, 2, 28), None),
        ("feb29_born_leap_18th_day_before", D(2008, 2, 29), D(2026, 2, 27), ("applied_on", D(2026, 2, 28), False)),
    ],
)
def test_min_age_18_on_the_application_date(_case, birth, applied, expected):
    # when
    result = check_min_age(RULES[RuleCode.MIN_AGE], birth_date=birth, applied_on=applied)
    # then
    assert outcome(result) == expected


def test_min_age_message_names_rule_citation_and_date():
    # when
    result = check_min_age(RULES[RuleCode.MIN_AGE], birth_date=D(2004, 5, 17), applied_on=D(2022, 5, 16))
    # then
    assert result.code == "development.rule.min_age"
    assert result.rule == "min_age"
    assert "2022-05-17 起方可递交入党申请" in result.message
    assert "党章第一条" in result.message
    assert result.as_dict()["possible_on"] == "2022-05-17"


@pytest.mark.parametrize(
    ("_case", "talk_on", "expected"),
    [
        ("day_before_deadline", D(2026, 2, 27), None),
        ("deadline_month_end", D(2026, 2, 28), None),  # 2026-01-31 + 1 month
        ("day_after_is_a_warning", D(2026, 3, 1), ("on", None, True)),
    ],
)
def test_talk_within_one_month_is_a_warning_not_a_block(_case, talk_on, expected):
    # when
    result = check_talk(RULES[RuleCode.TALK_DEADLINE], applied_on=D(2026, 1, 31), talk_on=talk_on)
    # then
    assert outcome(result) == expected


@pytest.mark.parametrize(
    ("_case", "months", "on", "expected"),
    [
        ("default_no_wait", 0, D(2022, 3, 1), None),
        ("configured_3_day_before", 3, D(2022, 5, 31), ("on", D(2022, 6, 1), False)),
        ("configured_3_day_of", 3, D(2022, 6, 1), None),
        ("configured_3_day_after", 3, D(2022, 6, 2), None),
    ],
)
def test_activist_minimum_wait_is_configurable(_case, months, on, expected):
    # when
    result = check_activist_wait(rule(RuleCode.ACTIVIST_MIN_WAIT, months=months), applied_on=D(2022, 3, 1), on=on)
    # then
    assert outcome(result) == expected


@pytest.mark.parametrize(
    ("_case", "activist_on", "on", "expected"),
    [
        ("364_days", D(2022, 3, 1), D(2023, 2, 28), ("on", D(2023, 3, 1), False)),
        ("365_days_anniversary", D(2022, 3, 1), D(2023, 3, 1), None),
        ("366_days", D(2022, 3, 1), D(2023, 3, 2), None),
        # across 2024-02-29: 365 days later is still the day before the anniversary
        ("365_days_over_leap_day", D(2023, 3, 1), D(2024, 2, 29), ("on", D(2024, 3, 1), False)),
        ("366_days_over_leap_day", D(2023, 3, 1), D(2024, 3, 1), None),
        ("from_feb29_day_before", D(2024, 2, 29), D(2025, 2, 27), ("on", D(2025, 2, 28), False)),
        ("from_feb29_anniversary", D(2024, 2, 29), D(2025, 2, 28), None),
    ],
)
def test_one_year_as_activist_before_development_object(_case, activist_on, on, expected):
    # when
    result = check_candidate_cultivation(RULES[RuleCode.CANDIDATE_MIN_CULTIVATION], activist_on=activist_on, on=on)
    # then
    assert outcome(result) == expected


def test_cultivation_message_says_when_it_becomes_possible():
    # when
    result = check_candidate_cultivation(RULES[RuleCode.CANDIDATE_MIN_CULTIVATION], activist_on=D(2025, 3, 1),
                                         on=D(2026, 2, 28))
    # then
    assert "2026-03-01 起方可列为发展对象" in result.message
    assert "第十三条" in result.message


@pytest.mark.parametrize(("count", "allowed"), [(0, False), (1, True), (2, True), (3, False)])
def test_one_or_two_cultivation_contacts(count, allowed):
    assert (check_contacts(RULES[RuleCode.CULTIVATION_CONTACTS], count=count) is None) is allowed


@pytest.mark.parametrize(("count", "allowed"), [(1, False), (2, True), (3, False)])
def test_exactly_two_introducers(count, allowed):
    assert (check_introducers(RULES[RuleCode.INTRODUCERS], count=count) is None) is allowed


@pytest.mark.parametrize(
    ("_case", "days", "hours", "allowed"),
    [
        ("2_days_23_hours", 2, 23, False),
        ("3_days", 3, None, True),
        ("24_hours", None, 24, True),
        ("2_days_24_hours", 2, 24, True),
        ("3_days_0_hours", 3, 0, True),
        ("nothing", None, None, False),
    ],
)
def test_training_three_days_or_24_class_hours(_case, days, hours, allowed):
    assert (check_training(RULES[RuleCode.TRAINING_MINIMUM], days=days, class_hours=hours) is None) is allowed


@pytest.mark.parametrize(
    ("_case", "entitled", "attending", "quorate"),
    [
        ("exactly_half", 10, 5, False),
        ("more_than_half", 10, 6, True),
        ("odd_below", 9, 4, False),
        ("odd_above", 9, 5, True),
        ("nobody_entitled", 0, 0, False),
    ],
)
def test_quorum_more_than_half_of_those_entitled(_case, entitled, attending, quorate):
    assert (check_quorum(RULES[RuleCode.MEETING_QUORUM], entitled=entitled, attending=attending) is None) is quorate


@pytest.mark.parametrize(
    ("_case", "entitled", "votes_for", "passes"),
    [
        ("exactly_half", 10, 5, False),
        ("more_than_half", 10, 6, True),
        ("odd_below", 9, 4, False),
        ("odd_above", 9, 5, True),
    ],
)
def test_vote_passes_with_more_than_half_of_the_entitled_not_the_present(_case, entitled, votes_for, passes):
    assert vote_passes(RULES[RuleCode.VOTE_MAJORITY], entitled=entitled, votes_for=votes_for) is passes


@pytest.mark.parametrize(
    ("_case", "on", "reason", "expected"),
    [
        ("at_3_months", D(2023, 8, 20), "", None),
        ("day_after_3_months_without_reason", D(2023, 8, 21), "", ("extension_reason", None, False)),
        ("day_after_3_months_with_reason", D(2023, 8, 21), "上级党委集中审批", None),
        ("at_6_months_with_reason", D(2023, 11, 20), "上级党委集中审批", None),
        ("day_after_6_months", D(2023, 11, 21), "上级党委集中审批", ("on", None, False)),
    ],
)
def test_admission_approval_within_3_months_extendable_never_beyond_6(_case, on, reason, expected):
    # when
    result = check_approval_deadline(RULES[RuleCode.ADMISSION_APPROVAL_DEADLINE], meeting_on=D(2023, 5, 20), on=on,
                                     extension_reason=reason)
    # then
    assert outcome(result) == expected


def test_approval_deadlines_at_month_end_and_over_a_leap_day():
    # when / then
    assert approval_deadlines(RULES[RuleCode.ADMISSION_APPROVAL_DEADLINE], D(2023, 11, 30)) == (D(2024, 2, 29),
                                                                                                 D(2024, 5, 30))
    assert approval_deadlines(RULES[RuleCode.CONVERSION_APPROVAL_DEADLINE], D(2024, 5, 20)) == (D(2024, 8, 20),
                                                                                                D(2024, 8, 20))


def test_conversion_approval_has_no_extension_by_default():
    # when
    result = check_approval_deadline(RULES[RuleCode.CONVERSION_APPROVAL_DEADLINE], meeting_on=D(2024, 5, 20),
                                     on=D(2024, 8, 21), extension_reason="特殊情况")
    # then
    assert outcome(result) == ("on", None, False)


@pytest.mark.parametrize(
    ("_case", "meeting", "extension", "end"),
    [
        ("one_year", D(2023, 5, 20), 0, D(2024, 5, 20)),
        ("from_feb29", D(2024, 2, 29), 0, D(2025, 2, 28)),
        ("extended_6", D(2023, 5, 20), 6, D(2024, 11, 20)),
        ("extended_12", D(2023, 5, 20), 12, D(2025, 5, 20)),
    ],
)
def test_probation_one_year_from_the_admission_meeting(_case, meeting, extension, end):
    assert probation_end(RULES[RuleCode.PROBATION_LENGTH], admission_meeting_on=meeting,
                         extension_months=extension) == end


@pytest.mark.parametrize(
    ("_case", "on", "expected"),
    [
        ("day_before_end", D(2024, 5, 19), ("on", D(2024, 5, 20), False)),
        ("day_of_end", D(2024, 5, 20), None),
        ("day_after_end", D(2024, 5, 21), None),
    ],
)
def test_conversion_meeting_not_before_probation_ends(_case, on, expected):
    assert outcome(check_conversion_meeting(RULES[RuleCode.PROBATION_LENGTH], end=D(2024, 5, 20), on=on)) == expected


@pytest.mark.parametrize(
    ("_case", "months", "previous", "expected"),
    [
        ("5_months", 5, 0, ("extension_months", None, False)),
        ("6_months", 6, 0, None),
        ("12_months", 12, 0, None),
        ("13_months", 13, 0, ("extension_months", None, False)),
        ("second_extension", 6, 1, ("conversion_outcome", None, False)),
    ],
)
def test_extension_once_by_6_to_12_months(_case, months, previous, expected):
    assert outcome(check_extension(RULES[RuleCode.PROBATION_EXTENSION], months=months, previous=previous)) == expected


@pytest.mark.parametrize(
    ("_case", "on", "expected"),
    [
        ("day_before_oath_deadline", D(2023, 7, 14), None),
        ("oath_deadline", D(2023, 7, 15), None),
        ("late_oath_warns", D(2023, 7, 16), ("on", None, True)),
    ],
)
def test_oath_within_one_month_of_approval_is_a_warning(_case, on, expected):
    assert outcome(check_oath(RULES[RuleCode.OATH_DEADLINE], approved_on=D(2023, 6, 15), on=on)) == expected


# --- public notice (DOMAIN "disputed" item 3: length and unit configurable) ------------------------------

MON = D(2023, 3, 20)


@pytest.mark.parametrize(
    ("_case", "start", "end", "on", "expected"),
    [
        ("4_working_days", MON, D(2023, 3, 23), D(2023, 4, 3), ("notice_end", D(2023, 3, 25), False)),
        ("step_on_last_notice_day", MON, D(2023, 3, 24), D(2023, 3, 24), ("on", D(2023, 3, 25), False)),
        ("step_day_after_notice", MON, D(2023, 3, 24), D(2023, 3, 25), None),
        ("over_a_weekend", D(2023, 3, 22), D(2023, 3, 28), D(2023, 3, 29), None),
        ("weekend_days_do_not_count", D(2023, 3, 22), D(2023, 3, 27), D(2023, 3, 29),
         ("notice_end", D(2023, 3, 29), False)),
        ("missing_dates", None, None, D(2023, 3, 29), ("notice_start", None, False)),
    ],
)
def test_notice_of_five_working_days_ends_before_the_step(_case, start, end, on, expected):
    # when
    problems = check_notice(RULES[RuleCode.PUBLIC_NOTICE], code=StepCode.CANDIDATE_CONFIRM, start=start, end=end, on=on)
    # then
    assert (outcome(problems[0]) if problems else None) == expected


def test_notice_configured_as_seven_calendar_days():
    # given
    seven = rule(RuleCode.PUBLIC_NOTICE, days=7, unit=NoticeUnit.CALENDAR)
    # when
    six = check_notice(seven, code=StepCode.PREREVIEW, start=MON, end=D(2023, 3, 25), on=D(2023, 3, 27))
    full = check_notice(seven, code=StepCode.PREREVIEW, start=MON, end=D(2023, 3, 26), on=D(2023, 3, 27))
    # then
    assert [outcome(p) for p in six] == [("notice_end", D(2023, 3, 27), False)]
    assert full == []


def test_notice_only_at_the_configured_steps():
    assert check_notice(RULES[RuleCode.PUBLIC_NOTICE], code=StepCode.TALK, start=None, end=None, on=MON) == []


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)), st.integers(min_value=0, max_value=40))
def test_working_days_match_a_day_by_day_count(start, length):
    end = start + dt.timedelta(days=length)
    expected = sum(1 for i in range(length + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert count_notice_days(start, end, NoticeUnit.WORKING) == expected


def test_disabled_rule_allows_everything():
    # given
    off = dataclasses.replace(RULES[RuleCode.MIN_AGE], enabled=False)
    # then
    assert check_min_age(off, birth_date=D(2010, 1, 1), applied_on=D(2020, 1, 1)) is None


@pytest.mark.parametrize(
    ("_case", "code", "params", "problems"),
    [
        ("ok", RuleCode.PUBLIC_NOTICE, {"days": 7, "unit": "calendar"}, 0),
        ("unknown_key", RuleCode.MIN_AGE, {"age": 18}, 1),
        ("negative", RuleCode.MIN_AGE, {"years": -1}, 1),
        ("bool_is_not_int", RuleCode.MIN_AGE, {"years": True}, 1),
        ("bad_unit", RuleCode.PUBLIC_NOTICE, {"unit": "weeks"}, 1),
        ("bad_step", RuleCode.PUBLIC_NOTICE, {"steps": ["nope"]}, 1),
        ("min_above_max", RuleCode.PROBATION_EXTENSION, {"min_months": 13}, 1),
        ("normal_above_max", RuleCode.ADMISSION_APPROVAL_DEADLINE, {"months": 7}, 1),
    ],
)
def test_rule_parameters_are_validated(_case, code, params, problems):
    assert len(validate_params(code, params)) == problems
