"""Reads of accounts."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_otp import devices_for_user

from dangjian.accounts.models import ApiToken, RoleAssignment
from dangjian.accounts.scope import MFA_CACHE_ATTR, user_grants

__all__ = [
    "active_user",
    "assignments_of",
    "backup_codes_remaining",
    "has_confirmed_device",
    "has_totp_device",
    "linked_member_id",
    "mfa_pending",
    "mfa_required",
    "pending_totp_device",
    "perms_anywhere",
    "perms_beyond_self",
    "token_lookup",
]


def assignments_of(*, actor: Any, user: Any) -> QuerySet[RoleAssignment]:
    """A user's own assignments are always visible to them; others' need accounts.manage in scope."""
    qs = RoleAssignment.objects.for_actor(actor, "accounts.manage") | RoleAssignment.objects.filter(user=actor)
    return qs.filter(user=user).select_related("role", "org")


def perms_anywhere(user: Any) -> set[str]:
    if getattr(user, "is_superuser", False):
        from dangjian.accounts.choices import ALL_PERMISSIONS

        return set(ALL_PERMISSIONS)
    perms: set[str] = set()
    for granted, _grant in user_grants(user):
        perms |= granted
    return perms


def perms_beyond_self(user: Any) -> set[str]:
    """The permission codes *user* holds at a scope wider than their own records (an organisation, a
    subtree, everything): what makes a manager's screen theirs. A plain member's grants are "self" ones."""
    if getattr(user, "is_superuser", False):
        return perms_anywhere(user)
    from dangjian.core.scoping import ScopeKind

    perms: set[str] = set()
    for granted, grant in user_grants(user):
        if grant.kind != ScopeKind.SELF:
            perms |= granted
    return perms


def mfa_pending(user: Any) -> bool:
    """Whether the session still owes its second factor (enrolment or the code): the pages send such a
    user to that step, and the navigation is hidden meanwhile (issue 9, point 9)."""
    if not getattr(user, "is_authenticated", False):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified()) and mfa_required(user)


def mfa_required(user: Any) -> bool:
    """Administrative roles (and superusers) must sign in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    # asked by the session middleware and again by the navigation on the same request: once per user object
    cached = getattr(user, MFA_CACHE_ATTR, None)
    if cached is None:
        cached = RoleAssignment.objects.filter(user=user, role__requires_mfa=True).exists()
        setattr(user, MFA_CACHE_ATTR, cached)
    return cached


def has_confirmed_device(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


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


def has_totp_device(user: Any) -> bool:
    """Whether the user has finished enrolling an authenticator app (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_totp_device(user: Any) -> Any:
    """The user's enrolment in progress (an unconfirmed TOTP device), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()


def backup_codes_remaining(user: Any) -> int:
    """How many unused backup codes the user has left."""
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def linked_member_id(user: Any) -> int | None:
    """The id of the member record linked to this account, or None (through the reverse relation, so
    accounts does not import the members app that sits above it)."""
    from dangjian.accounts.models import User

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return User.objects.filter(pk=user.pk).values_list("member__id", flat=True).first()
