"""Writes of the transfers app (STYLE §2): validated, atomic, audited; one module per concern."""
from dangjian.transfers.services.rules_admin import transfer_rule_update
from dangjian.transfers.services.status import contact_search_record, member_status_change
from dangjian.transfers.services.transfers import (
    transfer_cancel,
    transfer_external_in,
    transfer_initiate,
    transfer_issue_letter,
    transfer_receive,
    transfer_return,
    transfers_expire,
)

__all__ = [
    "contact_search_record",
    "member_status_change",
    "transfer_cancel",
    "transfer_external_in",
    "transfer_initiate",
    "transfer_issue_letter",
    "transfer_receive",
    "transfer_return",
    "transfer_rule_update",
    "transfers_expire",
]
