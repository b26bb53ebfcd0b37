"""Rules that read other apps through their selectors — meetings, dues, development, transfers — and the
member-register rules, each at its boundaries. State is built through each app's services."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from dangjian.health.choices import RuleCode
from dangjian.health.tests.fixtures import TODAY, add_members, open_findings

pytestmark = pytest.mark.django_db
D = relativedelta(days=1)
M = relativedelta(months=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- members.lost_contact --------------------------------------------------------------------------------


@pytest.mark.parametrize(("lost_on", "expected"), [
    pytest.param(TODAY - 6 * M + D, (5.0, "warning"), id="a_day_short_of_6_months"),
    pytest.param(TODAY - 6 * M, (6.0, "critical"), id="6_months"),
])
def test_lost_contact(tree, member_factory, health, lost_on, expected):
    from dangjian.transfers.services import member_status_change

    member = member_factory("A1")
    member_status_change(actor=None, member=member, transition="lose_contact", effective_on=lost_on)
    health.scan(codes=[RuleCode.LOST_CONTACT])
    found = open_findings(RuleCode.LOST_CONTACT)
    assert [(f.org.code, f.subject_type, f.subject_id, float(f.measured), f.severity) for f in found] == [
        ("A1", "member", member.pk, *expected)]
    # contact regained: resolved
    member_status_change(actor=None, member=member, transition="regain_contact", effective_on=TODAY)
    health.scan(codes=[RuleCode.LOST_CONTACT])
    assert open_findings(RuleCode.LOST_CONTACT) == []


def test_lost_contact_without_a_recorded_date(tree, health):
    add_members(tree["A1"], 1, status="lost")  # imported as lost: no status change recorded
    health.scan(codes=[RuleCode.LOST_CONTACT])
    assert [(f.measured, f.severity) for f in open_findings(RuleCode.LOST_CONTACT)] == [(None, "warning")]


# --- members.no_branch -----------------------------------------------------------------------------------


def test_members_not_in_a_branch(tree, member_factory, health):
    from dangjian.orgs.services import org_update

    a2 = [member_factory("A2"), member_factory("A2")]
    member_factory("A1")
    health.scan(codes=[RuleCode.NO_BRANCH])
    assert open_findings(RuleCode.NO_BRANCH) == []
    # A2 becomes a general branch while its members still sit in it
    org_update(actor=None, org=tree["A2"], org_type="general_branch", reason="调整")
    health.scan(codes=[RuleCode.NO_BRANCH])
    found = open_findings(RuleCode.NO_BRANCH)
    assert [(f.org.code, f.subject_type, f.subject_id) for f in found] == [("A2", "member", m.pk) for m in a2]
    assert found[0].message == "所在组织是党总支，不是党支部"


# --- dues.arrears ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first_unpaid", "expected"), [
    pytest.param("2025-04", [], id="2_months"),
    pytest.param("2025-03", [(3.0, "warning", "warn")], id="3_months_warn"),
    pytest.param("2025-02", [(4.0, "warning", "warn")], id="4_months"),
    pytest.param("2025-01", [(5.0, "critical", "severe")], id="5_months_severe"),
    pytest.param("2024-12", [(6.0, "critical", "limit")], id="6_months_limit"),
])
def test_dues_arrears_thresholds_come_from_the_dues_rules(tree, health, first_unpaid, expected):
    from dangjian.dues.services import bills_generate, payment_record, profile_set
    from dangjian.members.models import Member

    add_members(tree["A1"], 1)
    member = Member.objects.get()
    profile_set(actor=None, member=member, category="in_service", base="5000", on=dt.date(2024, 1, 1))
    for period in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"):
        bills_generate(actor=None, period=period, today=TODAY)
    paid = [p for p in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03") if p < first_unpaid]
    if paid:
        payment_record(actor=None, member=member, amount=str(50 * len(paid)), reference="R1", channel="cash",
                       paid_on=TODAY - 40 * D, periods=paid)
    health.scan(codes=[RuleCode.DUES_ARREARS])
    found = open_findings(RuleCode.DUES_ARREARS)
    assert [(float(f.measured), f.severity, f.details["level"]) for f in found] == expected
    assert all((f.org.code, f.subject_id, f.details["oldest_unpaid"]) == ("A1", member.pk, first_unpaid) for f in found)


# --- development.step_overdue / probation_overdue --------------------------------------------------------


@pytest.fixture
def pipeline(tree):
    from dangjian.development.services import applicant_create
    from tests.fixtures import make_id_number

    def make(applied_on: dt.date, n: int = 1):
        birth = dt.date(1995, 5, 17) + dt.timedelta(days=n)
        return applicant_create(actor=None, applied_on=applied_on, name=f"申请人{n}", gender="M", birth_date=birth,
                                id_number=make_id_number(birth, 200 + 2 * n, gender="M", area="320102"),
                                org=tree["A1"])

    return make


@pytest.mark.parametrize(("today", "expected"), [
    pytest.param(dt.date(2025, 2, 10), [], id="deadline_day"),
    pytest.param(dt.date(2025, 2, 11), [("A1", "pipeline", 1.0, "talk")], id="day_after"),
])
def test_step_overdue(tree, health, pipeline, today, expected):
    # the talk is due within 1 month of the application (development rule talk_deadline)
    p = pipeline(dt.date(2025, 1, 10))
    assert p.next_due == dt.date(2025, 2, 10)
    health.scan(codes=[RuleCode.STEP_OVERDUE], today=today)
    found = open_findings(RuleCode.STEP_OVERDUE)
    assert [(f.org.code, f.subject_type, float(f.measured), f.details["step"]) for f in found] == expected
    assert all(f.subject_id == p.pk for f in found)


def test_probation_overdue(tree, health, member_factory):
    from dangjian.development.services import applicant_create, step_record
    from dangjian.development.steps import STEPS
    from dangjian.development.tests.conftest import CALENDAR, default_data
    from tests.fixtures import make_id_number

    people = {"full": [member_factory("A1") for _ in range(4)]}
    birth = dt.date(1995, 5, 17)
    p = applicant_create(actor=None, applied_on=dt.date(2022, 3, 1), name="预备党员甲", gender="M", birth_date=birth,
                         id_number=make_id_number(birth, 71, gender="M", area="320102"), org=tree["A1"])
    for code in STEPS:
        if code == "application":
            continue
        data = default_data(code, people)
        step_record(actor=None, pipeline=p, code=code, on=CALENDAR[code], responsible="王书记", **data)
        if code == "oath":
            break
    p.refresh_from_db()
    assert (p.stage, p.probation_end) == ("probationary", dt.date(2024, 5, 20))
    # conversion is due promptly: 1 month after the end of probation by default
    health.scan(codes=[RuleCode.PROBATION_OVERDUE, RuleCode.STEP_OVERDUE], today=dt.date(2024, 6, 20))
    assert open_findings(RuleCode.PROBATION_OVERDUE) == []
    health.scan(codes=[RuleCode.PROBATION_OVERDUE, RuleCode.STEP_OVERDUE], today=dt.date(2024, 6, 21))
    found = open_findings(RuleCode.PROBATION_OVERDUE)
    assert [(f.org.code, f.subject_type, f.subject_id, float(f.measured)) for f in found] == [
        ("A1", "pipeline", p.pk, 32.0)]
    # the overdue conversion is reported once, by the probation rule
    assert open_findings(RuleCode.STEP_OVERDUE) == []


# --- transfers.overdue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "expected"), [
    pytest.param(dt.date(2025, 5, 30), [], id="last_valid_day"),
    pytest.param(dt.date(2025, 5, 31), [("A1", "transfer", 1.0)], id="day_after"),
])
def test_transfer_overdue(tree, member_factory, health, today, expected):
    from dangjian.transfers.services import transfer_initiate

    member = member_factory("A1")
    transfer = transfer_initiate(actor=None, member=member, kind="internal_out", to_org=tree["B1"],
                                 letter_no="甲转〔2025〕1号", issued_on=dt.date(2025, 3, 1), validity_days=90)
    assert transfer.due_on == dt.date(2025, 5, 30)
    health.scan(codes=[RuleCode.TRANSFER_OVERDUE], today=today)
    found = open_findings(RuleCode.TRANSFER_OVERDUE)
    # the sending branch stays responsible until the letter is received (DOMAIN §6)
    assert [(f.org.code, f.subject_type, float(f.measured)) for f in found] == expected
    assert all(f.subject_id == transfer.pk for f in found)


def test_reissued_and_received_transfer_resolves_the_finding(tree, member_factory, health):
    from dangjian.transfers.services import transfer_initiate, transfer_issue_letter, transfer_receive

    member = member_factory("A1")
    transfer = transfer_initiate(actor=None, member=member, kind="internal_out", to_org=tree["B1"],
                                 letter_no="甲转〔2025〕2号", issued_on=dt.date(2025, 3, 1), validity_days=90)
    health.scan(codes=[RuleCode.TRANSFER_OVERDUE])
    assert len(open_findings(RuleCode.TRANSFER_OVERDUE)) == 1
    # the sending branch reissues the letter: no longer overdue
    transfer_issue_letter(actor=None, transfer=transfer, letter_no="甲转〔2025〕3号", issued_on=TODAY - 5 * D)
    health.scan(codes=[RuleCode.TRANSFER_OVERDUE])
    assert open_findings(RuleCode.TRANSFER_OVERDUE) == []
    transfer_receive(actor=None, transfer=transfer, received_on=TODAY)
    health.scan(codes=[RuleCode.TRANSFER_OVERDUE], today=TODAY + 120 * D)
    assert open_findings(RuleCode.TRANSFER_OVERDUE) == []


# --- meetings.cadence_shortfall --------------------------------------------------------------------------


def _meeting(tree, kind: str, start: dt.datetime, *, held: bool, org: str = "A1", group: str | None = None):
    from dangjian.meetings.models import MeetingKind
    from dangjian.meetings.services import meeting_create

    return meeting_create(actor=None, org=tree[org], kind=MeetingKind.objects.get(code=kind), topic="学习",
                          starts_at=start, ends_at=start + dt.timedelta(hours=2), held=held,
                          party_group=tree[group] if group else None)


def _cadence(code: str) -> dict[str, tuple]:
    return {f.details["kind"]: (f.details["period"], f.details["status"], f.severity)
            for f in open_findings(RuleCode.CADENCE_SHORTFALL, org__code=code)}


def test_cadence_shortfall_reports_the_last_completed_window_of_each_kind(tree, health):
    # given: on 2025-06-15 the last complete month is May, quarter Q1, year 2024
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL])
    assert _cadence("A1") == {
        "general_meeting": ("2025-Q1", "not_held", "warning"),
        "committee_meeting": ("2025-05", "not_held", "warning"),
        "party_lecture": ("2025-Q1", "not_held", "warning"),
        "theme_day": ("2025-05", "not_held", "warning"),
        "life_meeting": ("2024", "not_held", "warning"),
        "appraisal": ("2024", "not_held", "warning"),
    }
    assert _cadence("A1G1") == {"group_meeting": ("2025-05", "not_held", "warning")}
    assert _cadence("A") == {"party_committee": ("2025-05", "not_held", "warning")}


def test_cadence_held_resolves_and_unrecorded_is_information(tree, health, member_factory):
    member_factory("A1")
    # when: the May theme day is recorded as held; the May committee meeting was planned and not recorded
    _meeting(tree, "theme_day", dt.datetime(2025, 5, 31, 22, 0, tzinfo=SHANGHAI), held=True)
    _meeting(tree, "committee_meeting", dt.datetime(2025, 5, 20, 9, 0, tzinfo=SHANGHAI), held=False)
    _meeting(tree, "theme_day", dt.datetime(2025, 6, 1, 9, 0, tzinfo=SHANGHAI), held=True, org="A2")  # June: too late
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL], now=dt.datetime(2025, 6, 15, 12, tzinfo=SHANGHAI))
    # then
    a1 = _cadence("A1")
    assert "theme_day" not in a1
    assert a1["committee_meeting"] == ("2025-05", "unrecorded", "info")
    assert _cadence("A2")["theme_day"] == ("2025-05", "not_held", "warning")


def test_cadence_skips_windows_before_the_org_existed(tree, health):
    from dangjian.orgs.services import org_update

    org_update(actor=None, org=tree["A2"], established_on=dt.date(2025, 5, 1), reason="补录成立日期")
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL])
    assert set(_cadence("A2")) == set()


def test_cadence_shortfall_follows_an_edited_cadence_rule(tree, health, user_factory):
    from dangjian.meetings.services import cadence_rule_update

    # given: the May theme day of A1 was held, which meets the default of once a month
    _meeting(tree, "theme_day", dt.datetime(2025, 5, 20, 9, 0, tzinfo=SHANGHAI), held=True)
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL], now=dt.datetime(2025, 6, 15, 12, tzinfo=SHANGHAI))
    assert "theme_day" not in _cadence("A1")
    # when: the rule is edited to twice a month (the rules kit, audited) and the scan runs again
    admin = user_factory("admin", "sysadmin", None, scope="all")
    cadence_rule_update(actor=admin, code="branch.theme_day", params={"min_count": 2}, reason="集团党委通知")
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL], now=dt.datetime(2025, 6, 15, 12, tzinfo=SHANGHAI))
    # then: one held is now short of the minimum
    assert _cadence("A1")["theme_day"] == ("2025-05", "not_held", "warning")
    # when: the kind is counted per quarter instead (Q1 2025: none held) and the scan runs again
    cadence_rule_update(actor=admin, code="branch.theme_day", params={"unit": "quarter", "min_count": 1},
                        reason="集团党委通知")
    health.scan(codes=[RuleCode.CADENCE_SHORTFALL], now=dt.datetime(2025, 6, 15, 12, tzinfo=SHANGHAI))
    assert _cadence("A1")["theme_day"] == ("2025-Q1", "not_held", "warning")


def test_an_edited_cadence_rule_reruns_the_cadence_check(tree, user_factory, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    from dangjian.health import tasks
    from dangjian.meetings.services import cadence_rule_update

    queued = []
    monkeypatch.setattr(tasks, "rescan_rule", SimpleNamespace(enqueue=lambda **kwargs: queued.append(kwargs)))
    admin = user_factory("admin", "sysadmin", None, scope="all")
    # when: the change commits
    with django_capture_on_commit_callbacks(execute=True):
        cadence_rule_update(actor=admin, code="branch.theme_day", params={"min_count": 2}, reason="集团党委通知")
    # then: the health check of the cadence runs again over every org
    assert queued == [{"code": RuleCode.CADENCE_SHORTFALL}]
