"""What comes next in a pipeline, and by when (pure: pipeline dates + recorded steps + rules).

The services store the result on the pipeline (``next_step``, ``next_possible_on``, ``next_due``) so
the board reads it with one query per column; the timeline recomputes it with today's date to mark
overdue items.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from dangjian.development.choices import Stage, StepCode
from dangjian.development.rules import RuleCode, RuleSet, add_months, approval_deadlines
from dangjian.development.steps import (
    STEPS,
    StepRecord,
    blocking_prerequisites,
    conversion_round,
    latest,
    repeat_refusal,
)

__all__ = ["NextStep", "Plan", "compute_plan"]

S = StepCode


@dataclass(frozen=True)
class NextStep:
    code: str
    possible_on: dt.date | None = None  # not before this date (a statutory minimum)
    due: dt.date | None = None  # by this date (a deadline); later is overdue

    @property
    def number(self) -> int:
        return STEPS[self.code].number

    @property
    def title(self) -> str:
        return STEPS[self.code].title

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and today > self.due

    def waiting(self, today: dt.date) -> bool:
        return self.possible_on is not None and today < self.possible_on


@dataclass(frozen=True)
class Plan:
    steps: tuple[NextStep, ...]

    @property
    def primary(self) -> NextStep | None:
        return self.steps[0] if self.steps else None

    @property
    def due(self) -> dt.date | None:
        dues = [s.due for s in self.steps if s.due is not None]
        return min(dues) if dues else None

    def get(self, code: str) -> NextStep | None:
        return next((s for s in self.steps if s.code == code), None)

    def overdue(self, today: dt.date) -> bool:
        return any(s.overdue(today) for s in self.steps)


def _enabled(rules: RuleSet, code: str) -> bool:
    return rules[code].enabled


def _dates(pipeline: Any, records: Sequence[StepRecord], rules: RuleSet, code: str) -> tuple[dt.date | None, dt.date | None]:
    """(possible_on, due) of a pending step."""
    possible = due = None
    if code == S.TALK and _enabled(rules, RuleCode.TALK_DEADLINE):
        due = add_months(pipeline.applied_on, rules[RuleCode.TALK_DEADLINE]["months"])
    elif code == S.ACTIVIST_CONFIRM and _enabled(rules, RuleCode.ACTIVIST_MIN_WAIT):
        wait = rules[RuleCode.ACTIVIST_MIN_WAIT]["months"]
        possible = add_months(pipeline.applied_on, wait) if wait else None
    elif code == S.ACTIVIST_EDUCATION and pipeline.activist_on and _enabled(rules, RuleCode.ACTIVIST_ASSESSMENT):
        last = latest(records, S.ACTIVIST_EDUCATION)
        due = add_months(last.on if last else pipeline.activist_on, rules[RuleCode.ACTIVIST_ASSESSMENT]["months"])
    elif code == S.CANDIDATE_CONFIRM and pipeline.activist_on and _enabled(rules, RuleCode.CANDIDATE_MIN_CULTIVATION):
        possible = pipeline.activist_on + relativedelta(years=rules[RuleCode.CANDIDATE_MIN_CULTIVATION]["years"])
    elif code == S.ADMISSION_MEETING and _enabled(rules, RuleCode.MEETING_AFTER_PREREVIEW):
        prereview = latest(records, S.PREREVIEW)
        if prereview is not None:
            due = add_months(prereview.on, rules[RuleCode.MEETING_AFTER_PREREVIEW]["months"])
    elif code == S.ADMISSION_APPROVAL and _enabled(rules, RuleCode.ADMISSION_APPROVAL_DEADLINE):
        meeting = latest(records, S.ADMISSION_MEETING)
        if meeting is not None:
            due = approval_deadlines(rules[RuleCode.ADMISSION_APPROVAL_DEADLINE], meeting.on)[0]
    elif code == S.OATH and pipeline.admitted_on and _enabled(rules, RuleCode.OATH_DEADLINE):
        due = add_months(pipeline.admitted_on, rules[RuleCode.OATH_DEADLINE]["months"])
    elif code == S.CONVERSION_APPLICATION and pipeline.probation_end:
        due = pipeline.probation_end
    elif code == S.CONVERSION_MEETING and pipeline.probation_end:
        possible = pipeline.probation_end
        if _enabled(rules, RuleCode.CONVERSION_PROMPTLY):
            due = add_months(pipeline.probation_end, rules[RuleCode.CONVERSION_PROMPTLY]["months"])
    elif code == S.CONVERSION_APPROVAL and _enabled(rules, RuleCode.CONVERSION_APPROVAL_DEADLINE):
        meeting = latest(conversion_round(records), S.CONVERSION_MEETING)
        if meeting is not None:
            due = approval_deadlines(rules[RuleCode.CONVERSION_APPROVAL_DEADLINE], meeting.on)[0]
    return possible, due


def compute_plan(pipeline: Any, records: Sequence[StepRecord], rules: RuleSet) -> Plan:
    """The steps that can be recorded next (prerequisites met, not yet done), in step order, each
    with the earliest date the rules allow and its deadline. Periodic assessments of an activist are
    listed after the others with their 6-monthly due date."""
    if pipeline.stage in (Stage.CANCELLED, Stage.WITHDRAWN):
        return Plan(())
    pending: list[NextStep] = []
    periodic: list[NextStep] = []
    for spec in STEPS.values():
        if spec.code == S.APPLICATION or repeat_refusal(records, spec.code):
            continue
        if blocking_prerequisites(records, spec.code):
            continue
        if spec.periodic and latest(records, spec.code) is not None:
            # a recurring assessment: only while the person is at that stage
            if spec.code == S.ACTIVIST_EDUCATION and pipeline.stage == Stage.ACTIVIST:
                periodic.append(NextStep(spec.code, *_dates(pipeline, records, rules, spec.code)))
            continue
        if spec.code == S.PROBATION_EDUCATION and pipeline.stage != Stage.PROBATIONARY:
            continue
        pending.append(NextStep(spec.code, *_dates(pipeline, records, rules, spec.code)))
    return Plan(tuple(pending + periodic))
