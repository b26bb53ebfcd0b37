"""Background jobs of the meetings app (django-tasks). The scheduler calls them; they are idempotent."""
from __future__ import annotations

from typing import Any

from django_tasks import task

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.meetings.models import MeetingSeries
from dangjian.meetings.services import series_generate

__all__ = ["generate_series_occurrences"]


@task()
def generate_series_occurrences(count: int = 3) -> dict[str, Any]:
    """Keeps the next *count* occurrences of every active recurring series planned, as the system
    (audited with the task channel). Running it twice creates nothing the second time."""
    created = 0
    with use_context(RequestContext(channel=Channel.TASK)):
        for series in MeetingSeries.objects.filter(is_active=True).order_by("pk").iterator():
            created += len(series_generate(actor=None, series=series, count=count))
    return {"created": created}
