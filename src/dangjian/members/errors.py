"""Error codes of the member register."""
from enum import StrEnum

__all__ = ["MembersError"]


class MembersError(StrEnum):
    ID_NUMBER_DUPLICATE = "members.id_number_duplicate"
    BIRTH_DATE_MISMATCH = "members.birth_date_mismatch"
    GENDER_MISMATCH = "members.gender_mismatch"
    ORG_NOT_BRANCH = "members.org_not_branch"
    ORG_DISSOLVED = "members.org_dissolved"
    GROUP_NOT_IN_BRANCH = "members.group_not_in_branch"
    GROUP_NOT_GROUP = "members.group_not_group"
    FULL_DATE_REQUIRED = "members.full_date_required"
    FULL_BEFORE_JOINED = "members.full_before_joined"
    DATE_IN_FUTURE = "members.date_in_future"
    PHONE_INVALID = "members.phone_invalid"
    ETHNICITY_INVALID = "members.ethnicity_invalid"
    USER_TAKEN = "members.user_taken"
    SEAT_ORG = "members.seat_org"
    SEAT_TAKEN = "members.seat_taken"
    SAME_BRANCH = "members.same_branch"
    BEFORE_PERIOD_START = "members.before_period_start"
    NOT_IN_REGISTER = "members.not_in_register"
