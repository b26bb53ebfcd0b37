"""Domain-event hub: typed events, delivered to their subscribers after the surrounding transaction
commits (STYLE §8; issue 8).

Each event is a frozen dataclass declared in its app's ``events.py``, subclassing :class:`DomainEvent`,
whose one uniform field ``org_ids`` names the organisations it concerns. Subscribers name the class;
a subscriber of a base class receives every subclass, so :class:`OrgDataChanged` ("the data the
organisation rules read changed in these orgs") reaches a subscriber without it knowing the apps that
publish it.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

__all__ = ["DomainEvent", "OrgDataChanged", "publish", "subscribe", "subscriptions", "unsubscribe"]

log = logging.getLogger(__name__)


def _ids(values: Iterable[Any] | None) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values or () if v is not None}))


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in one app that others may react to. ``org_ids``: the organisations it
    concerns, sorted and without None (empty: none in particular)."""

    org_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "org_ids", _ids(self.org_ids))


@dataclass(frozen=True, kw_only=True)
class OrgDataChanged(DomainEvent):
    """Base of the events after which the organisation rules re-check ``org_ids`` (health)."""


E = TypeVar("E", bound=DomainEvent)
_subscribers: dict[type[DomainEvent], list[Callable[[Any], Any]]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], Any]) -> None:
    if not (isinstance(event_type, type) and issubclass(event_type, DomainEvent)):
        raise TypeError(f"subscribe to a DomainEvent class, not {event_type!r}")
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def unsubscribe(event_type: type[DomainEvent], handler: Callable[[Any], Any]) -> None:
    if handler in _subscribers.get(event_type, ()):
        _subscribers[event_type].remove(handler)


def subscriptions() -> dict[type[DomainEvent], list[Callable[[Any], Any]]]:
    """Who listens to what (for the meta-test that every subscribed event is published somewhere)."""
    return {k: list(v) for k, v in _subscribers.items() if v}


def publish(event: DomainEvent) -> None:
    """Queue *event* for the subscribers of its class and of its base classes once the current
    transaction commits."""
    if not isinstance(event, DomainEvent):
        raise TypeError(f"publish a DomainEvent, not {event!r}")
    for cls in type(event).__mro__:
        for handler in list(_subscribers.get(cls, ())):

            def run(handler=handler):
                try:
                    handler(event)
                except Exception:  # a subscriber never undoes a committed write
                    log.exception("event handler %s for %s failed", handler, type(event).__name__)

            transaction.on_commit(run)
