"""Error codes of transfers and the status machine, and the field error naming a broken rule (STYLE §11)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dangjian.core.errors import FieldError

__all__ = ["RuleViolation", "TransfersError"]


class TransfersError(StrEnum):
    # input
    REQUIRED = "transfers.required"
    INVALID = "transfers.invalid"
    DATE_IN_FUTURE = "transfers.date_in_future"
    DATE_TOO_EARLY = "transfers.date_too_early"
    # destination
    UNKNOWN_ORG = "transfers.unknown_org"
    UNKNOWN_MEMBER = "transfers.unknown_member"
    ORG_DISSOLVED = "transfers.org_dissolved"
    ORG_NOT_BRANCH = "transfers.org_not_branch"
    SAME_ORG = "transfers.same_org"
    # member and transfer state
    IN_TRANSIT = "transfers.in_transit"
    MEMBER_STATUS = "transfers.member_status"
    WRONG_STATUS = "transfers.wrong_status"
    WRONG_KIND = "transfers.wrong_kind"
    # status machine
    STATUS_TRANSITION = "transfers.status_transition"
    HISTORY_MISSING = "transfers.history_missing"
    # rules (the code of a violated rule is "transfers.rule.<rule code>")
    RULE = "transfers.rule"
    RULE_PARAMS_INVALID = "transfers.rule_params_invalid"


@dataclass(frozen=True)
class RuleViolation(FieldError):
    """A field error caused by a configurable rule: the rule code, its citation and, when waiting would
    help, the first date on which the action becomes possible."""

    rule: str = ""
    citation: str = ""
    possible_on: dt.date | None = None

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["rule"] = self.rule
        data["citation"] = self.citation
        if self.possible_on is not None:
            data["possible_on"] = self.possible_on.isoformat()
        return data
