"""Committee terms (DOMAIN §3): reminders at 6/3/1 months before the end at their boundaries, expiry the
day after, approved postponement (≤ 12 months, by a higher org) and its status."""
import datetime as dt

import pytest
from django.http import Http404
from django.test import override_settings

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.orgs.models import CommitteeTerm
from dangjian.orgs.selectors import org_term_states
from dangjian.orgs.services import term_create, term_postpone
from dangjian.orgs.terms import term_state

pytestmark = pytest.mark.django_db

# start 2021-06-15, 3 years (branch) → ends 2024-06-15
START = dt.date(2021, 6, 15)
END = dt.date(2024, 6, 15)


@pytest.fixture
def term(tree):
    return term_create(actor=None, org=tree["A1"], start_date=START)


@pytest.mark.parametrize(
    ("_case", "today", "status", "stage", "days_left"),
    [
        ("day_before_6_months", dt.date(2023, 12, 14), "current", None, 184),
        ("6_months", dt.date(2023, 12, 15), "expiring", 6, 183),
        ("day_before_3_months", dt.date(2024, 3, 14), "expiring", 6, 93),
        ("3_months", dt.date(2024, 3, 15), "expiring", 3, 92),
        ("day_before_1_month", dt.date(2024, 5, 14), "expiring", 3, 32),
        ("1_month", dt.date(2024, 5, 15), "expiring", 1, 31),
        ("end_day", END, "expiring", 1, 0),
        ("day_after_end", dt.date(2024, 6, 16), "expired", 1, -1),
    ],
)
def test_reminders_at_6_3_1_months(term, _case, today, status, stage, days_left):
    assert term.end_date == END
    state = term_state(term, today)
    assert (state.status, state.reminder_months, state.days_left, state.effective_end) == (status, stage, days_left,
                                                                                           END)


@override_settings(DANGJIAN_TERM_REMINDER_MONTHS=[2, 12])
def test_reminder_offsets_are_configurable(term):
    assert term_state(term, dt.date(2023, 6, 14)).status == "current"
    assert (term_state(term, dt.date(2023, 6, 15)).reminder_months, term_state(term, dt.date(2024, 4, 15))
            .reminder_months) == (12, 2)


def _postpone(term, tree, **over):
    args = {"actor": None, "term": term, "until": dt.date(2025, 6, 15), "approved_by": tree["A"],
            "approved_on": dt.date(2024, 5, 20), "approval_doc": "甲委〔2024〕12号", "reason": "企业重组",
            "today": dt.date(2024, 6, 1)}
    args.update(over)
    return term_postpone(**args)


def test_postponement_by_one_year_is_recorded_and_shifts_the_status(term, tree):
    # when
    _postpone(term, tree)
    # then
    term.refresh_from_db()
    assert (term.postponed_until, term.postponement_approved_by_id, term.postponement_doc) == (
        dt.date(2025, 6, 15), tree["A"].pk, "甲委〔2024〕12号")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after["postponed_until"], entry.after["end_date"], entry.reason) == (
        "orgs.term_postpone", "2025-06-15", "2024-06-15", "企业重组")
    assert (term_state(term, dt.date(2024, 7, 1)).status, term_state(term, dt.date(2024, 7, 1)).days_left) == (
        "postponed", 349)
    assert term_state(term, dt.date(2025, 6, 15)).status == "postponed"
    assert term_state(term, dt.date(2025, 6, 16)).status == "expired"


@pytest.mark.parametrize(
    ("_case", "over", "errors"),
    [
        ("more_than_a_year", {"until": dt.date(2025, 6, 16)}, [("orgs.postpone_too_long", "until")]),
        ("not_after_end", {"until": END}, [("orgs.postpone_not_after_end", "until")]),
        ("same_org_approves", {"approved_by": "A1"}, [("orgs.postpone_approver_not_higher", "approved_by")]),
        ("other_branch_approves", {"approved_by": "B"}, [("orgs.postpone_approver_not_higher", "approved_by")]),
        ("approved_in_future", {"approved_on": dt.date(2024, 6, 2)}, [("orgs.postpone_approved_on_invalid",
                                                                       "approved_on")]),
        ("no_document", {"approval_doc": " "}, [("orgs.postpone_doc_required", "approval_doc")]),
    ],
)
def test_bad_postponement_is_refused_and_nothing_changes(term, tree, _case, over, errors):
    if isinstance(over.get("approved_by"), str):
        over["approved_by"] = tree[over["approved_by"]]
    before = (list(CommitteeTerm.objects.values_list()), AuditEntry.objects.count())
    with pytest.raises(DomainError) as exc:
        _postpone(term, tree, **over)
    assert [(e.code, e.field) for e in exc.value.errors] == errors
    assert (list(CommitteeTerm.objects.values_list()), AuditEntry.objects.count()) == before


@override_settings(DANGJIAN_TERM_POSTPONE_MAX_MONTHS=6)
def test_the_postponement_limit_is_configurable(term, tree):
    with pytest.raises(DomainError) as exc:
        _postpone(term, tree, until=dt.date(2024, 12, 16))
    assert exc.value.errors[0].message == "延期换届一般不超过 6 个月，最晚 2024-12-15"


def test_postponement_outside_scope_is_404(term, tree, user_factory):
    actor = user_factory("b", "branch_secretary", tree["B1"], scope="subtree")
    with pytest.raises(Http404):
        _postpone(term, tree, actor=actor)


def test_term_states_for_many_orgs_in_one_query(tree, term, user_factory, django_assert_num_queries):
    term_create(actor=None, org=tree["B1"], start_date=dt.date(2023, 1, 1))
    admin = user_factory("admin")
    admin.is_superuser = True
    with django_assert_num_queries(1):
        states = org_term_states(actor=admin, orgs=[tree["A1"], tree["A2"], tree["B1"]], today=dt.date(2024, 6, 16))
    assert states[tree["A2"].pk] is None
    assert (states[tree["A1"].pk][1].status, states[tree["B1"].pk][1].status) == ("expired", "current")
