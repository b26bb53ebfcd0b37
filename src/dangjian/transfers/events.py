"""Domain events transfers emits (through ``core.events``, after commit). The register's own
``members.changed`` is published by the members services a transfer calls."""
from enum import StrEnum

__all__ = ["TransfersEvent"]


class TransfersEvent(StrEnum):
    # payload: transfer_id, member_id, org_ids — a transfer was initiated, issued, returned or cancelled
    CHANGED = "transfers.changed"
    # payload: transfer_id, member_id, from_org_id, to_org_id — the relationship arrived (health re-checks)
    RECEIVED = "transfers.received"
    # payload: status_change_id, member_id, org_id, to_status
    STATUS_CHANGED = "transfers.status_changed"
