"""Schemas of the operation-log API."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator
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


class AuditEntryOut(Schema):
    seq: int
    created_at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    action_label: str
    target_type: str
    target_id: str
    target_repr: str
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
