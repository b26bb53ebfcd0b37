"""Schemas of the operation-log API."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from dangjian.audit.choices import AuditAction
from dangjian.core.api import PageQuery

__all__ = ["AuditEntryOut", "AuditFilters", "AuditPageOut"]


class AuditFilters(PageQuery):
    # A plain string, not an enum in the contract: the registry grows with every app.
    action: str | None = Field(None, max_length=64, description="registered action code, e.g. members.update")
    actor: str | None = Field(None, max_length=150, description="fragment of the acting user's name")
    target_type: str | None = Field(None, max_length=64, description="model label, e.g. members.member")
    since: dt.datetime | None = Field(None, description="from this instant (inclusive); no offset = Asia/Shanghai")
    until: dt.datetime | None = Field(None, description="before this instant (exclusive); no offset = Asia/Shanghai")

    @field_validator("action")
    @classmethod
    def _registered(cls, value: str | None) -> str | None:
        if value and value not in AuditAction.values:
            raise PydanticCustomError("code_unregistered", "not a registered code")
        return value or None


# Microseconds kept, exactly as hashed (``audit.services.canonical_bytes``), so a client can re-verify the chain.
ExactTime = Annotated[dt.datetime, PlainSerializer(lambda v: v.isoformat(timespec="microseconds"), return_type=str)]


class AuditEntryOut(Schema):
    """One entry with every hashed field, so a client can recompute ``hash`` and follow ``prev_hash``."""

    seq: int
    created_at: ExactTime = Field(..., description="ISO 8601 with microseconds, as hashed")
    actor_id: int | None
    actor_name: str
    action: str
    action_label: str
    target_type: str
    target_id: str
    target_repr: str
    org_path: str = Field(..., description="tree path of the organisation the entry belongs to ('' for none)")
    before: dict[str, Any] | None = Field(..., description="state before the change; sensitive fields masked")
    after: dict[str, Any] | None = Field(..., description="state after the change; sensitive fields masked")
    reason: str
    request_id: str
    ip: str | None
    channel: str
    algorithm: str
    prev_hash: str
    hash: str


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None
