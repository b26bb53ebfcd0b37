"""The scope resolver: role assignments → grants for a permission (implements core's protocol)."""
from __future__ import annotations

from typing import Any

from dangjian.core.scoping import ALL, Grant, ScopeKind

__all__ = ["MFA_CACHE_ATTR", "AssignmentResolver", "user_grants"]

_CACHE_ATTR = "_dangjian_grants"
MFA_CACHE_ATTR = "_dangjian_mfa_required"  # accounts.selectors.mfa_required, cached for the request


def user_grants(user: Any) -> list[tuple[frozenset[str], Grant]]:
    """All (permissions, grant) pairs of a user, cached on the user object for the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from dangjian.accounts.models import RoleAssignment

    rows = RoleAssignment.objects.filter(user_id=user.pk).values_list(
        "role__permissions", "scope", "org_id", "org__path"
    )
    out: list[tuple[frozenset[str], Grant]] = []
    for perms, scope, org_id, org_path in rows:
        grant = ALL if scope == ScopeKind.ALL else Grant(scope, org_id, org_path)
        out.append((frozenset(perms or ()), grant))
    setattr(user, _CACHE_ATTR, out)
    return out


def clear_cache(user: Any) -> None:
    for attr in (_CACHE_ATTR, MFA_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


class AssignmentResolver:
    def grants(self, actor: Any, perm: str) -> list[Grant]:
        if getattr(actor, "is_superuser", False):
            return [ALL]
        return [grant for perms, grant in user_grants(actor) if perm in perms]

    def has_perm_anywhere(self, actor: Any, perm: str) -> bool:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return False
        return bool(self.grants(actor, perm))
