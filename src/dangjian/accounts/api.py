"""REST endpoint "who am I": the caller's account, role grants with their scope, linked member."""
from __future__ import annotations

from dangjian.accounts.schemas import MeOut
from dangjian.accounts.selectors import assignments_of, linked_member_id, perms_anywhere
from dangjian.core.api import SIGNED_IN, Router

__all__ = ["router"]

router = Router(app="accounts")


@router.get(
    "/me",
    perm=SIGNED_IN,
    response=MeOut,
    operation_id="accounts_me",
    summary="当前用户",
    description="""
        调用者的账号、所持权限、角色授权（含数据范围和所在组织）以及关联的党员记录 id。
        任何已登录用户（或有效 API 令牌）均可调用，不需要特定权限。
    """,
)
def accounts_me(request):
    user = request.auth
    grants = [
        {
            "role": a.role.code,
            "role_name": a.role.name,
            "scope": a.scope,
            "org": {"id": a.org.pk, "code": a.org.code, "name": a.org.name} if a.org_id else None,
        }
        for a in assignments_of(actor=user, user=user).order_by("pk")
    ]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.display_name,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "auth_via_token": bool(getattr(request, "auth_via_token", False)),
        "permissions": sorted(perms_anywhere(actor=user)),
        "roles": grants,
        "member_id": linked_member_id(actor=user),
    }
