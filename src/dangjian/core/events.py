"""Domain-event hub: subscribers run after the surrounding transaction commits (STYLE §8)."""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

__all__ = ["publish", "subscribe"]

log = logging.getLogger(__name__)
_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def publish(event: str, **payload: Any) -> None:
    """Queue *event* for its subscribers once the current transaction commits."""
    for handler in list(_subscribers.get(event, ())):

        def run(handler=handler):
            try:
                handler(**payload)
            except Exception:  # a subscriber never undoes a committed write
                log.exception("event handler %s for %s failed", handler, event)

        transaction.on_commit(run)
