"""Who is acting: the lookups that establish the actor before there is one — an API token's bearer, the
account of a sign-in waiting for its second step. Not selectors (they take no actor: they find it);
reads for a signed-in actor are in :mod:`dangjian.accounts.selectors`."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from dangjian.accounts.models import ApiToken

__all__ = ["active_user", "token_lookup"]


def token_lookup(token: str) -> ApiToken | None:
    """The live API token with this value (not revoked, not expired, its account active), or None.
    Read only: marking it used is :func:`dangjian.accounts.services.apitoken_touch`."""
    from dangjian.accounts.services import token_digest

    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.expires_at and row.expires_at <= timezone.now():
        return None
    return row


def active_user(pk: Any) -> Any:
    """The active account with this primary key, or None (used by the second sign-in step)."""
    from dangjian.accounts.models import User

    try:
        return User.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError):
        return None
