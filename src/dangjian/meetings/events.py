"""Domain events the meetings app publishes through ``core.events`` (delivered after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import DomainEvent, OrgDataChanged

__all__ = ["CadenceRulesChanged", "ElectionRecorded", "MeetingHeld"]


@dataclass(frozen=True, kw_only=True)
class MeetingHeld(OrgDataChanged):
    """A meeting was recorded as held (``org_ids``: the org holding it and, for 党小组会, the group)."""

    meeting_id: int


@dataclass(frozen=True, kw_only=True)
class ElectionRecorded(OrgDataChanged):
    """An election was recorded: a new term and its seats."""

    election_id: int
    term_id: int


@dataclass(frozen=True, kw_only=True)
class CadenceRulesChanged(DomainEvent):
    """A cadence rule (``code``: ``"<org type>.<kind code>"``) changed: what every org is measured against."""

    code: str
