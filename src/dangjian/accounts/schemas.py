"""Schemas of the accounts API."""
from __future__ import annotations

from ninja import Field, Schema

from dangjian.accounts.choices import Scope

__all__ = ["MeOut", "RoleGrantOut"]


class OrgRefOut(Schema):
    id: int
    code: str
    name: str


class RoleGrantOut(Schema):
    role: str = Field(..., description="role code, e.g. branch_secretary")
    role_name: str
    scope: Scope = Field(..., description="data scope: self / org / subtree / all")
    org: OrgRefOut | None = Field(..., description="the organisation of the grant (null for scope all)")


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    is_superuser: bool
    auth_via_token: bool = Field(..., description="this request was authenticated with an API token")
    permissions: list[str] = Field(..., description="permission codes held somewhere (their scope is per grant)")
    roles: list[RoleGrantOut]
    member_id: int | None = Field(..., description="the linked member record, if any")
