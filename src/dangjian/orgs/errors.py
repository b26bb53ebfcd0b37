"""Error codes of the organisation domain."""
from enum import StrEnum

__all__ = ["OrgsError"]


class OrgsError(StrEnum):
    PARENT_NOT_ALLOWED = "orgs.parent_not_allowed"
    ROOT_NOT_ALLOWED = "orgs.root_not_allowed"
    PARENT_DISSOLVED = "orgs.parent_dissolved"
    CODE_TAKEN = "orgs.code_taken"
    MOVE_INTO_ITSELF = "orgs.move_into_itself"
    HAS_CHILDREN = "orgs.has_children"
    HAS_MEMBERS = "orgs.has_members"
    ALREADY_DISSOLVED = "orgs.already_dissolved"
    CHILD_TYPE_CONFLICT = "orgs.child_type_conflict"
    UNKNOWN_ORG = "orgs.unknown_org"
    UNKNOWN_UNIT = "orgs.unknown_unit"
    MAPPING_RANGE = "orgs.mapping_range"
    MAPPING_OVERLAP = "orgs.mapping_overlap"
    TERM_NUMBER = "orgs.term_number"
    TERM_ORG_TYPE = "orgs.term_org_type"
