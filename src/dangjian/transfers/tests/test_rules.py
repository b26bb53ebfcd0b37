"""The DOMAIN §6 rules as pure functions, at their boundaries (no database)."""
import datetime as dt

import pytest

from dangjian.core.rules import Rule
from dangjian.transfers.rules import (
    DEFAULT_RULES,
    RuleCode,
    check_letter_valid,
    check_mobile_away,
    check_removal,
    check_restoration,
    check_suspension,
    check_validity_days,
    letter_due_on,
    validate_params,
)
from dangjian.transfers.rules import RULES as DEFAULTS

D = dt.date
RULES = DEFAULTS.defaults()


def test_every_rule_cites_domain_section_6_and_the_letter_validity_is_marked_low_confidence():
    assert [r.code for r in DEFAULT_RULES] == [RuleCode.LETTER_VALIDITY, RuleCode.MOBILE_MAX_AWAY,
                                               RuleCode.LOST_CONTACT_SUSPENSION, RuleCode.SUSPENSION_REMOVAL]
    assert all(r.citation.startswith("DOMAIN §6") for r in DEFAULT_RULES)
    assert (RULES[RuleCode.LETTER_VALIDITY].params, RULES[RuleCode.LETTER_VALIDITY].confidence) == (
        {"days": 90, "max_days": 180}, "low")


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [(D(2024, 3, 1), 90, D(2024, 5, 30)), (D(2024, 12, 15), 30, D(2025, 1, 14)), (D(2024, 2, 28), 1, D(2024, 2, 29))],
)
def test_letter_is_valid_through_issue_date_plus_days(issued, days, due):
    assert letter_due_on(issued, days) == due


@pytest.mark.parametrize(("received", "ok"), [(D(2024, 5, 29), True), (D(2024, 5, 30), True), (D(2024, 5, 31), False)])
def test_letter_validity_boundary(received, ok):
    violation = check_letter_valid(RULES[RuleCode.LETTER_VALIDITY], due_on=D(2024, 5, 30), received_on=received)
    assert (violation is None) == ok


def test_a_disabled_rule_never_refuses():
    rule = Rule(RuleCode.LETTER_VALIDITY, "t", {"days": 90, "max_days": 180}, "DOMAIN §6", enabled=False)
    assert check_letter_valid(rule, due_on=D(2024, 5, 30), received_on=D(2025, 1, 1)) is None


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (180, True), (181, False)])
def test_validity_days_between_1_and_the_maximum(days, ok):
    assert (check_validity_days(RULES[RuleCode.LETTER_VALIDITY], days=days) is None) == ok


@pytest.mark.parametrize(
    ("left", "back", "reason", "ok"),
    [
        (D(2024, 1, 31), D(2024, 7, 30), "", True),
        (D(2024, 1, 31), D(2024, 7, 31), "", False),
        (D(2024, 1, 31), D(2024, 7, 31), "无法转接", True),
        (D(2023, 8, 31), D(2024, 2, 28), "", True),  # 6 months after 31 Aug is 29 Feb in a leap year
        (D(2023, 8, 31), D(2024, 2, 29), "", False),
    ],
)
def test_mobile_limit_of_6_months(left, back, reason, ok):
    violation = check_mobile_away(RULES[RuleCode.MOBILE_MAX_AWAY], left_on=left, expected_return=back, reason=reason)
    assert (violation is None) == ok


@pytest.mark.parametrize(
    ("lost", "on", "possible_on"),
    [(D(2024, 1, 15), D(2024, 7, 14), D(2024, 7, 15)), (D(2024, 1, 15), D(2024, 7, 15), None),
     (D(2024, 1, 15), D(2024, 7, 16), None), (D(2022, 8, 31), D(2023, 2, 27), D(2023, 2, 28)),
     (D(2022, 8, 31), D(2023, 2, 28), None)],
)
def test_suspension_possible_from_6_months_after_contact_was_lost(lost, on, possible_on):
    problems = check_suspension(RULES[RuleCode.LOST_CONTACT_SUSPENSION], lost_since=lost, on=on, searched=True)
    assert [p.possible_on for p in problems] == ([possible_on] if possible_on else [])


def test_suspension_without_a_search_names_the_searches():
    problems = check_suspension(RULES[RuleCode.LOST_CONTACT_SUSPENSION], lost_since=D(2024, 1, 15),
                                on=D(2024, 8, 1), searched=False)
    assert [(p.code, p.field, p.possible_on) for p in problems] == [
        ("transfers.rule.lost_contact_suspension", "searches", None)]


@pytest.mark.parametrize(
    ("suspended", "on", "restore_ok", "remove_ok"),
    [
        (D(2022, 3, 10), D(2024, 3, 9), True, False),
        (D(2022, 3, 10), D(2024, 3, 10), False, True),
        (D(2022, 3, 10), D(2024, 3, 11), False, True),
        (D(2024, 2, 29), D(2026, 2, 27), True, False),  # 2 years after 29 Feb is 28 Feb
        (D(2024, 2, 29), D(2026, 2, 28), False, True),
    ],
)
def test_restoration_and_removal_windows_meet_at_the_second_anniversary(suspended, on, restore_ok, remove_ok):
    rule = RULES[RuleCode.SUSPENSION_REMOVAL]
    assert (check_restoration(rule, suspended_on=suspended, on=on) is None) == restore_ok
    assert (check_removal(rule, suspended_on=suspended, on=on) is None) == remove_ok


@pytest.mark.parametrize(
    ("code", "params", "problems"),
    [
        ("letter_validity", {"days": 60}, 0),
        ("letter_validity", {"days": 200}, 1),  # above max_days
        ("letter_validity", {"days": 0}, 1),
        ("letter_validity", {"days": "90"}, 1),
        ("letter_validity", {"weeks": 3}, 1),
        ("suspension_removal", {"years": True}, 1),
    ],
)
def test_rule_parameters_are_validated(code, params, problems):
    assert len(validate_params(code, params)) == problems
