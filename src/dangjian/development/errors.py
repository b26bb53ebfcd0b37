"""Error codes of member development, and the field error that names a broken rule (STYLE §11)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dangjian.core.errors import FieldError

__all__ = ["DevelopmentError", "RuleViolation"]


class DevelopmentError(StrEnum):
    # input
    DATE_IN_FUTURE = "development.date_in_future"
    DATE_BEFORE_PREVIOUS = "development.date_before_previous"
    REQUIRED = "development.required"
    INVALID = "development.invalid"
    ID_NUMBER_OPEN_PIPELINE = "development.id_number_open_pipeline"
    ALREADY_MEMBER = "development.already_member"
    BIRTH_DATE_MISMATCH = "development.birth_date_mismatch"
    GENDER_MISMATCH = "development.gender_mismatch"
    PHONE_INVALID = "development.phone_invalid"
    ORG_NOT_BRANCH = "development.org_not_branch"
    ORG_DISSOLVED = "development.org_dissolved"
    # pipeline order
    PIPELINE_CLOSED = "development.pipeline_closed"
    STEP_OUT_OF_ORDER = "development.step_out_of_order"
    STEP_ALREADY_RECORDED = "development.step_already_recorded"
    STEP_NOT_CLOSABLE = "development.step_not_closable"
    # people
    PERSON_NOT_FOUND = "development.person_not_found"
    PERSON_NOT_FULL_MEMBER = "development.person_not_full_member"
    PERSON_DUPLICATE = "development.person_duplicate"
    # votes
    VOTES_EXCEED_ATTENDANCE = "development.votes_exceed_attendance"
    ATTENDANCE_EXCEEDS_ENTITLED = "development.attendance_exceeds_entitled"
    # rules (the code of a violated rule is "development.rule.<rule code>")
    RULE = "development.rule"
    RULE_PARAMS_INVALID = "development.rule_params_invalid"


@dataclass(frozen=True)
class RuleViolation(FieldError):
    """A field error caused by a configurable rule: carries the rule code, its citation and, when
    waiting would help, the first date on which the step becomes possible."""

    rule: str = ""
    citation: str = ""
    possible_on: dt.date | None = None
    warning: bool = False

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["rule"] = self.rule
        data["citation"] = self.citation
        if self.possible_on is not None:
            data["possible_on"] = self.possible_on.isoformat()
        return data
