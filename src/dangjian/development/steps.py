"""The 25 steps of DOMAIN §5 as data: number, phase, what must come before, which data each step takes,
and whether it may be recorded more than once. Pure functions over a pipeline's recorded steps decide
what is possible now; services and the timeline share them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from dangjian.development.choices import ConversionOutcome, Stage, StepCode

__all__ = [
    "NOTICE_FIELDS",
    "PHASES",
    "STEPS",
    "StepRecord",
    "StepSpec",
    "blocking_prerequisites",
    "conversion_round",
    "extensions_approved",
    "latest",
    "repeat_refusal",
]

S = StepCode

# Step-specific data fields (beyond on / responsible / notes / document / document_ref).
VOTE_FIELDS = ("entitled", "attending", "written_opinions", "votes_for", "votes_against", "votes_abstain")
NOTICE_FIELDS = ("notice_start", "notice_end")


@dataclass(frozen=True)
class StepSpec:
    code: str
    number: int
    phase: int
    requires: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    periodic: bool = False  # may be recorded any number of times (assessments)

    @property
    def title(self) -> str:
        return str(StepCode(self.code).label)


PHASES = {
    1: _("申请入党"),
    2: _("确定入党积极分子"),
    3: _("确定发展对象"),
    4: _("接收预备党员"),
    5: _("预备党员教育考察和转正"),
}
PHASE_STAGE = {1: Stage.APPLICANT, 2: Stage.ACTIVIST, 3: Stage.CANDIDATE, 4: Stage.CANDIDATE, 5: Stage.PROBATIONARY}

_SPECS = (
    StepSpec(S.APPLICATION, 1, 1),
    StepSpec(S.TALK, 2, 1, (S.APPLICATION,)),
    StepSpec(S.ACTIVIST_CONFIRM, 3, 2, (S.TALK,)),
    StepSpec(S.ACTIVIST_RECORD, 4, 2, (S.ACTIVIST_CONFIRM,)),
    StepSpec(S.CONTACTS, 5, 2, (S.ACTIVIST_CONFIRM,), ("contacts",)),
    StepSpec(S.ACTIVIST_EDUCATION, 6, 2, (S.CONTACTS,), periodic=True),
    StepSpec(S.CANDIDATE_CONFIRM, 7, 3, (S.ACTIVIST_RECORD, S.ACTIVIST_EDUCATION)),
    StepSpec(S.CANDIDATE_RECORD, 8, 3, (S.CANDIDATE_CONFIRM,)),
    StepSpec(S.INTRODUCERS, 9, 3, (S.CANDIDATE_CONFIRM,), ("introducers",)),
    StepSpec(S.POLITICAL_REVIEW, 10, 3, (S.CANDIDATE_CONFIRM,), ("review_passed", "conclusion")),
    StepSpec(S.TRAINING, 11, 3, (S.CANDIDATE_CONFIRM,), ("training_days", "class_hours")),
    StepSpec(S.BRANCH_REVIEW, 12, 4, (S.CANDIDATE_RECORD, S.INTRODUCERS, S.POLITICAL_REVIEW, S.TRAINING)),
    StepSpec(S.PREREVIEW, 13, 4, (S.BRANCH_REVIEW,)),
    StepSpec(S.APPLICATION_FORM, 14, 4, (S.PREREVIEW,)),
    StepSpec(S.ADMISSION_MEETING, 15, 4, (S.APPLICATION_FORM,), VOTE_FIELDS),
    StepSpec(S.COMMITTEE_TALK, 16, 4, (S.ADMISSION_MEETING,)),
    StepSpec(S.ADMISSION_APPROVAL, 17, 4, (S.COMMITTEE_TALK,), ("approver", "approved", "extension_reason")),
    StepSpec(S.ADMISSION_RECORD, 18, 4, (S.ADMISSION_APPROVAL,)),
    StepSpec(S.PLACEMENT, 19, 5, (S.ADMISSION_APPROVAL,), ("party_group",)),
    StepSpec(S.OATH, 20, 5, (S.ADMISSION_APPROVAL,)),
    StepSpec(S.PROBATION_EDUCATION, 21, 5, (S.ADMISSION_APPROVAL,), periodic=True),
    StepSpec(S.CONVERSION_APPLICATION, 22, 5, (S.OATH,)),
    StepSpec(S.CONVERSION_MEETING, 23, 5, (S.CONVERSION_APPLICATION,),
             (*VOTE_FIELDS, "conversion_outcome", "extension_months")),
    StepSpec(S.CONVERSION_APPROVAL, 24, 5, (S.CONVERSION_MEETING,), ("approver", "extension_reason")),
    StepSpec(S.ARCHIVE, 25, 5, (S.CONVERSION_APPROVAL,)),
)
STEPS: dict[str, StepSpec] = {spec.code: spec for spec in _SPECS}


class StepRecord(Protocol):
    """What the rules need of a recorded step (a ``Step`` row or a test double)."""

    pk: int | None
    code: str
    on: dt.date
    passed: bool | None
    review_passed: bool | None
    approved: bool | None
    conversion_outcome: str


def latest(records: Sequence[StepRecord], code: str) -> StepRecord | None:
    """The most recently recorded step of *code* (records are in recording order)."""
    for record in reversed(records):
        if record.code == code:
            return record
    return None


def conversion_round(records: Sequence[StepRecord]) -> Sequence[StepRecord]:
    """The records of the current conversion round: everything after the last approved extension of
    the probation (after which a new application, meeting and approval follow)."""
    start = 0
    meeting = None
    for index, record in enumerate(records):
        if record.code == S.CONVERSION_MEETING:
            meeting = record
        elif record.code == S.CONVERSION_APPROVAL and meeting is not None:
            if meeting.conversion_outcome == ConversionOutcome.EXTEND:
                start = index + 1
    return records[start:]


def extensions_approved(records: Sequence[StepRecord]) -> int:
    """How many times the higher committee approved an extension of the probation."""
    count = 0
    meeting = None
    for record in records:
        if record.code == S.CONVERSION_MEETING:
            meeting = record
        elif record.code == S.CONVERSION_APPROVAL and meeting is not None:
            count += meeting.conversion_outcome == ConversionOutcome.EXTEND
    return count


def _satisfied(record: StepRecord | None, code: str) -> bool:
    """A prerequisite counts when recorded with a positive result where the step has one."""
    if record is None:
        return False
    if code == S.POLITICAL_REVIEW:
        return bool(record.review_passed)
    if code in (S.ADMISSION_MEETING, S.CONVERSION_MEETING):
        return bool(record.passed)
    if code == S.ADMISSION_APPROVAL:
        return bool(record.approved)
    return True


_ROUND_STEPS = (S.CONVERSION_APPLICATION, S.CONVERSION_MEETING, S.CONVERSION_APPROVAL)


def blocking_prerequisites(records: Sequence[StepRecord], code: str) -> list[str]:
    """The steps that must (still) be recorded, or recorded with a positive result, before *code*.

    Conversion steps look only at the current round (see :func:`conversion_round`).
    """
    current = conversion_round(records)
    missing = []
    for req in STEPS[code].requires:
        pool = current if (req in _ROUND_STEPS and code in (*_ROUND_STEPS, S.ARCHIVE)) else records
        if not _satisfied(latest(pool, req), req):
            missing.append(req)
    return missing


def repeat_refusal(records: Sequence[StepRecord], code: str) -> bool:
    """True when *code* is already recorded and may not be recorded again.

    Periodic steps (assessments) repeat freely. A branch meeting whose resolution did not pass may be
    held again. After an approved extension of the probation a new round of conversion application,
    meeting and approval follows.
    """
    spec = STEPS[code]
    if spec.periodic:
        return False
    if code in _ROUND_STEPS:
        previous = latest(conversion_round(records), code)
        if code == S.CONVERSION_MEETING:
            return previous is not None and bool(previous.passed)
        return previous is not None
    previous = latest(records, code)
    if code == S.ADMISSION_MEETING:
        return previous is not None and bool(previous.passed)
    return previous is not None
