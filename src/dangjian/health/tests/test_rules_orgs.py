"""The organisation set-up and term rules at their boundaries (DOMAIN §2, §3), on the fixture tree
G → A → A1 (A1G1), A2; G → B → B1."""
from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from dangjian.health.choices import RuleCode
from dangjian.health.tests.fixtures import TODAY, add_members

pytestmark = pytest.mark.django_db


# --- org.too_few_full_members ----------------------------------------------------------------------------


@pytest.mark.parametrize(("full", "probationary", "expected"), [
    pytest.param(2, 5, [("A1", "", 2.0, "warning")], id="2_full_plus_probationary"),
    pytest.param(3, 0, [], id="3_full"),
])
def test_too_few_full_members(tree, health, full, probationary, expected):
    # given
    add_members(tree["A1"], full)
    add_members(tree["A1"], probationary, category="probationary")
    # when
    health.scan(codes=[RuleCode.TOO_FEW_FULL_MEMBERS])
    # then: A2 and B1 have nobody at all; only branches are checked (not A1G1, not the committees)
    assert health.codes(RuleCode.TOO_FEW_FULL_MEMBERS, org__code="A1") == expected
    assert [c for c, *_ in health.codes(RuleCode.TOO_FEW_FULL_MEMBERS)] == \
        (["A1"] if expected else []) + ["A2", "B1"]


def test_too_few_full_members_ignores_suspended_and_deceased(tree, health):
    add_members(tree["A1"], 3)
    add_members(tree["A1"], 1, status="lost")  # lost contact still holds membership
    add_members(tree["A1"], 2, status="suspended")
    health.scan(codes=[RuleCode.TOO_FEW_FULL_MEMBERS])
    assert health.codes(RuleCode.TOO_FEW_FULL_MEMBERS, org__code="A1") == []


# --- org.branch_oversize ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "expected"), [
    pytest.param(50, [], id="50"),
    pytest.param(51, [("A1", "", 51.0, "warning")], id="51"),
])
def test_branch_oversize(tree, health, n, expected):
    add_members(tree["A1"], n - 10)
    add_members(tree["A1"], 10, category="probationary")  # probationary members count toward the size
    health.scan(codes=[RuleCode.BRANCH_OVERSIZE])
    assert health.codes(RuleCode.BRANCH_OVERSIZE) == expected


# --- org.committee_missing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("full", "with_term", "expected"), [
    pytest.param(6, False, [], id="6_full_no_term"),
    pytest.param(7, False, [("A1", "", 7.0, "warning")], id="7_full_no_term"),
    pytest.param(7, True, [], id="7_full_with_term"),
])
def test_committee_missing_for_branches(tree, health, full, with_term, expected):
    from dangjian.orgs.services import term_create

    add_members(tree["A1"], full)
    add_members(tree["A1"], 3, category="probationary")  # probationary members do not count
    if with_term:
        term_create(actor=None, org=tree["A1"], start_date=dt.date(2024, 3, 1))
    health.scan(codes=[RuleCode.COMMITTEE_MISSING])
    # the three committees have no term either: they always need one
    assert health.codes(RuleCode.COMMITTEE_MISSING, org__org_type="branch") == expected
    assert sorted(c for c, *_ in health.codes(RuleCode.COMMITTEE_MISSING, org__org_type="committee")) == ["A", "B", "G"]


# --- org.committee_size ----------------------------------------------------------------------------------


def _seats(tree, n: int, *, group_leaders: int = 0):
    from dangjian.members.models import Member
    from dangjian.members.services import seat_assign
    from dangjian.orgs.services import term_create

    term = term_create(actor=None, org=tree["A1"], start_date=dt.date(2024, 3, 1))
    people = list(Member.objects.filter(org=tree["A1"]).order_by("pk"))
    for i in range(n):
        seat_assign(actor=None, term=term, member=people[i], position="secretary" if i == 0 else "member",
                    since=dt.date(2024, 3, 1))
    for i in range(group_leaders):
        seat_assign(actor=None, term=term, member=people[n + i], position="group_leader", since=dt.date(2024, 3, 1))
    return term


@pytest.mark.parametrize(("seats", "expected"), [
    pytest.param(2, [("A1", "term", 2.0, "warning")], id="2"),
    pytest.param(3, [], id="3"),
    pytest.param(5, [], id="5"),
    pytest.param(6, [("A1", "term", 6.0, "info")], id="6"),
    pytest.param(7, [("A1", "term", 7.0, "info")], id="7"),
    pytest.param(8, [("A1", "term", 8.0, "warning")], id="8"),
])
def test_committee_size(tree, health, seats, expected):
    add_members(tree["A1"], 12)
    _seats(tree, seats, group_leaders=2)  # 党小组组长 is not a committee seat
    health.scan(codes=[RuleCode.COMMITTEE_SIZE])
    assert health.codes(RuleCode.COMMITTEE_SIZE) == expected


def test_committee_size_not_required_below_seven_full_members(tree, health):
    add_members(tree["A1"], 6)
    add_members(tree["A1"], 4, category="probationary")
    _seats(tree, 1)  # a secretary only: right for a branch without a committee
    health.scan(codes=[RuleCode.COMMITTEE_SIZE])
    assert health.codes(RuleCode.COMMITTEE_SIZE) == []


def test_committee_size_ended_seats_do_not_count(tree, health):
    from dangjian.members.models import CommitteeSeat
    from dangjian.members.services import seat_end

    add_members(tree["A1"], 8)
    _seats(tree, 3)
    seat_end(actor=None, seat=CommitteeSeat.objects.filter(position="member").first(), until=dt.date(2025, 1, 1))
    health.scan(codes=[RuleCode.COMMITTEE_SIZE])
    assert health.codes(RuleCode.COMMITTEE_SIZE) == [("A1", "term", 2.0, "warning")]


# --- org.should_upgrade ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "expected"), [
    pytest.param(49, [], id="49"),
    pytest.param(50, [("A1", "", 50.0, "info", "general_branch")], id="50"),
    pytest.param(99, [("A1", "", 99.0, "info", "general_branch")], id="99"),
    pytest.param(100, [("A1", "", 100.0, "info", "committee")], id="100"),
])
def test_should_upgrade_branch(tree, health, n, expected):
    from dangjian.health.tests.fixtures import open_findings

    add_members(tree["A1"], n)
    health.scan(codes=[RuleCode.SHOULD_UPGRADE])
    found = [(f.org.code, f.subject_type, float(f.measured), f.severity, f.details["suggested_type"])
             for f in open_findings(RuleCode.SHOULD_UPGRADE)]
    assert found == expected


@pytest.mark.parametrize(("n", "expected"), [
    pytest.param(99, [], id="99"),
    pytest.param(100, [("AG", "", 100.0, "info")], id="100"),
])
def test_should_upgrade_general_branch_counts_its_subtree(tree, health, n, expected):
    from dangjian.orgs.services import org_create

    general = org_create(actor=None, parent=tree["A"], name="甲总支", code="AG", org_type="general_branch")
    b1 = org_create(actor=None, parent=general, name="甲总支一支部", code="AG1", org_type="branch")
    b2 = org_create(actor=None, parent=general, name="甲总支二支部", code="AG2", org_type="branch")
    add_members(b1, 40)
    add_members(b2, n - 40)
    health.scan(codes=[RuleCode.SHOULD_UPGRADE])
    assert health.codes(RuleCode.SHOULD_UPGRADE, org__org_type="general_branch") == expected
    assert health.codes(RuleCode.SHOULD_UPGRADE, org__code="AG2") == [("AG2", "", float(n - 40), "info")]


# --- org.term_expiring / org.term_expired ----------------------------------------------------------------


def _term_ending(tree, end: dt.date, code: str = "A1"):
    from dangjian.orgs.models import CommitteeTerm
    from dangjian.orgs.services import term_create

    term = term_create(actor=None, org=tree[code], start_date=end - relativedelta(years=3))
    assert CommitteeTerm.objects.get(pk=term.pk).end_date == end
    return term


M = relativedelta(months=1)
D = relativedelta(days=1)


@pytest.mark.parametrize(("end", "expiring", "expired"), [
    pytest.param(TODAY + 6 * M + D, None, None, id="6m+1d_before"),
    pytest.param(TODAY + 6 * M, 6, None, id="6m_before"),
    pytest.param(TODAY + 3 * M + D, 6, None, id="3m+1d_before"),
    pytest.param(TODAY + 3 * M, 3, None, id="3m_before"),
    pytest.param(TODAY + M + D, 3, None, id="1m+1d_before"),
    pytest.param(TODAY + M, 1, None, id="1m_before"),
    pytest.param(TODAY + D, 1, None, id="day_before_end"),
    pytest.param(TODAY, 1, None, id="end_day"),
    pytest.param(TODAY - D, None, 1, id="day_after_end"),
])
def test_term_expiring_and_expired(tree, health, end, expiring, expired):
    from dangjian.health.tests.fixtures import open_findings

    term = _term_ending(tree, end)
    health.scan(codes=[RuleCode.TERM_EXPIRING, RuleCode.TERM_EXPIRED])
    soon = open_findings(RuleCode.TERM_EXPIRING)
    late = open_findings(RuleCode.TERM_EXPIRED)
    assert [f.details["reminder_months"] for f in soon] == ([expiring] if expiring else [])
    assert [float(f.measured) for f in late] == ([expired] if expired else [])
    for f in soon + late:
        assert (f.org.code, f.subject_type, f.subject_id) == ("A1", "term", term.pk)
    if soon:
        assert float(soon[0].measured) == expiring
        assert soon[0].details["effective_end"] == end.isoformat()


def test_term_expiring_offsets_are_configurable(tree, health):
    from dangjian.health.services import rule_update
    from dangjian.health.tests.fixtures import open_findings

    _term_ending(tree, TODAY + 2 * M)
    rule_update(actor=None, code=RuleCode.TERM_EXPIRING, params={"offsets_months": [2, 1]}, reason="集团规定")
    health.scan(codes=[RuleCode.TERM_EXPIRING])
    assert [f.details["reminder_months"] for f in open_findings(RuleCode.TERM_EXPIRING)] == [2]


def test_postponed_term_is_not_expired_until_the_postponement_ends(tree, health):
    from dangjian.health.tests.fixtures import open_findings
    from dangjian.orgs.services import term_postpone

    term = _term_ending(tree, TODAY - 10 * D)
    term_postpone(actor=None, term=term, until=TODAY + 20 * D, approved_by=tree["A"], approved_on=TODAY - 30 * D,
                  approval_doc="甲委〔2025〕1号", today=TODAY - 30 * D)
    health.scan(codes=[RuleCode.TERM_EXPIRING, RuleCode.TERM_EXPIRED])
    assert open_findings(RuleCode.TERM_EXPIRED) == []
    assert [f.details["effective_end"] for f in open_findings(RuleCode.TERM_EXPIRING)] == [str(TODAY + 20 * D)]
    # the day after the postponement ends, the election is overdue
    health.scan(codes=[RuleCode.TERM_EXPIRING, RuleCode.TERM_EXPIRED], today=TODAY + 21 * D)
    assert [float(f.measured) for f in open_findings(RuleCode.TERM_EXPIRED)] == [1.0]
    assert open_findings(RuleCode.TERM_EXPIRING) == []


def test_term_expired_grace_days(tree, health):
    from dangjian.health.services import rule_update

    _term_ending(tree, TODAY - 5 * D)
    rule_update(actor=None, code=RuleCode.TERM_EXPIRED, params={"grace_days": 5}, reason="集团规定")
    health.scan(codes=[RuleCode.TERM_EXPIRED])
    assert health.codes(RuleCode.TERM_EXPIRED) == []
    health.scan(codes=[RuleCode.TERM_EXPIRED], today=TODAY + D)
    assert health.codes(RuleCode.TERM_EXPIRED) == [("A1", "term", 6.0, "critical")]


# --- org.no_secretary ------------------------------------------------------------------------------------


def test_no_secretary(tree, health):
    from dangjian.members.models import CommitteeSeat
    from dangjian.members.services import seat_end

    add_members(tree["A1"], 8)
    _seats(tree, 3)
    health.scan(codes=[RuleCode.NO_SECRETARY])
    # A1 has its secretary; A2, B1 and the committees have no term at all; groups are not checked
    assert sorted(c for c, *_ in health.codes(RuleCode.NO_SECRETARY)) == ["A", "A2", "B", "B1", "G"]
    seat_end(actor=None, seat=CommitteeSeat.objects.get(position="secretary"), until=TODAY)
    health.scan(codes=[RuleCode.NO_SECRETARY])
    assert "A1" in [c for c, *_ in health.codes(RuleCode.NO_SECRETARY)]


def test_dissolved_orgs_are_not_checked(tree, health):
    from dangjian.orgs.services import org_dissolve

    org_dissolve(actor=None, org=tree["A2"], on=TODAY, reason="合并")
    health.scan(codes=[RuleCode.TOO_FEW_FULL_MEMBERS, RuleCode.NO_SECRETARY])
    assert "A2" not in [c for c, *_ in health.codes(RuleCode.TOO_FEW_FULL_MEMBERS)]
    assert "A2" not in [c for c, *_ in health.codes(RuleCode.NO_SECRETARY)]
