"""Background jobs of transfers (django-tasks). The scheduler runs them daily; they are idempotent."""
from __future__ import annotations

import datetime as dt

from django_tasks import task

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.transfers.services import transfers_expire

__all__ = ["expire_letters"]


@task()
def expire_letters(on: str | None = None) -> int:
    """Marks unreceived letters past their last valid day as expired (default: as of today), as the
    system with the task channel. The sending branch stays responsible and reissues or cancels."""
    with use_context(RequestContext(channel=Channel.TASK)):
        return transfers_expire(on=dt.date.fromisoformat(on) if on else None)
