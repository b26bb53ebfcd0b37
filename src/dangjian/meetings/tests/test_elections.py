"""Elections (DOMAIN §3): the voter roll excludes probationary members; recording creates the new term
(term_create) and seats (seat_assign) and ends the old committee's; quorum, majority, one secretary;
approval of the secretary and deputy by a higher org. Refused input writes nothing."""
import datetime as dt

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core import events
from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.meetings.events import ElectionRecorded
from dangjian.meetings.models import ElectionRecord, ElectionResult
from dangjian.meetings.selectors import voter_roll
from dangjian.meetings.services import election_approve, election_record
from dangjian.members.models import CommitteeSeat
from dangjian.orgs.models import CommitteeTerm
from dangjian.orgs.services import term_create

pytestmark = pytest.mark.django_db

HELD = dt.date(2024, 6, 20)
TODAY = dt.date(2024, 7, 1)


@pytest.fixture
def voters(tree, branch, member_factory):
    """A1: five full members (three in the fixture + two more) and one probationary member."""
    more = [member_factory("A1", name=f"甲一党员{i}") for i in (3, 4)]
    return [*branch.full, *more]


def _state():
    return (ElectionRecord.objects.count(), ElectionResult.objects.count(),
            list(CommitteeTerm.objects.order_by("pk").values_list("pk", "is_current")),
            list(CommitteeSeat.objects.order_by("pk").values_list("pk", "until")), AuditEntry.objects.count())


def _results(voters, *spec):
    return [{"member": voters[i].pk, "votes": votes, "elected": elected, "position": position}
            for i, votes, elected, position in spec]


GOOD = ((0, 5, True, "secretary"), (1, 4, True, "organization"), (2, 4, True, ""), (3, 1, False, ""))


def test_voter_roll_is_full_members_only(tree, branch, voters):
    assert [m.pk for m in voter_roll(actor=SYSTEM, org=tree["A1"])] == [m.pk for m in voters]
    assert branch.probationary.pk not in {m.pk for m in voter_roll(actor=SYSTEM, org=tree["A1"])}


def test_election_creates_the_new_term_and_seats_and_ends_the_old_ones(tree, branch, voters,
                                                                     django_capture_on_commit_callbacks):
    from dangjian.members.services import seat_assign

    # given: the outgoing committee (term 1) with its secretary
    old = term_create(actor=None, org=tree["A1"], start_date=dt.date(2021, 6, 15))
    old_seat = seat_assign(actor=None, term=old, member=voters[4], position="secretary", since=dt.date(2021, 6, 15))
    seen = []
    events.subscribe(ElectionRecorded, seen.append)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        election = election_record(actor=None, org=tree["A1"], held_on=HELD, attending=5,
                                   results=_results(voters, *GOOD), note="第二届支部委员会", today=TODAY)
    # then: 5 entitled (the probationary member is not counted), the new term 2 is current
    assert (election.entitled, election.attending, election.previous_term_id) == (5, 5, old.pk)
    term = election.term
    assert (term.number, term.start_date, term.end_date, term.is_current) == (2, HELD, dt.date(2027, 6, 20), True)
    old.refresh_from_db()
    old_seat.refresh_from_db()
    assert (old.is_current, old_seat.until) == (False, HELD)
    seats = sorted(CommitteeSeat.objects.filter(term=term).values_list("member_id", "position", "since"))
    assert seats == sorted([(voters[0].pk, "secretary", HELD), (voters[1].pk, "organization", HELD),
                            (voters[2].pk, "member", HELD)])
    assert list(election.results.values_list("member_id", "votes", "elected", "position")) == [
        (voters[0].pk, 5, True, "secretary"), (voters[1].pk, 4, True, "organization"), (voters[2].pk, 4, True, "member"),
        (voters[3].pk, 1, False, "")]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))[-6:]
    assert actions == ["members.seat_end", "orgs.term_create", "members.seat_assign", "members.seat_assign",
                       "members.seat_assign", "meetings.election_record"]
    assert seen == [ElectionRecorded(org_ids=(tree["A1"].pk,), election_id=election.pk, term_id=term.pk)]
    events.unsubscribe(ElectionRecorded, seen.append)


@pytest.mark.parametrize(
    ("_case", "attending", "results", "errors"),
    [
        ("no_quorum", 2, ((0, 2, True, "secretary"), (1, 1, False, "")), [("meetings.election_quorum", "attending")]),
        ("more_than_entitled", 6, GOOD, [("meetings.election_attending", "attending")]),
        ("probationary_candidate", 5, (*GOOD, ("probationary", 3, True, "")),
         [("meetings.election_candidate_not_voter", "results.4.member")]),
        ("other_branch_candidate", 5, (*GOOD, ("other", 3, True, "")),
         [("meetings.election_candidate_not_voter", "results.4.member")]),
        ("no_majority", 5, ((0, 5, True, "secretary"), (1, 2, True, "")),
         [("meetings.election_majority", "results.1.votes")]),
        ("votes_over_attending", 4, ((0, 5, True, "secretary"),), [("meetings.election_votes", "results.0.votes")]),
        ("two_secretaries", 5, ((0, 5, True, "secretary"), (1, 5, True, "secretary")),
         [("meetings.election_secretary", "results")]),
        ("no_secretary", 5, ((0, 5, True, "organization"),), [("meetings.election_secretary", "results")]),
        ("position_for_loser", 5, ((0, 5, True, "secretary"), (1, 1, False, "publicity")),
         [("meetings.election_position", "results.1.position")]),
        ("nobody_elected", 5, ((0, 1, False, ""),), [("meetings.election_candidates", "results")]),
        ("no_results", 5, (), [("meetings.election_candidates", "results")]),
    ],
)
def test_bad_election_is_refused_and_nothing_is_written(tree, branch, voters, _case, attending, results, errors):
    # given
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2021, 6, 15))
    people = {"probationary": branch.probationary, "other": branch.other}
    rows = [{"member": (people[i] if isinstance(i, str) else voters[i]).pk, "votes": v, "elected": e, "position": p}
            for i, v, e, p in results]
    before = _state()
    # when
    with pytest.raises(DomainError) as exc:
        election_record(actor=None, org=tree["A1"], held_on=HELD, attending=attending, results=rows, today=TODAY)
    # then
    assert [(e.code, e.field) for e in exc.value.errors] == errors
    assert _state() == before


def test_election_date_rules(tree, branch, voters):
    term_create(actor=None, org=tree["A1"], start_date=dt.date(2021, 6, 15))
    before = _state()
    for held_on, code in ((dt.date(2024, 7, 2), "meetings.election_date"),
                          (dt.date(2021, 6, 15), "meetings.election_not_latest")):
        with pytest.raises(DomainError) as exc:
            election_record(actor=None, org=tree["A1"], held_on=held_on, attending=5, results=_results(voters, *GOOD),
                            today=TODAY)
        assert [(e.code, e.field) for e in exc.value.errors] == [(code, "held_on")]
    assert _state() == before


def test_election_outside_scope_is_404(tree, branch, voters, user_factory):
    actor = user_factory("b", "branch_secretary", tree["B1"], scope="subtree")
    before = _state()
    with pytest.raises(Http404):
        election_record(actor=actor, org=tree["A1"], held_on=HELD, attending=5, results=_results(voters, *GOOD),
                        today=TODAY)
    assert _state() == before


@pytest.fixture
def election(tree, branch, voters):
    return election_record(actor=None, org=tree["A1"], held_on=HELD, attending=5, results=_results(voters, *GOOD),
                           today=TODAY)


def test_higher_org_approves_the_secretary(tree, election):
    election_approve(actor=None, election=election, approved_by=tree["A"], approved_on=dt.date(2024, 6, 28),
                     approval_doc="甲委组〔2024〕8号", today=TODAY)
    election.refresh_from_db()
    assert (election.approved_by_id, election.approved_on, election.approval_doc, election.is_approved) == (
        tree["A"].pk, dt.date(2024, 6, 28), "甲委组〔2024〕8号", True)
    assert AuditEntry.objects.order_by("-seq").first().action == "meetings.election_approve"
    with pytest.raises(DomainError) as exc:
        election_approve(actor=None, election=election, approved_by=tree["G"], approved_on=dt.date(2024, 6, 29),
                         approval_doc="x", today=TODAY)
    assert [e.code for e in exc.value.errors] == ["meetings.approval_done"]


@pytest.mark.parametrize(
    ("_case", "org", "on", "doc", "errors"),
    [
        ("same_org", "A1", dt.date(2024, 6, 28), "x", [("meetings.approval_org", "approved_by")]),
        ("other_committee", "B", dt.date(2024, 6, 28), "x", [("meetings.approval_org", "approved_by")]),
        ("before_election", "A", dt.date(2024, 6, 19), "x", [("meetings.approval_date", "approved_on")]),
        ("future", "A", dt.date(2024, 7, 2), "x", [("meetings.approval_date", "approved_on")]),
        ("no_doc", "A", dt.date(2024, 6, 28), "", [("meetings.approval_doc", "approval_doc")]),
    ],
)
def test_bad_approval_is_refused(tree, election, _case, org, on, doc, errors):
    before = _state()
    with pytest.raises(DomainError) as exc:
        election_approve(actor=None, election=election, approved_by=tree[org], approved_on=on, approval_doc=doc,
                         today=TODAY)
    assert [(e.code, e.field) for e in exc.value.errors] == errors
    assert _state() == before


def test_a_branch_secretary_cannot_approve_their_own_election(tree, election, user_factory):
    actor = user_factory("a1sec", "branch_secretary", tree["A1"], scope="org")
    with pytest.raises(Http404):
        election_approve(actor=actor, election=election, approved_by=tree["A"], approved_on=dt.date(2024, 6, 28),
                         approval_doc="x", today=TODAY)
