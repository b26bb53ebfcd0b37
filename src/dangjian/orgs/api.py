"""REST endpoints of the organisation tree (组织树): reads through selectors, writes through services.

Permissions are declared per operation (``perm=``) and enforced by the API layer; out-of-scope
organisations are "not found" (404) like missing ones, and an out-of-scope *reference* in the input
(a parent code) is refused as an unknown organisation (422), so neither can be used to probe.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.orgs.choices import OrgsPerm
from dangjian.orgs.errors import OrgsError
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.schemas import (
    OrgCreateIn,
    OrgDetailOut,
    OrgFilters,
    OrgMoveIn,
    OrgPageOut,
    OrgUpdateIn,
    TermListOut,
)
from dangjian.orgs.selectors import (
    org_current_term,
    org_get,
    org_get_by_code,
    org_list,
    org_parent,
    org_parent_codes,
    org_resolve,
    org_terms,
)
from dangjian.orgs.services import org_create, org_move, org_update

__all__ = ["org_ref_or_error", "router"]

router = Router(app="orgs")

OrgId = PathEx[int, P(ge=1, le=MAX_ID, description="组织 id")]


def org_ref_or_error(*, actor: Any, ref: str, field: str, perm: str, by_id: bool = False) -> Organization:
    """Resolves an org reference from the input (a code; with *by_id* also a numeric id); unknown *or
    out of scope* is the same 422 on *field*."""
    try:
        if by_id:
            return org_resolve(actor=actor, ref=ref, perm=perm)
        return org_get_by_code(actor=actor, code=ref, perm=perm)
    except Http404:
        raise DomainError.one(OrgsError.UNKNOWN_ORG, field, _("组织不存在或不在您的数据范围内"))


def _list_item(org: Organization, parent_code: str | None) -> dict[str, Any]:
    return {
        "id": org.pk,
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "org_type": org.org_type,
        "is_joint": org.is_joint,
        "status": org.status,
        "depth": org.depth,
        "parent_code": parent_code,
        "child_count": org.numchild,
    }


def _term(term: CommitteeTerm | None) -> dict[str, Any] | None:
    if term is None:
        return None
    return {
        "number": term.number,
        "start_date": term.start_date,
        "term_years": term.term_years,
        "end_date": term.end_date,
        "is_current": term.is_current,
        "days_left": term.days_left(timezone.localdate()),
    }


def _detail(actor: Any, org: Organization) -> dict[str, Any]:
    parent = org_parent(actor=actor, org=org)
    data = _list_item(org, parent.code if parent else None)
    data.update(
        parent={"id": parent.pk, "code": parent.code, "name": parent.name} if parent else None,
        established_on=org.established_on,
        approval_doc=org.approval_doc,
        approval_date=org.approval_date,
        dissolved_on=org.dissolved_on,
        contact_person=org.contact_person,
        contact_phone=org.contact_phone,
        region=org.region,
        latitude=float(org.latitude) if org.latitude is not None else None,
        longitude=float(org.longitude) if org.longitude is not None else None,
        current_term=_term(org_current_term(actor=actor, org=org)),
        created_at=org.created_at,
        updated_at=org.updated_at,
    )
    return data


@router.get(
    "",
    perm=OrgsPerm.VIEW,
    response=OrgPageOut,
    operation_id="orgs_list",
    summary="组织列表",
    description="""
        您数据范围内的党组织，按 id 升序，键集分页（`cursor` + `limit`）。

        筛选：`parent`（直接下级；组织代码或 id）、`subtree`（该组织及其全部下级；组织代码或 id）、
        `type`、`status`、`q`（名称或简称片段，或完整组织代码）。引用的组织不存在或不在范围内时返回 422。
    """,
)
def orgs_list(request, filters: Query[OrgFilters]):
    actor = request.auth
    parent = subtree = None
    if filters.parent:
        parent = org_ref_or_error(actor=actor, ref=filters.parent, field="parent", perm=OrgsPerm.VIEW,
                                  by_id=True)
    if filters.subtree:
        subtree = org_ref_or_error(actor=actor, ref=filters.subtree, field="subtree", perm=OrgsPerm.VIEW,
                                   by_id=True)
    qs = org_list(actor=actor, parent=parent, subtree_of=subtree, org_type=filters.type, status=filters.status,
                  q=filters.q)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    parents = org_parent_codes(actor=actor, orgs=page.items)
    return {"items": [_list_item(o, parents[o.pk]) for o in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/{org_id}",
    perm=OrgsPerm.VIEW,
    response=OrgDetailOut,
    operation_id="orgs_get",
    summary="组织详情",
    description="""
        一个党组织的全部字段，含上级组织、直接下级数量和本届委员会届次（届满日期与剩余天数，负数表示已超期）。
        不在您数据范围内的组织与不存在的一样返回 404。
    """,
)
def orgs_get(request, org_id: OrgId):
    org = org_get(actor=request.auth, pk=org_id)
    return _detail(request.auth, org)


@router.post(
    "",
    perm=OrgsPerm.CHANGE,
    response=OrgDetailOut,
    status=201,
    operation_id="orgs_create",
    summary="新建组织",
    description="""
        在上级组织（`parent`，组织代码）之下新建党组织；`parent` 为 null 时建立顶层组织（须具有全部范围的权限）。
        组织类别须符合组织树规则（如党小组只能设在党支部之下），否则返回 422（字段 `parent`）。
        写入操作日志 `orgs.create`。
    """,
)
def orgs_create(request, payload: OrgCreateIn):
    actor = request.auth
    fields = payload.model_dump(exclude={"parent", "reason"})
    parent = None
    if payload.parent is not None:
        parent = org_ref_or_error(actor=actor, ref=payload.parent, field="parent", perm=OrgsPerm.CHANGE)
    org = org_create(actor=actor, parent=parent, reason=payload.reason, **fields)
    return Status(201, _detail(actor, org_get(actor=actor, pk=org.pk, perm=OrgsPerm.CHANGE)))


@router.patch(
    "/{org_id}",
    perm=OrgsPerm.CHANGE,
    response=OrgDetailOut,
    operation_id="orgs_update",
    summary="修改组织",
    description="""
        修改组织自身的字段，只改请求中给出的字段（位置调整用 `POST /orgs/{org_id}/move`）。
        改变组织类别须与上级和下级组织相容。写入操作日志 `orgs.update`（无变化时不记录）。
    """,
)
def orgs_update(request, payload: OrgUpdateIn, org_id: OrgId):
    actor = request.auth
    org = org_get(actor=actor, pk=org_id, perm=OrgsPerm.CHANGE)
    fields = payload.model_dump(exclude_unset=True, exclude={"reason"})
    org = org_update(actor=actor, org=org, reason=payload.reason, **fields)
    return _detail(actor, org)


@router.post(
    "/{org_id}/move",
    perm=OrgsPerm.CHANGE,
    response=OrgDetailOut,
    operation_id="orgs_move",
    summary="调整组织隶属关系",
    description="""
        把组织连同其全部下级移到新的上级组织（`parent`，组织代码）之下。须对原组织和新上级都有维护权限；
        不能移到自身或其下级之下，且须符合组织树规则，否则返回 422（字段 `parent`）。写入操作日志 `orgs.move`。
    """,
)
def orgs_move(request, payload: OrgMoveIn, org_id: OrgId):
    actor = request.auth
    org = org_get(actor=actor, pk=org_id, perm=OrgsPerm.CHANGE)
    new_parent = org_ref_or_error(actor=actor, ref=payload.parent, field="parent", perm=OrgsPerm.CHANGE)
    org = org_move(actor=actor, org=org, new_parent=new_parent, reason=payload.reason)
    return _detail(actor, org)


@router.get(
    "/{org_id}/terms",
    perm=OrgsPerm.VIEW,
    response=TermListOut,
    operation_id="orgs_terms",
    summary="委员会届次",
    description="组织委员会的历届届次，最新一届在前，含任期年限、届满日期和剩余天数。",
)
def orgs_terms(request, org_id: OrgId):
    org = org_get(actor=request.auth, pk=org_id)
    return {"items": [_term(t) for t in org_terms(actor=request.auth, org=org)]}
