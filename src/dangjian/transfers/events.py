"""Domain events transfers emits (through ``core.events``, after commit). The register's own
``MembersChanged`` is published by the members services a transfer calls."""
from dataclasses import dataclass

from dangjian.core.events import OrgDataChanged

__all__ = ["MemberStatusChanged", "TransferChanged", "TransferReceived"]


@dataclass(frozen=True, kw_only=True)
class TransferChanged(OrgDataChanged):
    """A transfer was initiated, issued, returned or cancelled (``org_ids``: both sides)."""

    transfer_id: int
    member_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class TransferReceived(OrgDataChanged):
    """The relationship arrived (``org_ids``: the sending org if inside the group, and the receiving one)."""

    transfer_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class MemberStatusChanged(OrgDataChanged):
    """A member's party status changed (lost contact, suspended …)."""

    status_change_id: int
    member_id: int
    to_status: str
