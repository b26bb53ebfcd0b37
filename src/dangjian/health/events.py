"""Domain events the health app publishes through ``core.events`` (delivered after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import DomainEvent

__all__ = ["FindingsChanged", "HealthRulesChanged"]


@dataclass(frozen=True, kw_only=True)
class FindingsChanged(DomainEvent):
    """A scan ran: ``rule_codes`` evaluated over ``org_ids`` (empty: every org, or a subtree);
    findings with first_seen == ``since`` (ISO time of the run) appeared or re-appeared in it. The
    notifications turn new findings into alerts for each rule's role."""

    rule_codes: tuple[str, ...] = ()
    since: str


@dataclass(frozen=True, kw_only=True)
class HealthRulesChanged(DomainEvent):
    """A rule's settings changed; a background task re-runs it over every org."""

    code: str
