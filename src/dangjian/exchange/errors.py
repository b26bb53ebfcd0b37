"""Error codes of data exchange (STYLE §11): file-level and cell-level; row rules keep their app's codes."""
from enum import StrEnum

__all__ = ["ExchangeError"]


class ExchangeError(StrEnum):
    FILE_UNREADABLE = "exchange.file_unreadable"
    FILE_TYPE = "exchange.file_type"
    FILE_TOO_LARGE = "exchange.file_too_large"
    TOO_MANY_ROWS = "exchange.too_many_rows"
    FILE_EMPTY = "exchange.file_empty"
    COLUMN_MISSING = "exchange.column_missing"
    COLUMN_DUPLICATE = "exchange.column_duplicate"
    REQUIRED = "exchange.required"
    DATE_INVALID = "exchange.date_invalid"
    DATE_IN_FUTURE = "exchange.date_in_future"
    CODE_UNKNOWN = "exchange.code_unknown"
    NUMBER_INVALID = "exchange.number_invalid"
    BOOL_INVALID = "exchange.bool_invalid"
    TOO_LONG = "exchange.too_long"
    ID_NUMBER_INVALID = "exchange.id_number_invalid"
    ORG_UNKNOWN = "exchange.org_unknown"
    ORG_AMBIGUOUS = "exchange.org_ambiguous"
    ORG_OUTSIDE = "exchange.org_outside"
    UNIT_UNKNOWN = "exchange.unit_unknown"
    DUPLICATE_IN_FILE = "exchange.duplicate_in_file"
    DUPLICATE_IN_REGISTER = "exchange.duplicate_in_register"
    PERSON_UNKNOWN = "exchange.person_unknown"
    NAME_MISMATCH = "exchange.name_mismatch"
    PARENT_CHANGE = "exchange.parent_change"
    PROFILE_INVALID = "exchange.profile_invalid"
    JOB_STATE = "exchange.job_state"
