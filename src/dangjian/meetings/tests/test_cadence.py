"""Cadence compliance: windows at their boundaries (a quarter with 0/1 general meetings, month edges on
the Asia/Shanghai clock), held vs planned-in-the-past, group meetings count for their group, the scope,
and one aggregate query however many orgs."""
import datetime as dt

import pytest

from dangjian.core.errors import DomainError
from dangjian.meetings.models import CadenceRule
from dangjian.meetings.periods import parse_period, window_of, windows_for
from dangjian.meetings.selectors import cadence_compliance
from dangjian.meetings.services import meeting_cancel
from dangjian.meetings.tests.fixtures import shanghai

pytestmark = pytest.mark.django_db

AFTER_2024 = shanghai(2025, 2, 1, 9)


@pytest.fixture
def admin(user_factory):
    return user_factory("orgdept", "org_dept", None, scope="all")


def _rule(result, org, kind):
    return next(r for r in result[org.pk].rules if r.rule.kind.code == kind)


def _windows(rule):
    return [(w.window.label, w.required, w.held, w.unrecorded, w.status) for w in rule.windows]


# --------------------------------------------------------------------------------------------- periods

@pytest.mark.parametrize(
    ("_case", "text", "start", "end", "unit"),
    [
        ("month", "2024-03", dt.date(2024, 3, 1), dt.date(2024, 4, 1), "month"),
        ("december", "2024-12", dt.date(2024, 12, 1), dt.date(2025, 1, 1), "month"),
        ("quarter", "2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 4, 1), "quarter"),
        ("quarter_lower", "2024-q4", dt.date(2024, 10, 1), dt.date(2025, 1, 1), "quarter"),
        ("year", "2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1), "year"),
    ],
)
def test_parse_period(_case, text, start, end, unit):
    window = parse_period(text)
    assert (window.start, window.end, window.unit) == (start, end, unit)


@pytest.mark.parametrize("text", ["2024-13", "2024-Q5", "24-03", "", "2024-3", "1900"])
def test_parse_period_refuses_bad_text(text):
    with pytest.raises(DomainError) as exc:
        parse_period(text)
    assert [(e.code, e.field) for e in exc.value.errors] == [("meetings.period_invalid", "period")]


def test_rule_windows_over_a_period():
    q1 = parse_period("2024-Q1")
    assert [w.label for w in windows_for("month", q1)] == ["2024-01", "2024-02", "2024-03"]
    assert [w.label for w in windows_for("quarter", q1)] == ["2024-Q1"]
    assert [w.label for w in windows_for("year", parse_period("2024-05"))] == ["2024"]
    assert window_of("quarter", dt.date(2024, 12, 31)).label == "2024-Q4"


# ------------------------------------------------------------------------------------------- compliance

def test_seeded_rules_cite_domain_section_4(db):
    rules = {(r.org_type, r.kind.code): r for r in CadenceRule.objects.select_related("kind")}
    assert {k: (r.unit, r.min_count, r.enabled) for k, r in rules.items()} == {
        ("branch", "general_meeting"): ("quarter", 1, True),
        ("branch", "committee_meeting"): ("month", 1, True),
        ("group", "group_meeting"): ("month", 1, True),
        ("branch", "party_lecture"): ("quarter", 1, True),
        ("branch", "theme_day"): ("month", 1, True),
        ("branch", "life_meeting"): ("year", 1, True),
        ("branch", "appraisal"): ("year", 1, True),
        ("branch", "heart_talk"): ("year", 1, False),
        ("committee", "party_committee"): ("month", 1, True),
    }
    assert all(r.citation.startswith("DOMAIN §4") for r in rules.values())
    assert (rules[("branch", "party_lecture")].confidence, rules[("committee", "party_committee")].confidence) == (
        "medium", "low")


@pytest.mark.parametrize(("_case", "held", "status"), [("none", 0, "not_held"), ("one", 1, "met"),
                                                       ("two", 2, "met")])
def test_quarter_with_zero_or_one_general_meeting(tree, branch, meeting_factory, admin, _case, held, status):
    # given: general meetings held on the first and last day of Q1
    for day in [dt.date(2024, 1, 1), dt.date(2024, 3, 31)][:held]:
        meeting_factory("A1", "general_meeting", shanghai(day.year, day.month, day.day, 20), hours=1, held=True,
                        now=AFTER_2024)
    # when
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-Q1"), now=AFTER_2024)
    # then
    assert _windows(_rule(result, tree["A1"], "general_meeting")) == [("2024-Q1", 1, held, 0, status)]


def test_a_general_meeting_just_outside_the_quarter_does_not_count(tree, branch, meeting_factory, admin):
    meeting_factory("A1", "general_meeting", shanghai(2023, 12, 31, 22), hours=1, held=True, now=AFTER_2024)
    meeting_factory("A1", "general_meeting", shanghai(2024, 4, 1, 8), hours=1, held=True, now=AFTER_2024)
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-Q1"), now=AFTER_2024)
    assert _windows(_rule(result, tree["A1"], "general_meeting")) == [("2024-Q1", 1, 0, 0, "not_held")]


def test_month_edges_follow_the_shanghai_clock(tree, branch, meeting_factory, admin):
    # given: 23:30 on 31 March and 00:30 on 1 April, Shanghai time (both 31 March in UTC)
    late = meeting_factory("A1", "theme_day", shanghai(2024, 3, 31, 23, 30), hours=1, held=True, now=AFTER_2024)
    early = meeting_factory("A1", "theme_day", shanghai(2024, 4, 1, 0, 30), hours=1, held=True, now=AFTER_2024)
    assert late.starts_at.astimezone(dt.UTC).date() == early.starts_at.astimezone(dt.UTC).date() == dt.date(2024, 3, 31)
    # when
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-Q2"), now=AFTER_2024)
    march = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-03"), now=AFTER_2024)
    # then
    assert _windows(_rule(result, tree["A1"], "theme_day")) == [
        ("2024-04", 1, 1, 0, "met"), ("2024-05", 1, 0, 0, "not_held"), ("2024-06", 1, 0, 0, "not_held")]
    assert _windows(_rule(march, tree["A1"], "theme_day")) == [("2024-03", 1, 1, 0, "met")]


def test_planned_meeting_in_the_past_is_unrecorded_not_held(tree, branch, meeting_factory, admin):
    # given: March's theme day was planned and its time has passed; April's is planned for later
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 10, 9), now=AFTER_2024)
    meeting_factory("A1", "theme_day", shanghai(2024, 4, 28, 9))
    now = shanghai(2024, 4, 15, 12)
    # when
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024"), now=now)
    # then
    windows = _windows(_rule(result, tree["A1"], "theme_day"))
    assert windows[:5] == [
        ("2024-01", 1, 0, 0, "not_held"),
        ("2024-02", 1, 0, 0, "not_held"),
        ("2024-03", 1, 0, 1, "unrecorded"),
        ("2024-04", 1, 0, 0, "open"),
        ("2024-05", 1, 0, 0, "open"),
    ]
    assert _rule(result, tree["A1"], "theme_day").status == "not_held"


def test_a_cancelled_meeting_never_counts(tree, branch, meeting_factory, admin):
    meeting = meeting_factory("A1", "theme_day", shanghai(2024, 3, 10, 9))
    meeting_cancel(actor=None, meeting=meeting, reason="改期")
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-03"), now=AFTER_2024)
    assert _windows(_rule(result, tree["A1"], "theme_day")) == [("2024-03", 1, 0, 0, "not_held")]


def test_held_without_minutes_is_counted_and_flagged(tree, branch, meeting_factory, admin):
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 10, 9), held=True, now=AFTER_2024)
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 20, 9), held=True, minutes="记录", now=AFTER_2024)
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-03"), now=AFTER_2024)
    window = _rule(result, tree["A1"], "theme_day").windows[0]
    assert (window.held, window.without_minutes, window.status) == (2, 1, "met")


def test_group_meetings_count_for_the_group_not_the_branch(tree, branch, meeting_factory, admin):
    meeting_factory("A1", "group_meeting", shanghai(2024, 3, 10, 9), held=True, party_group=tree["A1G1"],
                    now=AFTER_2024)
    result = cadence_compliance(actor=admin, orgs=[tree["A1"], tree["A1G1"], tree["A"]],
                                period=parse_period("2024-03"), now=AFTER_2024)
    assert _windows(_rule(result, tree["A1G1"], "group_meeting")) == [("2024-03", 1, 1, 0, "met")]
    assert [r.rule.kind.code for r in result[tree["A1G1"].pk].rules] == ["group_meeting"]
    assert "group_meeting" not in [r.rule.kind.code for r in result[tree["A1"].pk].rules]
    assert [r.rule.kind.code for r in result[tree["A"].pk].rules] == ["party_committee"]


def test_rules_are_data(tree, branch, meeting_factory, admin):
    # given: the disputed 党课 rule tightened to twice a quarter; 谈心谈话 switched on
    CadenceRule.objects.filter(org_type="branch", kind__code="party_lecture").update(min_count=2)
    CadenceRule.objects.filter(org_type="branch", kind__code="heart_talk").update(enabled=True)
    meeting_factory("A1", "party_lecture", shanghai(2024, 2, 10, 9), held=True, now=AFTER_2024)
    # when
    result = cadence_compliance(actor=admin, orgs=[tree["A1"]], period=parse_period("2024-Q1"), now=AFTER_2024)
    # then
    assert _windows(_rule(result, tree["A1"], "party_lecture")) == [("2024-Q1", 2, 1, 0, "not_held")]
    assert _windows(_rule(result, tree["A1"], "heart_talk")) == [("2024", 1, 0, 0, "not_held")]


def test_only_meetings_in_the_actors_scope_count(tree, branch, meeting_factory, user_factory):
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 10, 9), held=True, now=AFTER_2024)
    b_worker = user_factory("b", "party_worker", tree["B1"], scope="org")
    result = cadence_compliance(actor=b_worker, orgs=[tree["A1"]], period=parse_period("2024-03"), now=AFTER_2024)
    assert _windows(_rule(result, tree["A1"], "theme_day")) == [("2024-03", 1, 0, 0, "not_held")]


def test_within_a_root_gives_the_same_answer(tree, branch, meeting_factory, admin):
    meeting_factory("A1", "theme_day", shanghai(2024, 3, 10, 9), held=True, now=AFTER_2024)
    meeting_factory("B1", "theme_day", shanghai(2024, 3, 10, 9), held=True, now=AFTER_2024)
    orgs = [tree["A1"], tree["A2"], tree["B1"]]
    by_ids = cadence_compliance(actor=admin, orgs=orgs, period=parse_period("2024-03"), now=AFTER_2024)
    by_root = cadence_compliance(actor=admin, orgs=orgs, period=parse_period("2024-03"), now=AFTER_2024,
                                 within=tree["G"])
    for org in orgs:
        assert _windows(_rule(by_ids, org, "theme_day")) == _windows(_rule(by_root, org, "theme_day"))
    assert [_rule(by_ids, o, "theme_day").status for o in orgs] == ["met", "not_held", "met"]


def test_compliance_is_two_queries_whatever_the_number_of_orgs(tree, branch, meeting_factory, admin,
                                                             django_assert_num_queries):
    from dangjian.orgs.services import org_create

    # given: 40 branches, a meeting in some of them
    orgs = [org_create(actor=None, parent=tree["A"], name=f"支部{i}", code=f"X{i}", org_type="branch")
            for i in range(40)]
    for org in orgs[::3]:
        meeting_factory(org, "theme_day", shanghai(2024, 3, 10, 9), held=True, now=AFTER_2024)
    admin.is_superuser = True  # no grant query inside the measured block
    period = parse_period("2024-Q1")
    # when / then: the rules, then one aggregate — for 3 orgs and for 40
    with django_assert_num_queries(2):
        small = cadence_compliance(actor=admin, orgs=orgs[:3], period=period, now=AFTER_2024)
    with django_assert_num_queries(2):
        large = cadence_compliance(actor=admin, orgs=orgs, period=period, now=AFTER_2024)
    assert len(small) == 3 and len(large) == 40
    assert [_rule(large, o, "theme_day").held for o in orgs[:4]] == [1, 0, 0, 1]
