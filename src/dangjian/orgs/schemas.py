"""Input and output schemas of the organisation API (validation at the boundary, STYLE §11).

Inputs refuse unknown fields. Organisations are referenced by their code (组织代码); list filters
also accept a numeric id. Business rules (where an org may sit in the tree, unique codes) are the
services' job and come back as 422 field errors like these schemas' own.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import PageQuery
from dangjian.orgs.choices import OrgStatus, OrgType

__all__ = [
    "OrgCreateIn",
    "OrgDetailOut",
    "OrgFilters",
    "OrgListItemOut",
    "OrgMoveIn",
    "OrgPageOut",
    "OrgRefOut",
    "OrgUpdateIn",
    "TermListOut",
    "TermOut",
]



def _reason() -> Any:
    return Field("", max_length=500, description="变更原因，记入操作日志")


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class OrgRefOut(Schema):
    id: int
    code: str
    name: str


class OrgListItemOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    org_type: OrgType
    is_joint: bool
    status: OrgStatus
    depth: int = Field(..., description="1 = top-level organisation")
    parent_code: str | None
    child_count: int = Field(..., description="direct child organisations (including dissolved ones)")


class OrgPageOut(Schema):
    items: list[OrgListItemOut]
    next_cursor: str | None


class TermOut(Schema):
    number: int = Field(..., description="届次")
    start_date: dt.date
    term_years: int
    end_date: dt.date
    is_current: bool
    days_left: int = Field(..., description="days until end_date (negative: overdue)")


class TermListOut(Schema):
    items: list[TermOut]


class OrgDetailOut(OrgListItemOut):
    parent: OrgRefOut | None
    established_on: dt.date | None
    approval_doc: str
    approval_date: dt.date | None
    dissolved_on: dt.date | None
    contact_person: str
    contact_phone: str
    region: str
    latitude: float | None
    longitude: float | None
    current_term: TermOut | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OrgFilters(PageQuery):
    parent: str | None = Field(None, max_length=40, description="direct children of this org (code, or numeric id)")
    subtree: str | None = Field(None, max_length=40, description="this org and all below it (code, or numeric id)")
    type: OrgType | None = Field(None, description="org_type")
    status: OrgStatus | None = None
    q: str | None = Field(None, max_length=100, description="name or short-name fragment, or exact code")


class OrgCreateIn(_Input):
    parent: str | None = Field(..., max_length=40, description="上级组织代码；null 表示顶层组织（仅限全部范围）")
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str = Field("", max_length=100)
    code: str = Field(..., min_length=1, max_length=40, description="组织代码")
    org_type: OrgType
    is_joint: bool = False
    established_on: dt.date | None = None
    approval_doc: str = Field("", max_length=100)
    approval_date: dt.date | None = None
    contact_person: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)
    region: str = Field("", max_length=100)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    reason: str = _reason()


class OrgUpdateIn(_Input):
    """Only the fields sent are changed. Text fields take "" to clear, not null."""

    # Non-nullable fields default to None only to tell "not sent" apart; an explicit null is refused.
    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    short_name: str = Field(None, max_length=100)  # type: ignore[assignment]
    code: str = Field(None, min_length=1, max_length=40)  # type: ignore[assignment]
    org_type: OrgType = Field(None)  # type: ignore[assignment]
    is_joint: bool = Field(None)  # type: ignore[assignment]
    established_on: dt.date | None = None
    approval_doc: str = Field(None, max_length=100)  # type: ignore[assignment]
    approval_date: dt.date | None = None
    contact_person: str = Field(None, max_length=50)  # type: ignore[assignment]
    contact_phone: str = Field(None, max_length=30)  # type: ignore[assignment]
    region: str = Field(None, max_length=100)  # type: ignore[assignment]
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    reason: str = _reason()


class OrgMoveIn(_Input):
    parent: str = Field(..., min_length=1, max_length=40, description="新的上级组织代码")
    reason: str = _reason()
