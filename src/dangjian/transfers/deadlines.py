"""Transfer deadlines (DOMAIN §6): a letter in transit past its last valid day (``due_on``) is overdue.
A pure calculation on a transfer and a date: no query, no actor."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.transfers.choices import IN_TRANSIT_STATUSES
from dangjian.transfers.models import Transfer

__all__ = ["is_overdue"]


def is_overdue(transfer: Transfer, today: dt.date | None = None) -> bool:
    """In transit (letter issued, not received) past the letter's last valid day."""
    today = today or timezone.localdate()
    return transfer.status in IN_TRANSIT_STATUSES and transfer.due_on is not None and transfer.due_on < today
