"""Elections (换届选举, DOMAIN §3): recording an election creates the new committee term through
``orgs.services.term_create`` and its seats through ``members.services.seat_assign`` (ending the outgoing
committee's seats), all in one transaction; the higher organisation's approval of the secretary and
deputy is recorded afterwards. Permission: ``orgs.change`` on the org (approval: on the higher org)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.parsing import parse_int
from dangjian.core.scoping import system_if_none
from dangjian.meetings.choices import ElectionsPerm
from dangjian.meetings.errors import MeetingsError
from dangjian.meetings.events import ElectionRecorded
from dangjian.meetings.models import ElectionRecord, ElectionResult
from dangjian.meetings.selectors.elections import voter_roll
from dangjian.meetings.services.common import check_text
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.services import seat_assign, seat_end
from dangjian.orgs.choices import OrgType, Position
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.selectors import require_org_in_scope
from dangjian.orgs.services import term_create

__all__ = ["COMMITTEE_POSITIONS", "election_approve", "election_record"]

# Positions an election fills (the party group leader is appointed, not elected).
COMMITTEE_POSITIONS = [p for p in Position.values if p != Position.GROUP_LEADER]


def _int(value: Any) -> int | None:
    # ASCII digits within a database integer: "³" or 10**30 is a field error, not a 500 (issue 7)
    return parse_int(value, minimum=-(2**31), maximum=2**31 - 1)


def _check_results(results: Iterable[Any], voters: dict[int, Member], attending: int | None,
                   errors: list[FieldError]) -> list[tuple[int, int, bool, str]]:
    out: list[tuple[int, int, bool, str]] = []
    seen: set[int] = set()
    for i, entry in enumerate(results or []):
        data = entry if isinstance(entry, dict) else vars(entry)
        member_id = _int(getattr(data.get("member"), "pk", data.get("member")))
        votes = _int(data.get("votes"))
        elected = bool(data.get("elected"))
        position = str(data.get("position") or "")
        if member_id is None or member_id not in voters:
            # DOMAIN §3 "Who votes": only full members stand for election (probationary members do not)
            errors.append(FieldError(MeetingsError.ELECTION_CANDIDATE_NOT_VOTER, f"results.{i}.member",
                                     _("候选人须是本组织有选举权和被选举权的正式党员")))
            continue
        if member_id in seen:
            errors.append(FieldError(MeetingsError.ELECTION_CANDIDATE_DUPLICATE, f"results.{i}.member",
                                     _("同一候选人填写了两次")))
            continue
        seen.add(member_id)
        if votes is None or votes < 0 or (attending is not None and votes > attending):
            errors.append(FieldError(MeetingsError.ELECTION_VOTES, f"results.{i}.votes",
                                     _("得票数应在 0 到实到人数之间")))
            continue
        if elected and attending is not None and votes * 2 <= attending:
            # Election Regs 2020: elected with more than half the votes of the voters present
            errors.append(FieldError(MeetingsError.ELECTION_MAJORITY, f"results.{i}.votes",
                                     _("当选须获得超过实到会有选举权人数一半的赞成票")))
            continue
        if position and (not elected or position not in COMMITTEE_POSITIONS):
            errors.append(FieldError(MeetingsError.ELECTION_POSITION, f"results.{i}.position",
                                     _("只有当选者可以任职，职务应为书记、副书记或委员")))
            continue
        out.append((member_id, votes, elected, (position or Position.MEMBER) if elected else ""))
    return out


@transaction.atomic
def election_record(*, actor: Any, org: Organization, held_on: dt.date | None, attending: Any,
                    results: Iterable[Any], note: str = "", term_years: int | None = None,
                    today: dt.date | None = None) -> ElectionRecord:
    """Records a committee election of *org* held on *held_on* and installs the elected committee.

    Voters entitled are counted from the register: full members of the org only (DOMAIN §3 "Who
    votes"); *attending* must be more than half of them (DOMAIN §3 quorum). Each result names a
    candidate (a voter), the votes received, whether elected (more than half of *attending*) and the
    position taken (exactly one 书记 among the elected). Then: the outgoing term's open seats end on
    *held_on*, a new term starts on *held_on* (``term_create``) and each elected member takes a seat
    (``seat_assign``). Audit: ``meetings.election_record`` (plus the term and seat entries of those
    services). Side effect: ``meetings.election_recorded`` after commit.
    """
    require_org_in_scope(actor=actor, org=org, perm=ElectionsPerm.CHANGE)
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    if org.org_type == OrgType.GROUP:
        errors.append(FieldError(MeetingsError.ELECTION_ORG_TYPE, "org", _("党小组不选举委员会")))
    previous = CommitteeTerm.objects.filter(org=org, is_current=True).first()
    if not isinstance(held_on, dt.date):
        errors.append(FieldError(MeetingsError.ELECTION_DATE, "held_on", _("请填写选举日期")))
    elif held_on > today:
        errors.append(FieldError(MeetingsError.ELECTION_DATE, "held_on", _("选举日期不能晚于今天")))
    elif previous is not None and held_on <= previous.start_date:
        errors.append(FieldError(MeetingsError.ELECTION_NOT_LATEST, "held_on",
                                 _("选举日期须晚于本届委员会的选举日期（%(d)s）") % {"d": previous.start_date.isoformat()}))
    voters = {m.pk: m for m in voter_roll(actor=system_if_none(actor), org=org, perm=ElectionsPerm.CHANGE)}
    entitled = len(voters)
    present = _int(attending)
    if present is None or present < 1 or present > entitled:
        errors.append(FieldError(MeetingsError.ELECTION_ATTENDING, "attending",
                                 _("实到人数应在 1 到应到人数（%(n)s，正式党员）之间") % {"n": entitled}))
        present = None
    elif present * 2 <= entitled:
        errors.append(FieldError(MeetingsError.ELECTION_QUORUM, "attending",
                                 _("实到有选举权的党员须超过应到人数（%(n)s）的一半") % {"n": entitled}))
    rows = _check_results(results, voters, present, errors)
    elected = [r for r in rows if r[2]]
    if not rows and not any(e.field and e.field.startswith("results") for e in errors):
        errors.append(FieldError(MeetingsError.ELECTION_CANDIDATES, "results", _("请填写候选人得票情况")))
    elif rows and not elected:
        errors.append(FieldError(MeetingsError.ELECTION_CANDIDATES, "results", _("没有当选者")))
    secretaries = [r for r in elected if r[3] == Position.SECRETARY]
    if elected and len(secretaries) != 1:
        errors.append(FieldError(MeetingsError.ELECTION_SECRETARY, "results", _("当选者中须有且只有一名书记")))
    note = check_text(note, "note", errors, max_length=200)
    if errors:
        raise DomainError(errors)
    if previous is not None:
        for seat in CommitteeSeat.objects.filter(term=previous, until__isnull=True).select_related("term__org"):
            seat_end(actor=actor, seat=seat, until=held_on)
    term = term_create(actor=actor, org=org, start_date=held_on, term_years=term_years)
    election = ElectionRecord.objects.create(org=org, held_on=held_on, entitled=entitled, attending=present,
                                             term=term, previous_term=previous, note=note)
    ElectionResult.objects.bulk_create([
        ElectionResult(election=election, member_id=member_id, votes=votes, elected=is_elected, position=position)
        for member_id, votes, is_elected, position in rows
    ])
    # the secretary first, so the one-secretary rule of seat_assign sees the committee in order
    for member_id, _votes, _elected, position in sorted(elected, key=lambda r: r[3] != Position.SECRETARY):
        seat_assign(actor=actor, term=term, member=voters[member_id], position=position, since=held_on)
    record(actor=actor, action=AuditAction.ELECTION_RECORDED, target=election, org=org, after={
        "held_on": held_on, "entitled": entitled, "attending": present, "term": term.number,
        "results": [{"member": m, "votes": v, "elected": e, "position": p} for m, v, e, p in rows],
    }, reason=note)
    events.publish(ElectionRecorded(org_ids=(org.pk,), election_id=election.pk, term_id=term.pk))
    return election


@transaction.atomic
def election_approve(*, actor: Any, election: ElectionRecord, approved_by: Organization | None,
                     approved_on: dt.date | None, approval_doc: str, today: dt.date | None = None) -> ElectionRecord:
    """Records the higher organisation's approval of the elected secretary and deputy (DOMAIN §3
    "Approval of secretary and deputy"): *approved_by* must be above the election's org, the date on
    or after the election and not in the future, the document number given. Permission: ``orgs.change``
    on *approved_by*. Audit: ``meetings.election_approve``."""
    election = ElectionRecord.objects.select_for_update(of=("self",)).select_related("org").get(pk=election.pk)
    if approved_by is not None:
        require_org_in_scope(actor=actor, org=approved_by, perm=ElectionsPerm.CHANGE)
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    if election.approved_on is not None:
        errors.append(FieldError(MeetingsError.APPROVAL_DONE, None, _("已登记上级批复")))
    path = election.org.path
    if approved_by is None or not (path.startswith(approved_by.path) and approved_by.path != path):
        errors.append(FieldError(MeetingsError.APPROVAL_ORG, "approved_by", _("须由上级党组织批准")))
    if not isinstance(approved_on, dt.date) or approved_on > today or approved_on < election.held_on:
        errors.append(FieldError(MeetingsError.APPROVAL_DATE, "approved_on",
                                 _("批准日期应在选举日期（%(d)s）之后且不晚于今天") % {"d": election.held_on.isoformat()}))
    doc = check_text(approval_doc, "approval_doc", errors, max_length=100, required=True,
                     required_message=_("请填写批准文号"), required_code=MeetingsError.APPROVAL_DOC)
    if errors:
        raise DomainError(errors)
    election.approved_by, election.approved_on, election.approval_doc = approved_by, approved_on, doc
    election.save(update_fields=["approved_by", "approved_on", "approval_doc", "updated_at"])
    record(actor=actor, action=AuditAction.ELECTION_APPROVED, target=election, org=election.org,
           after={"approved_by": approved_by.pk, "approved_on": approved_on, "approval_doc": doc})
    return election
