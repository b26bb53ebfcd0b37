"""Error codes of the health app (STYLE §11)."""
from enum import StrEnum

__all__ = ["HealthError"]


class HealthError(StrEnum):
    UNKNOWN_RULE = "health.unknown_rule"
    PARAM_UNKNOWN = "health.param_unknown"
    PARAM_TYPE = "health.param_type"
    PARAM_OUT_OF_RANGE = "health.param_out_of_range"
    PARAM_INCONSISTENT = "health.param_inconsistent"
    INVALID_SEVERITY = "health.invalid_severity"
    UNKNOWN_ROLE = "health.unknown_role"
    REASON_REQUIRED = "health.reason_required"
    NOT_OPEN = "health.finding_not_open"
    INVALID = "health.invalid"
