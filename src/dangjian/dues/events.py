"""Domain events the dues app publishes through ``core.events`` (delivered after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import DomainEvent, OrgDataChanged

__all__ = ["BillsGenerated", "DuesProfileChanged", "PaymentRecorded"]


@dataclass(frozen=True, kw_only=True)
class BillsGenerated(DomainEvent):
    """Monthly bills generated for ``period`` ("YYYY-MM"); ``org_ids`` empty: the actor's whole scope."""

    period: str
    created: int


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(OrgDataChanged):
    """A payment was recorded (arrears may have cleared)."""

    payment_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class DuesProfileChanged(DomainEvent):
    """A member's dues base or category changed."""

    member_id: int
