"""Domain events member development emits (through ``core.events``, after commit)."""
from enum import StrEnum

__all__ = ["DevelopmentEvent"]


class DevelopmentEvent(StrEnum):
    # payload: pipeline_ids: list[int], org_ids: list[int]
    CHANGED = "development.changed"
    # payload: pipeline_id, member_id, org_id — a probationary member was admitted to the register
    ADMITTED = "development.admitted"
    # payload: pipeline_id, member_id, org_id, full_member_on — a probationary member became full
    CONVERTED = "development.converted"
    # payload: code — a rule's parameters changed; stored deadlines are recomputed by a task
    RULES_CHANGED = "development.rules_changed"
