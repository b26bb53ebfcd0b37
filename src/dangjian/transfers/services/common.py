"""Shared helpers of the transfers services: audit snapshots, date checks, error field mapping."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError, FieldError
from dangjian.transfers.errors import TransfersError
from dangjian.transfers.models import ContactSearch, StatusChange, Transfer

__all__ = [
    "actor_user",
    "check_not_future",
    "remap_fields",
    "search_snapshot",
    "status_change_snapshot",
    "today",
    "transfer_snapshot",
]

_TRANSFER_FIELDS = (
    "kind", "status", "member_id", "from_org_id", "to_org_id", "outside_org_name", "letter_no", "issued_on",
    "validity_days", "due_on", "received_on", "received_by_id", "closed_on", "closed_reason", "notes",
)
_STATUS_FIELDS = (
    "member_id", "org_id", "transition", "from_status", "to_status", "effective_on", "decision_doc", "decided_by",
    "reason", "destination", "expected_return", "certificate_no", "backfilled",
)


def today() -> dt.date:
    return timezone.localdate()


def actor_user(actor: Any) -> Any:
    """The acting user to store on a row (None for the system)."""
    return actor if getattr(actor, "pk", None) is not None else None


def transfer_snapshot(transfer: Transfer) -> dict[str, Any]:
    return {name: getattr(transfer, name) for name in _TRANSFER_FIELDS}


def status_change_snapshot(change: StatusChange) -> dict[str, Any]:
    return {"id": change.pk, **{name: getattr(change, name) for name in _STATUS_FIELDS}}


def search_snapshot(search: ContactSearch) -> dict[str, Any]:
    return {"id": search.pk, "member_id": search.member_id, "searched_on": search.searched_on,
            "method": search.method, "result": search.result}


def check_not_future(errors: list[FieldError], name: str, value: dt.date | None) -> None:
    if value is not None and value > today():
        errors.append(FieldError(TransfersError.DATE_IN_FUTURE, name, _("日期不能晚于今天")))


def remap_fields(exc: DomainError, mapping: dict[str, str]) -> list[FieldError]:
    """The errors of a members service, named after this service's own input fields."""
    return [FieldError(e.code, mapping.get(e.field or "", e.field), e.message, e.row) for e in exc.errors]
