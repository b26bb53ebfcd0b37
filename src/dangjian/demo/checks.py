"""Checks of a built demo (issue #18): every planted record must pass the services' own rules on its
date, which the bulk paths and the plants' choices must respect although the services only check
"now". Used by the seed-sweep test (``demo/tests/test_seed_sweep.py``) and the full-size slow check
(``bench/demo_bench.py``):

- status changes: a move the state machine allows from the status before, no earlier than joining or
  the member's arrival at the branch, in date order per member (``transfers.services.status``);
- transfers: issued to another active branch that existed then, by a branch the member belonged to on
  the issue day, no earlier than joining, due date from the letter's validity (``transfer_initiate``);
- contacts and introducers: full members of the applicant's branch on the day they were named, not out
  of contact (``development.services.common.resolve_full_members``); no application to a branch not
  yet set up;
- committee seats ended no earlier than they began; every member touched passes
  ``members.services.validate_member``;
- roll calls: only people who belonged to the organisation that day, absent once they lost contact; no
  meeting before the organisation was set up; no dues bill for a month before joining, no payment
  from the month a member lost contact.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise
from typing import NamedTuple

from dangjian.development.models import StepPerson
from dangjian.dues.models import DuesBill, DuesPayment
from dangjian.meetings.models import Attendance, Meeting
from dangjian.members.choices import Category
from dangjian.members.models import CommitteeSeat, Member, MembershipPeriod
from dangjian.members.services import validate_member
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization
from dangjian.transfers.choices import TRANSFERABLE_MEMBER_STATUSES, TRANSITIONS
from dangjian.transfers.models import StatusChange, Transfer
from dangjian.transfers.rules import letter_due_on

__all__ = ["planted_problems"]


class _Member(NamedTuple):
    pk: int
    org_id: int
    joined_on: dt.date
    full_member_on: dt.date | None
    category: str
    status: str


class _Register:
    """Who belonged to which organisation when: membership periods where the services wrote them, else
    (members written in bulk) the current branch from the day of joining."""

    def __init__(self) -> None:
        self.members = {row[0]: _Member(*row) for row in Member.objects.values_list(
            "pk", "org_id", "joined_on", "full_member_on", "category", "status").iterator(chunk_size=10_000)}
        self.periods: dict[int, list[MembershipPeriod]] = defaultdict(list)
        for period in MembershipPeriod.objects.order_by("valid_from", "pk"):
            self.periods[period.member_id].append(period)

    def org_on(self, member_id: int, day: dt.date) -> int | None:
        member = self.members[member_id]
        if day < member.joined_on:
            return None
        periods = self.periods.get(member_id)
        if not periods:
            return member.org_id
        for p in periods:
            if p.valid_from <= day and (p.valid_to is None or day < p.valid_to):
                return p.org_id
        return None


def planted_problems(today: dt.date) -> list[str]:
    """What in the demo database the services' rules would refuse on its date (empty when all is well);
    one line per problem. Reads the attendance and the bills once, streamed."""
    register = _Register()
    orgs = {o.pk: o for o in Organization.objects.all()}
    out: list[str] = []

    def at(member_id: int, org_id: int, day: dt.date, what: str) -> None:
        if register.org_on(member_id, day) != org_id:
            out.append(f"{what}: member {member_id} not at org {orgs[org_id].code} on {day}")

    changes = defaultdict(list)
    for c in StatusChange.objects.order_by("effective_on", "pk"):
        changes[c.member_id].append(c)
        sources, target = TRANSITIONS[c.transition]
        if c.from_status not in sources or c.to_status != target:
            out.append(f"status change {c.pk}: {c.transition} from {c.from_status} to {c.to_status}")
        if c.effective_on > today:
            out.append(f"status change {c.pk} after {today}")
        at(c.member_id, c.org_id, c.effective_on, f"status change {c.pk}")
    for member_changes in changes.values():
        for before, after in pairwise(member_changes):
            if after.from_status != before.to_status:
                out.append(f"status changes {before.pk}, {after.pk} out of order")
    lost_on = {m: min(c.effective_on for c in cs if c.to_status == "lost")
               for m, cs in changes.items() if any(c.to_status == "lost" for c in cs)}

    for t in Transfer.objects.all():
        to = orgs[t.to_org_id]
        if (to.org_type != OrgType.BRANCH or to.status != OrgStatus.ACTIVE or to.pk == t.from_org_id
                or (to.established_on and to.established_on > t.issued_on)):
            out.append(f"transfer {t.pk}: destination {to.code}")
        if t.due_on != letter_due_on(t.issued_on, t.validity_days) or t.issued_on > today:
            out.append(f"transfer {t.pk}: letter dates")
        if register.members[t.member_id].status not in TRANSFERABLE_MEMBER_STATUSES:
            out.append(f"transfer {t.pk}: member status {register.members[t.member_id].status}")
        at(t.member_id, t.from_org_id, t.issued_on, f"transfer {t.pk}")

    for person in StepPerson.objects.select_related("step__pipeline__applicant"):
        step, member = person.step, register.members[person.member_id]
        if member.category != Category.FULL or (member.full_member_on or member.joined_on) > step.on:
            out.append(f"step {step.pk}: {person.role} {member.pk} not a full member on {step.on}")
        if lost_on.get(member.pk, step.on + dt.timedelta(days=1)) <= step.on:
            out.append(f"step {step.pk}: {person.role} {member.pk} out of contact on {step.on}")
        at(member.pk, step.pipeline.applicant.org_id, step.on, f"step {step.pk} {person.role}")
        applied = step.pipeline.applied_on
        org = orgs[step.pipeline.applicant.org_id]
        if org.established_on and org.established_on > applied:
            out.append(f"pipeline {step.pipeline_id}: applied on {applied} to {org.code} set up {org.established_on}")

    for seat in CommitteeSeat.objects.filter(until__isnull=False):
        if seat.until < seat.since:
            out.append(f"seat {seat.pk}: ended {seat.until} before it began {seat.since}")
    touched = ({c.member_id for cs in changes.values() for c in cs} | set(register.periods)
               | set(Transfer.objects.values_list("member_id", flat=True)))
    for member in Member.objects.filter(pk__in=sorted(touched)).order_by("pk"):
        out += [f"member {member.pk}: {e.field}: {e.message}" for e in validate_member(member, today=today)]

    for meeting in Meeting.objects.all():
        org = orgs[meeting.org_id]
        if org.established_on and meeting.meeting_date < org.established_on:
            out.append(f"meeting {meeting.pk} of {org.code} on {meeting.meeting_date}, set up {org.established_on}")
    rows = Attendance.objects.values_list("pk", "member_id", "status", "meeting__org_id", "meeting__org__org_type",
                                          "meeting__meeting_date")
    for pk, member_id, status, org_id, org_type, day in rows.iterator(chunk_size=5000):
        if org_type == OrgType.BRANCH:
            at(member_id, org_id, day, f"attendance {pk}")
        elif register.org_on(member_id, day) is None:
            out.append(f"attendance {pk}: member {member_id} not yet a member on {day}")
        if status != "absent" and lost_on.get(member_id, day + dt.timedelta(days=1)) <= day:
            out.append(f"attendance {pk}: member {member_id} {status} after losing contact")
    payments = DuesPayment.objects.filter(member_id__in=sorted(lost_on)).values_list("pk", "member_id", "paid_on")
    for pk, member_id, paid_on in payments:
        if paid_on >= lost_on[member_id].replace(day=1):
            out.append(f"payment {pk}: member {member_id} paid on {paid_on}, out of contact since {lost_on[member_id]}")
    for bill_id, period, joined in DuesBill.objects.values_list("pk", "period", "member__joined_on").iterator(
            chunk_size=10_000):
        if period < f"{joined:%Y-%m}":
            out.append(f"bill {bill_id}: {period} before joining on {joined}")
    return out
