"""Input and output schemas of the member-register API (validation at the boundary, STYLE §11).

The schemas check shape and length only. The register's rules (GB 11643 ID numbers, birth date and
gender agreeing with the ID, a branch for ``org``, a group of that branch for ``party_group``, no
duplicate ID) are the services' and come back as 422 field errors of the same shape. Organisations
and enterprise units are referenced by code.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import PageQuery
from dangjian.members.choices import Category, Education, Gender, MemberStatus

__all__ = [
    "MemberCreateIn",
    "MemberDetailOut",
    "MemberFilters",
    "MemberListItemOut",
    "MemberPageOut",
    "MemberUpdateIn",
    "RefOut",
    "RevealIn",
    "RevealOut",
]


def _reason() -> Any:
    return Field("", max_length=500, description="变更原因，记入操作日志")


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class RefOut(Schema):
    id: int
    code: str
    name: str


class MemberListItemOut(Schema):
    id: int
    name: str
    gender: Gender
    org: RefOut
    party_group_code: str | None
    category: Category
    status: MemberStatus
    joined_on: dt.date
    id_number: str = Field(..., description="always masked in lists, e.g. 1101**********1234")
    phone: str = Field(..., description="always masked in lists, e.g. 138****5678")


class MemberPageOut(Schema):
    items: list[MemberListItemOut]
    next_cursor: str | None


class MemberDetailOut(Schema):
    id: int
    name: str
    gender: Gender
    ethnicity: str
    birth_date: dt.date
    id_number: str = Field(..., description="plaintext when `revealed`, else masked")
    phone: str = Field(..., description="plaintext when `revealed`, else masked")
    revealed: bool = Field(..., description="true when the caller may see this member's full ID number and phone")
    education: Education | None
    job_title: str
    unit: RefOut | None
    hire_date: dt.date | None
    category: Category
    joined_on: dt.date
    full_member_on: dt.date | None
    org: RefOut
    party_group: RefOut | None
    status: MemberStatus
    has_account: bool = Field(..., description="a login account is linked to this member")
    created_at: dt.datetime
    updated_at: dt.datetime


class MemberFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="organisation code (or numeric id)")
    subtree: bool = Field(True, description="with `org`: include the members of every org below it")
    status: MemberStatus | None = None
    category: Category | None = None
    q: str | None = Field(
        None, max_length=50,
        description="name fragment, full ID number, last 4 characters of the ID number, or full phone number",
    )


class MemberCreateIn(_Input):
    name: str = Field(..., min_length=1, max_length=50)
    gender: Gender
    ethnicity: str = Field("汉族", max_length=20)
    birth_date: dt.date
    id_number: str = Field(..., min_length=1, max_length=30, description="公民身份号码 (GB 11643, 18 位)")
    phone: str = Field("", max_length=20, description="手机号码，11 位")
    education: Education | None = None
    job_title: str = Field("", max_length=100)
    unit: str | None = Field(None, max_length=40, description="工作单位代码")
    hire_date: dt.date | None = None
    category: Category = Category.FULL
    joined_on: dt.date
    full_member_on: dt.date | None = None
    org: str = Field(..., min_length=1, max_length=40, description="所在党支部的组织代码")
    party_group: str | None = Field(None, max_length=40, description="所在党小组的组织代码（须属于该支部）")
    status: MemberStatus = MemberStatus.NORMAL
    reason: str = _reason()


class MemberUpdateIn(_Input):
    """Only the fields sent are changed. Nullable fields take null to clear; text fields take ""."""

    # Non-nullable fields default to None only to tell "not sent" apart; an explicit null is refused.
    name: str = Field(None, min_length=1, max_length=50)  # type: ignore[assignment]
    gender: Gender = Field(None)  # type: ignore[assignment]
    ethnicity: str = Field(None, max_length=20)  # type: ignore[assignment]
    birth_date: dt.date = Field(None)  # type: ignore[assignment]
    id_number: str = Field(None, min_length=1, max_length=30)  # type: ignore[assignment]
    phone: str = Field(None, max_length=20)  # type: ignore[assignment]
    education: Education | None = None
    job_title: str = Field(None, max_length=100)  # type: ignore[assignment]
    unit: str | None = Field(None, max_length=40)
    hire_date: dt.date | None = None
    category: Category = Field(None)  # type: ignore[assignment]
    joined_on: dt.date = Field(None)  # type: ignore[assignment]
    full_member_on: dt.date | None = None
    org: str = Field(None, min_length=1, max_length=40)  # type: ignore[assignment]
    party_group: str | None = Field(None, max_length=40)
    status: MemberStatus = Field(None)  # type: ignore[assignment]
    reason: str = _reason()


class RevealIn(_Input):
    field: Literal["id_number", "phone"]
    reason: str = Field("", max_length=500, description="查看原因，记入操作日志")


class RevealOut(Schema):
    field: str
    value: str
