"""REST endpoints of organisation-relationship transfers (组织关系转接) and the member status machine:
reads through selectors, writes through services.

A transfer is visible from both its ends; each action needs ``transfers.change`` on its own side (the
sending branch issues and cancels, the receiving branch receives and returns), otherwise the answer
is 404 exactly as for a missing transfer. A member or organisation referenced in the input that is
unknown or out of scope is one 422 on its field.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.pagination import keyset_page
from dangjian.core.rules_api import rule_operations
from dangjian.orgs.api import org_ref_or_error
from dangjian.transfers.choices import IN_TRANSIT_STATUSES, TransfersPerm
from dangjian.transfers.deadlines import is_overdue
from dangjian.transfers.errors import TransfersError
from dangjian.transfers.models import ContactSearch, StatusChange, Transfer
from dangjian.transfers.schemas import (
    ContactSearchIn,
    ContactSearchOut,
    StatusChangeIn,
    StatusChangeOut,
    TransferCloseIn,
    TransferExternalInIn,
    TransferFilters,
    TransferInitiateIn,
    TransferLetterIn,
    TransferMemberHistoryOut,
    TransferOut,
    TransferPageOut,
    TransferReceiveIn,
)
from dangjian.transfers.selectors import (
    destination_get,
    member_history,
    transfer_get,
    transfer_list,
    transfer_member_get,
)
from dangjian.transfers.services import (
    contact_search_record,
    member_status_change,
    transfer_cancel,
    transfer_external_in,
    transfer_initiate,
    transfer_issue_letter,
    transfer_receive,
    transfer_return,
    transfer_rule_update,
)
from dangjian.transfers.services.rules_admin import RULESET

__all__ = ["router"]

router = Router(app="transfers")

TransferId = PathEx[int, P(ge=1, le=MAX_ID, description="转接 id")]
MemberId = PathEx[int, P(ge=1, le=MAX_ID, description="党员 id")]


def _ref(org: Any) -> dict[str, Any] | None:
    return {"id": org.pk, "code": org.code, "name": org.name} if org is not None else None


def _member(member: Any) -> dict[str, Any]:
    return {"id": member.pk, "name": member.name, "status": member.status}


def transfer_out(t: Transfer, today=None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "id": t.pk, "kind": t.kind, "status": t.status, "member": _member(t.member), "from_org": _ref(t.from_org),
        "to_org": _ref(t.to_org),
        **{name: getattr(t, name) for name in (
            "outside_org_name", "letter_no", "issued_on", "validity_days", "due_on", "received_on", "closed_on",
            "closed_reason", "notes")},
        "in_transit": t.status in IN_TRANSIT_STATUSES, "overdue": is_overdue(t, today),
    }


def _change(c: StatusChange) -> dict[str, Any]:
    return {name: getattr(c, name) for name in (
        "id", "transition", "from_status", "to_status", "effective_on", "decision_doc", "decided_by", "reason",
        "destination", "expected_return", "certificate_no", "backfilled")}


def _search(s: ContactSearch) -> dict[str, Any]:
    return {"id": s.pk, "searched_on": s.searched_on, "method": s.method, "result": s.result}


def _unknown_member() -> DomainError:
    return DomainError.one(TransfersError.UNKNOWN_MEMBER, "member", _("党员不存在或不在您的数据范围内"))


rule_operations(
    router, ruleset=RULESET, view_perm=TransfersPerm.VIEW, update=transfer_rule_update,
    list_summary="组织关系转接规则",
    list_description="""
        服务端执行的 DOMAIN §6 规则：介绍信有效期（默认 90 天，可信度低，可由管理员修改）、流动党员外出期限、
        失联满 6 个月停止党籍、停止党籍满 2 年除名；每条给出名称、参数及其范围、依据和可信度。
    """,
    update_summary="修改组织关系转接规则",
    update_description="""
        修改一条规则的参数或是否启用（如介绍信有效期改为 60 天），须写明依据；记入操作日志。
        已开具的介绍信保持原有效期。规则适用于整个平台。
    """,
)


@router.get(
    "",
    perm=TransfersPerm.VIEW,
    response=TransferPageOut,
    operation_id="transfers_list",
    summary="组织关系转接列表",
    description="""
        您数据范围内转出或转入的组织关系转接，按 id 升序，键集分页。筛选：`org`（组织代码或 id，含下级）与
        `side`（`out` 转出 / `in` 转入）、`status`、`kind`、`in_transit`（已开具介绍信未接收，派出党组织仍负责）、
        `overdue`（已过介绍信有效期仍未接收）、`q`（姓名片段或介绍信编号）。
    """,
)
def transfers_list(request, filters: Query[TransferFilters]):
    actor = request.auth
    org = None
    if filters.org:
        org = org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=TransfersPerm.VIEW, by_id=True)
    today = timezone.localdate()
    qs = transfer_list(actor=actor, org=org, side=filters.side, status=filters.status, kind=filters.kind,
                       in_transit=filters.in_transit, overdue=filters.overdue, q=(filters.q or "").strip() or None,
                       today=today)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [transfer_out(t, today) for t in page.items], "next_cursor": page.next_cursor}


@router.post(
    "",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    status=201,
    operation_id="transfers_initiate",
    summary="发起组织关系转接",
    description="""
        由党员所在党支部发起：系统内转接（`to_org` 为接收党支部代码，可以是集团内任一党支部）或转出到系统外
        （`outside_org_name`）。带介绍信编号和开具日期即开具介绍信，有效期默认 90 天（规则 `letter_validity`），
        否则存为草稿。接收党组织已撤销、不是党支部或就是现所在支部（`to_org`）、党员已有未办结的转接或党籍状态
        不是正常/流动（`member`）的，返回 422。
    """,
)
def transfers_initiate(request, payload: TransferInitiateIn):
    actor = request.auth
    data = payload.model_dump()
    errors: list[FieldError] = []
    member = None
    try:
        member = transfer_member_get(actor=actor, pk=data.pop("member"), perm=TransfersPerm.CHANGE)
    except Http404:
        errors += _unknown_member().errors
    code = data.pop("to_org")
    to_org = destination_get(actor=actor, code=code) if code else None
    if code and to_org is None:
        errors.append(FieldError(TransfersError.UNKNOWN_ORG, "to_org", _("接收党组织代码不存在")))
    if errors:
        raise DomainError(errors)
    transfer = transfer_initiate(actor=actor, member=member, to_org=to_org, **data)
    return Status(201, transfer_out(transfer_get(actor=actor, pk=transfer.pk)))


@router.post(
    "/external-in",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    status=201,
    operation_id="transfers_external_in",
    summary="接收系统外转入的组织关系",
    description="""
        党员持介绍信从集团外党组织转入：接收党支部（`to_org`，须在您的数据范围内）将其登记入党员名册
        （组织关系自接收日期起隶属该支部），并记录已接收的转接。介绍信须在有效期内接收；介绍信和党员信息的错误
        一并返回 422（党员信息的字段为 `member.…`），不写入任何数据。
    """,
)
def transfers_external_in(request, payload: TransferExternalInIn):
    actor = request.auth
    data = payload.model_dump()
    person = data.pop("member")
    person["education"] = person["education"] or ""
    to_org = org_ref_or_error(actor=actor, ref=data.pop("to_org"), field="to_org", perm=TransfersPerm.CHANGE)
    try:
        transfer = transfer_external_in(actor=actor, to_org=to_org, member=person, **data)
    except DomainError as exc:
        own = {"to_org", "outside_org_name", "letter_no", "issued_on", "received_on", "validity_days"}
        raise DomainError([FieldError(e.code, e.field if e.field in own or e.field is None else f"member.{e.field}",
                                      e.message, e.row) for e in exc.errors]) from exc
    return Status(201, transfer_out(transfer_get(actor=actor, pk=transfer.pk)))


@router.get(
    "/members/{member_id}",
    perm=TransfersPerm.VIEW,
    response=TransferMemberHistoryOut,
    operation_id="transfers_member_history",
    summary="党员组织关系与党籍状态",
    description="""
        一名党员的组织关系隶属期间（起止日期，不含止日）、全部转接、党籍状态变更（含决定文号和批准人）、
        查找失联党员记录，以及按状态机现在可办理的变更和期限（如失联满 6 个月的日期、停止党籍满 2 年的日期）。
    """,
)
def transfers_member_history(request, member_id: MemberId):
    member = transfer_member_get(actor=request.auth, pk=member_id)
    history = member_history(actor=request.auth, member=member)
    today = timezone.localdate()
    for t in history.transfers:
        t.member = member
    outlook = history.outlook
    return {
        "member": _member(member), "org": _ref(member.org),
        "periods": [{"org": _ref(p.org), "valid_from": p.valid_from, "valid_to": p.valid_to, "reason": p.reason,
                     "transfer_id": p.transfer_ref} for p in history.periods],
        "transfers": [transfer_out(t, today) for t in history.transfers],
        "status_changes": [_change(c) for c in history.changes],
        "searches": [_search(s) for s in history.searches],
        "outlook": {"transitions": outlook.transitions, "since": outlook.since, "possible_on": outlook.possible_on,
                    "until": outlook.until, "searched": outlook.searched},
    }


@router.post(
    "/members/{member_id}/status",
    perm=TransfersPerm.CHANGE,
    response=StatusChangeOut,
    status=201,
    operation_id="transfers_status_change",
    summary="变更党籍状态",
    description="""
        按 DOMAIN §6 状态机办理一项变更（`transition`）：外出流动、流动返回、失去联系、恢复联系、停止党籍、
        恢复党籍、除名、去世。状态机不允许的返回 422 并列出可办理的变更；过早的停止党籍（失联未满 6 个月或
        未记录查找）或除名（停止党籍未满 2 年）、过晚的恢复党籍返回 422，给出规则代码、依据和 `possible_on`。
    """,
)
def transfers_status_change(request, payload: StatusChangeIn, member_id: MemberId):
    actor = request.auth
    member = transfer_member_get(actor=actor, pk=member_id, perm=TransfersPerm.CHANGE)
    change = member_status_change(actor=actor, member=member, **payload.model_dump())
    return Status(201, _change(change))


@router.post(
    "/members/{member_id}/searches",
    perm=TransfersPerm.CHANGE,
    response=ContactSearchOut,
    status=201,
    operation_id="transfers_search_record",
    summary="记录查找失联党员",
    description="""
        记录对失联（或停止党籍）党员的查找：日期、方式和结果。失去联系以来有查找记录，是停止党籍的条件之一
        （DOMAIN §6）。
    """,
)
def transfers_search_record(request, payload: ContactSearchIn, member_id: MemberId):
    actor = request.auth
    member = transfer_member_get(actor=actor, pk=member_id, perm=TransfersPerm.CHANGE)
    return Status(201, _search(contact_search_record(actor=actor, member=member, **payload.model_dump())))


@router.get(
    "/{transfer_id}",
    perm=TransfersPerm.VIEW,
    response=TransferOut,
    operation_id="transfers_get",
    summary="组织关系转接详情",
    description="""
        一次转接：党员、转出和接收党组织、介绍信编号、开具日期、有效期至、状态、接收或退回/撤销的日期和原因；
        `in_transit`、`overdue`。转出方和接收方都能查看；不在您数据范围内的与不存在的一样返回 404。
    """,
)
def transfers_get(request, transfer_id: TransferId):
    return transfer_out(transfer_get(actor=request.auth, pk=transfer_id))


@router.post(
    "/{transfer_id}/letter",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    operation_id="transfers_issue_letter",
    summary="开具（重开）介绍信",
    description="""
        派出党支部为草稿开具介绍信，或为未接收（含已过期）的介绍信重新开具：新编号、开具日期和有效期至。
    """,
)
def transfers_issue_letter(request, payload: TransferLetterIn, transfer_id: TransferId):
    actor = request.auth
    transfer = transfer_get(actor=actor, pk=transfer_id, perm=TransfersPerm.CHANGE)
    transfer_issue_letter(actor=actor, transfer=transfer, **payload.model_dump())
    return transfer_out(transfer_get(actor=actor, pk=transfer_id))


@router.post(
    "/{transfer_id}/receive",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    operation_id="transfers_receive",
    summary="接收组织关系",
    description="""
        系统内转接由接收党支部接收：党员的所在党支部在同一事务中变更（原支部的隶属期间截至接收日，新支部自接收日
        起）。转出到系统外的由派出党支部登记回执，党员自接收日起转出本系统党员名册（党籍状态“已转出”）。
        超过介绍信有效期的返回 422（规则 `letter_validity`）。
    """,
)
def transfers_receive(request, payload: TransferReceiveIn, transfer_id: TransferId):
    actor = request.auth
    transfer = transfer_get(actor=actor, pk=transfer_id, perm=TransfersPerm.CHANGE)
    transfer_receive(actor=actor, transfer=transfer, **payload.model_dump())
    return transfer_out(transfer_get(actor=actor, pk=transfer_id))


@router.post(
    "/{transfer_id}/return",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    operation_id="transfers_return",
    summary="退回介绍信",
    description="""
        系统内转接由接收党支部退回，转出到系统外的由派出党支部登记被退回；须写明原因（不得无故拒绝接收）。
        党员仍在原党支部，可重新发起转接。
    """,
)
def transfers_return(request, payload: TransferCloseIn, transfer_id: TransferId):
    actor = request.auth
    transfer = transfer_get(actor=actor, pk=transfer_id, perm=TransfersPerm.CHANGE)
    transfer_return(actor=actor, transfer=transfer, **payload.model_dump())
    return transfer_out(transfer_get(actor=actor, pk=transfer_id))


@router.post(
    "/{transfer_id}/cancel",
    perm=TransfersPerm.CHANGE,
    response=TransferOut,
    operation_id="transfers_cancel",
    summary="撤销组织关系转接",
    description="派出党支部撤销尚未接收的转接（草稿、转接中或介绍信已过期），须写明原因。",
)
def transfers_cancel(request, payload: TransferCloseIn, transfer_id: TransferId):
    actor = request.auth
    transfer = transfer_get(actor=actor, pk=transfer_id, perm=TransfersPerm.CHANGE)
    transfer_cancel(actor=actor, transfer=transfer, **payload.model_dump())
    return transfer_out(transfer_get(actor=actor, pk=transfer_id))
