"""Domain events the integration app publishes through ``core.events`` (delivered after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import DomainEvent

__all__ = ["DeliveriesQueued"]


@dataclass(frozen=True, kw_only=True)
class DeliveriesQueued(DomainEvent):
    """Outbound deliveries written by ``notify`` / ``channel_test``; the subscriber in ``tasks`` puts one
    delivery task per id on the queue once the write has committed."""

    delivery_ids: tuple[int, ...] = ()
