"""REST endpoints of the member register (党员名册): reads through selectors, writes through services.

ID numbers and phones are masked, except in a member's detail for a caller who may reveal them
(``members.selectors.can_reveal``: ``members.reveal`` in scope, or the member's own record). Every
plaintext shown to someone other than the member is recorded through ``member_reveal``
(``members.reveal`` audit entry), whether by the detail or by the explicit reveal endpoint.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.pagination import keyset_page
from dangjian.members.choices import MembersPerm
from dangjian.members.models import Member
from dangjian.members.schemas import (
    MemberCreateIn,
    MemberDetailOut,
    MemberFilters,
    MemberPageOut,
    MemberUpdateIn,
    RevealIn,
    RevealOut,
)
from dangjian.members.selectors import can_reveal, member_get, member_list
from dangjian.members.services import member_create, member_reveal, member_update
from dangjian.orgs.api import org_ref_or_error
from dangjian.orgs.errors import OrgsError
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_child_by_code, org_get_by_code, unit_get_by_code

__all__ = ["router"]

router = Router(app="members")

MemberId = PathEx[int, P(ge=1, le=MAX_ID, description="党员 id")]
DETAIL_REVEAL_REASON = "api: members_get"


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "code": obj.code, "name": obj.name} if obj is not None else None


def _list_item(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "name": member.name,
        "gender": member.gender,
        "org": _ref(member.org),
        "party_group_code": member.party_group.code if member.party_group_id else None,
        "category": member.category,
        "status": member.status,
        "joined_on": member.joined_on,
        "id_number": mask_id_number(member.id_number),
        "phone": mask_phone(member.phone),
    }


def _detail(member: Member, *, id_number: str | None = None, phone: str | None = None) -> dict[str, Any]:
    """The detail; *id_number*/*phone* are the plaintext to show (already audited), else masked."""
    revealed = id_number is not None
    return {
        "id": member.pk,
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date,
        "id_number": id_number if revealed else mask_id_number(member.id_number),
        "phone": phone if revealed else mask_phone(member.phone),
        "revealed": revealed,
        "education": member.education or None,
        "job_title": member.job_title,
        "unit": _ref(member.unit) if member.unit_id else None,
        "hire_date": member.hire_date,
        "category": member.category,
        "joined_on": member.joined_on,
        "full_member_on": member.full_member_on,
        "org": _ref(member.org),
        "party_group": _ref(member.party_group) if member.party_group_id else None,
        "status": member.status,
        "has_account": member.user_id is not None,
        "created_at": member.created_at,
        "updated_at": member.updated_at,
    }


def _party_group(actor: Any, code: str, branch: Organization | None) -> Organization:
    """A party group by code: one in the actor's scope, or a group of the member's branch (which the
    actor may change, so its groups are reachable even with an "org"-scope grant). Anything else is
    unknown; whether the group belongs to the branch is the service's check."""
    try:
        return org_get_by_code(actor=actor, code=code, perm=MembersPerm.CHANGE)
    except Http404 as exc:
        group = org_child_by_code(actor=actor, parent=branch, code=code, perm=MembersPerm.CHANGE) if branch else None
        if group is None:
            raise DomainError.one(OrgsError.UNKNOWN_ORG, "party_group", _("组织不存在或不在您的数据范围内")) from exc
        return group


def _resolve_references(actor: Any, fields: dict[str, Any], *, member: Member | None = None) -> dict[str, Any]:
    """Replaces the codes in *fields* (org, party_group, unit) by objects; all unknown ones are reported."""
    errors: list[FieldError] = []
    out = dict(fields)
    branch = member.org if member is not None else None
    if "org" in fields:
        try:
            branch = out["org"] = org_ref_or_error(actor=actor, ref=fields["org"], field="org", perm=MembersPerm.CHANGE)
        except DomainError as exc:
            errors += exc.errors
            branch = None
    if fields.get("party_group"):
        try:
            out["party_group"] = _party_group(actor, fields["party_group"], branch)
        except DomainError as exc:
            errors += exc.errors
    elif "party_group" in fields:
        out["party_group"] = None
    if fields.get("unit"):
        out["unit"] = unit_get_by_code(actor=actor, code=fields["unit"])
        if out["unit"] is None:
            errors.append(FieldError(OrgsError.UNKNOWN_UNIT, "unit", _("工作单位代码不存在")))
    elif "unit" in fields:
        out["unit"] = None
    if "education" in fields:
        out["education"] = fields["education"] or ""
    if errors:
        raise DomainError(errors)
    return out


@router.get(
    "",
    perm=MembersPerm.VIEW,
    response=MemberPageOut,
    operation_id="members_list",
    summary="党员列表",
    description="""
        您数据范围内的党员，按 id 升序，键集分页（`cursor` + `limit`）。身份证号和手机号一律脱敏。

        筛选：`org`（组织代码或 id）与 `subtree`（默认 true：含其全部下级组织的党员）、`status`、`category`、
        `q`（姓名片段、完整身份证号、身份证号后 4 位或完整手机号）。引用的组织不存在或不在范围内时返回 422。
    """,
)
def members_list(request, filters: Query[MemberFilters]):
    actor = request.auth
    org = None
    if filters.org:
        org = org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=MembersPerm.VIEW, by_id=True)
    qs = member_list(actor=actor, org=org, subtree=filters.subtree, status=filters.status,
                     category=filters.category, q=(filters.q or "").strip() or None)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_list_item(m) for m in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/{member_id}",
    perm=MembersPerm.VIEW,
    response=MemberDetailOut,
    operation_id="members_get",
    summary="党员详情",
    description="""
        一名党员的全部登记信息。身份证号和手机号默认脱敏；调用者有权查看时（在范围内持有 `members.reveal`，
        或是本人的记录）显示完整内容（`revealed: true`），且本人以外的查看记入操作日志 `members.reveal`。
        不在您数据范围内的党员与不存在的一样返回 404。
    """,
)
def members_get(request, member_id: MemberId):
    actor = request.auth
    member = member_get(actor=actor, pk=member_id)
    if not can_reveal(actor=actor, member=member):
        return _detail(member)
    if member.user_id is not None and member.user_id == actor.pk:
        return _detail(member, id_number=member.id_number, phone=member.phone)
    id_number = member_reveal(actor=actor, member=member, field="id_number", reason=DETAIL_REVEAL_REASON)
    phone = member_reveal(actor=actor, member=member, field="phone", reason=DETAIL_REVEAL_REASON) if member.phone else ""
    return _detail(member, id_number=id_number, phone=phone)


@router.post(
    "/{member_id}/reveal",
    perm=MembersPerm.REVEAL,
    response=RevealOut,
    operation_id="members_reveal",
    summary="查看完整身份证号或手机号",
    description="""
        返回一名党员未脱敏的身份证号（`field: "id_number"`）或手机号（`field: "phone"`），并记入操作日志
        `members.reveal`（含 `reason`）。须在该党员所在组织的范围内持有 `members.reveal`，否则返回 404。
    """,
)
def members_reveal(request, payload: RevealIn, member_id: MemberId):
    actor = request.auth
    member = member_get(actor=actor, pk=member_id, perm=MembersPerm.REVEAL)
    value = member_reveal(actor=actor, member=member, field=payload.field, reason=payload.reason)
    return {"field": payload.field, "value": value}


@router.post(
    "",
    perm=MembersPerm.CHANGE,
    response=MemberDetailOut,
    status=201,
    operation_id="members_create",
    summary="新增党员",
    description="""
        在党支部（`org`，组织代码）登记一名党员，可同时编入该支部的党小组（`party_group`，组织代码）。
        身份证号按 GB 11643 校验，出生日期和性别须与之一致，且不能与已登记的重复；任何一项不符返回 422
        并指明字段，不写入任何数据。响应中的身份证号和手机号已脱敏。写入操作日志 `members.create`。
    """,
)
def members_create(request, payload: MemberCreateIn):
    actor = request.auth
    fields = _resolve_references(actor, payload.model_dump(exclude={"reason"}))
    member = member_create(actor=actor, reason=payload.reason, **fields)
    return Status(201, _detail(member))


@router.patch(
    "/{member_id}",
    perm=MembersPerm.CHANGE,
    response=MemberDetailOut,
    operation_id="members_update",
    summary="修改党员信息",
    description="""
        只改请求中给出的字段，校验规则与新增相同。调到另一支部（`org`）须对新支部也有维护权限；
        原党小组不属于新支部时须同时给出新的 `party_group` 或 null。响应中的身份证号和手机号已脱敏。
        写入操作日志 `members.update`（无变化时不记录）。
    """,
)
def members_update(request, payload: MemberUpdateIn, member_id: MemberId):
    actor = request.auth
    member = member_get(actor=actor, pk=member_id, perm=MembersPerm.CHANGE)
    fields = _resolve_references(actor, payload.model_dump(exclude_unset=True, exclude={"reason"}), member=member)
    member = member_update(actor=actor, member=member, reason=payload.reason, **fields)
    return _detail(member)
