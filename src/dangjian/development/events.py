"""Domain events member development emits (through ``core.events``, after commit)."""
import datetime as dt
from dataclasses import dataclass

from dangjian.core.events import DomainEvent, OrgDataChanged

__all__ = ["DevelopmentChanged", "DevelopmentRulesChanged", "MemberAdmitted", "MemberConverted"]


@dataclass(frozen=True, kw_only=True)
class DevelopmentChanged(OrgDataChanged):
    """Pipelines changed (a step recorded, an applicant registered or closed)."""

    pipeline_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MemberAdmitted(OrgDataChanged):
    """A probationary member was admitted to the register."""

    pipeline_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class MemberConverted(OrgDataChanged):
    """A probationary member became a full member."""

    pipeline_id: int
    member_id: int
    full_member_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class DevelopmentRulesChanged(DomainEvent):
    """A rule's parameters changed; stored deadlines are recomputed by a task."""

    code: str
