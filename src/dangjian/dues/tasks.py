"""Background jobs of the dues app (django-tasks). The scheduler calls them; they are idempotent."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils import timezone
from django_tasks import task

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.dues.periods import period_of
from dangjian.dues.services import bills_generate
from dangjian.orgs.models import Organization

__all__ = ["generate_monthly_bills"]


@task()
def generate_monthly_bills(period: str | None = None, org_id: int | None = None) -> dict[str, Any]:
    """Issues the month's dues bills (default: the current month) as the system, audited with the task
    channel. Running it twice for a month creates nothing the second time (``bills_generate``)."""
    with use_context(RequestContext(channel=Channel.TASK)):
        org = Organization.objects.get(pk=org_id) if org_id is not None else None
        run = bills_generate(actor=None, period=period or str(period_of(timezone.localdate())), org=org)
    return asdict(run)
