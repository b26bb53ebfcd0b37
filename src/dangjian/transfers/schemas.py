"""Input and output schemas of the transfers API (validation at the boundary, STYLE §11).

The schemas check shape, types and lengths only; the destination, the letter's validity, who may act
and every rule of DOMAIN §6 are the services', and come back as 422 field errors of the same shape —
a rule's error also carries ``rule``, ``citation`` and, when waiting helps, ``possible_on``.
Organisations are referenced by code, members by id.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import MAX_ID, PageQuery
from dangjian.members.choices import Category, Education, Gender, MemberStatus
from dangjian.transfers.choices import StatusTransition, TransferKind, TransferStatus

__all__ = [
    "ContactSearchIn",
    "ContactSearchOut",
    "StatusChangeIn",
    "StatusChangeOut",
    "TransferCloseIn",
    "TransferExternalInIn",
    "TransferFilters",
    "TransferInitiateIn",
    "TransferLetterIn",
    "TransferMemberHistoryOut",
    "TransferOut",
    "TransferPageOut",
    "TransferReceiveIn",
]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


def _reason() -> Any:
    return Field("", max_length=500, description="原因或依据，记入操作日志")


def _letter_no(required: bool) -> Any:
    return Field(... if required else "", min_length=1 if required else 0, max_length=100,
                 description="介绍信编号")


_VALIDITY = Field(None, ge=1, le=3650, description="有效期（天），默认按规则 letter_validity（90 天）")


# --- output ------------------------------------------------------------------------------------------


class TransferOrgRefOut(Schema):
    id: int
    code: str
    name: str


class TransferMemberRefOut(Schema):
    id: int
    name: str
    status: MemberStatus


class TransferOut(Schema):
    id: int
    kind: TransferKind
    status: TransferStatus
    member: TransferMemberRefOut
    from_org: TransferOrgRefOut | None = Field(..., description="转出党组织（系统外转入时为空）")
    to_org: TransferOrgRefOut | None = Field(..., description="接收党组织（转出到系统外时为空）")
    outside_org_name: str = Field(..., description="系统外党组织名称（去向或来源）")
    letter_no: str
    issued_on: dt.date | None
    validity_days: int | None
    due_on: dt.date | None = Field(..., description="介绍信有效期至（含当日）")
    received_on: dt.date | None
    closed_on: dt.date | None
    closed_reason: str
    notes: str
    in_transit: bool = Field(..., description="已开具介绍信、尚未接收：派出党组织仍负责管理")
    overdue: bool = Field(..., description="转接中且已过介绍信有效期")


class TransferPageOut(Schema):
    items: list[TransferOut]
    next_cursor: str | None


class StatusChangeOut(Schema):
    id: int
    transition: StatusTransition
    from_status: MemberStatus
    to_status: MemberStatus
    effective_on: dt.date
    decision_doc: str
    decided_by: str
    reason: str
    destination: str
    expected_return: dt.date | None
    certificate_no: str
    backfilled: bool


class ContactSearchOut(Schema):
    id: int
    searched_on: dt.date
    method: str
    result: str


class MembershipPeriodOut(Schema):
    org: TransferOrgRefOut
    valid_from: dt.date
    valid_to: dt.date | None = Field(..., description="不含当日；为空表示当前所在")
    reason: str
    transfer_id: int | None


class StatusOutlookOut(Schema):
    transitions: list[StatusTransition] = Field(..., description="按状态机现在可办理的变更")
    since: dt.date | None = Field(..., description="当前状态的起始日期（失去联系日期、停止党籍日期……）")
    possible_on: dict[str, dt.date] = Field(..., description="变更事项 → 最早可办日期")
    until: dict[str, dt.date] = Field(..., description="变更事项 → 自该日起不能再办理")
    searched: bool | None = Field(..., description="失联后是否已记录查找情况")


class TransferMemberHistoryOut(Schema):
    member: TransferMemberRefOut
    org: TransferOrgRefOut
    periods: list[MembershipPeriodOut]
    transfers: list[TransferOut]
    status_changes: list[StatusChangeOut]
    searches: list[ContactSearchOut]
    outlook: StatusOutlookOut



# --- input ---------------------------------------------------------------------------------------------


class TransferFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id：该组织及其下级转出或转入的")
    side: Literal["out", "in"] | None = Field(None, description="与 org 一起：只看转出（out）或转入（in）")
    status: TransferStatus | None = None
    kind: TransferKind | None = None
    in_transit: bool = Field(False, description="只看转接中（已开具介绍信、未接收）")
    overdue: bool = Field(False, description="只看已过介绍信有效期仍未接收的")
    q: str | None = Field(None, max_length=50, description="党员姓名片段或介绍信编号")


class TransferInitiateIn(_Input):
    """系统内转接（``to_org`` 为接收党支部代码）或转出到系统外（``outside_org_name``）。给出介绍信编号和
    开具日期即开具介绍信（转接中），否则保存为草稿。"""

    member: int = Field(..., ge=1, le=MAX_ID, description="党员 id（须在您的数据范围内）")
    kind: Literal["internal_out", "external_out"]
    to_org: str | None = Field(None, max_length=40, description="接收党支部的组织代码（系统内转接）")
    outside_org_name: str = Field("", max_length=200, description="接收的系统外党组织名称")
    letter_no: str = _letter_no(False)
    issued_on: dt.date | None = Field(None, description="介绍信开具日期")
    validity_days: int | None = _VALIDITY
    notes: str = Field("", max_length=2000)
    reason: str = _reason()


class TransferLetterIn(_Input):
    letter_no: str = _letter_no(True)
    issued_on: dt.date
    validity_days: int | None = _VALIDITY
    reason: str = _reason()


class TransferReceiveIn(_Input):
    received_on: dt.date = Field(..., description="接收日期（系统外转出时为回执上的接收日期）")
    notes: str = Field("", max_length=2000)


class TransferCloseIn(_Input):
    on: dt.date
    reason: str = Field(..., min_length=1, max_length=500, description="退回或撤销的原因（必填）")


class ArrivingMemberIn(_Input):
    """The arriving member, as on the letter and the member's file."""

    name: str = Field(..., min_length=1, max_length=50)
    gender: Gender
    ethnicity: str = Field("汉族", max_length=20)
    birth_date: dt.date
    id_number: str = Field(..., min_length=1, max_length=30, description="公民身份号码 (GB 11643)")
    phone: str = Field("", max_length=20)
    education: Education | None = None
    job_title: str = Field("", max_length=100)
    category: Category = Category.FULL
    joined_on: dt.date
    full_member_on: dt.date | None = None


class TransferExternalInIn(_Input):
    to_org: str = Field(..., min_length=1, max_length=40, description="接收党支部的组织代码（须在您的数据范围内）")
    outside_org_name: str = Field(..., min_length=1, max_length=200, description="转出的系统外党组织名称")
    letter_no: str = _letter_no(True)
    issued_on: dt.date
    received_on: dt.date
    validity_days: int | None = _VALIDITY
    notes: str = Field("", max_length=2000)
    reason: str = _reason()
    member: ArrivingMemberIn


class StatusChangeIn(_Input):
    """One move of the DOMAIN §6 status machine. ``destination``, ``expected_return`` and
    ``certificate_no`` belong to ``go_mobile``; decisions (``suspend``, ``restore``, ``remove``) need
    ``decision_doc`` and ``decided_by``."""

    transition: StatusTransition
    effective_on: dt.date = Field(..., description="生效日期；失去联系时为失去联系之日")
    decision_doc: str = Field("", max_length=100, description="党组织决定的文号")
    decided_by: str = Field("", max_length=100, description="批准的党组织或批准人")
    reason: str = _reason()
    destination: str = Field("", max_length=200, description="外出去向")
    expected_return: dt.date | None = None
    certificate_no: str = Field("", max_length=50, description="流动党员活动证编号")


class ContactSearchIn(_Input):
    searched_on: dt.date
    method: str = Field(..., min_length=1, max_length=200, description="查找方式")
    result: str = Field("", max_length=2000)

