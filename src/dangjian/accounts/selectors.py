"""Reads of accounts: the actor's own grants, second factor and linked member, and the assignments
they may see. Finding who the actor is (a token, a pending sign-in): :mod:`dangjian.accounts.credentials`."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp import devices_for_user

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.scope import MFA_CACHE_ATTR, user_grants

__all__ = [
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
]


def assignments_of(*, actor: Any, user: Any) -> QuerySet[RoleAssignment]:
    """A user's own assignments are always visible to them; others' need accounts.manage in scope."""
    qs = RoleAssignment.objects.for_actor(actor, "accounts.manage") | RoleAssignment.objects.filter(user=actor)
    return qs.filter(user=user).select_related("role", "org")


def perms_anywhere(*, actor: Any) -> set[str]:
    """Every permission the actor holds at some organisation (all of them for a superuser)."""
    if getattr(actor, "is_superuser", False):
        from dangjian.accounts.choices import ALL_PERMISSIONS

        return set(ALL_PERMISSIONS)
    perms: set[str] = set()
    for granted, _grant in user_grants(actor):
        perms |= granted
    return perms


def perms_beyond_self(*, actor: Any) -> set[str]:
    """The permission codes *actor* holds at a scope wider than their own records (an organisation, a
    subtree, everything): what makes a manager's screen theirs. A plain member's grants are "self" ones."""
    if getattr(actor, "is_superuser", False):
        return perms_anywhere(actor=actor)
    from dangjian.core.scoping import ScopeKind

    perms: set[str] = set()
    for granted, grant in user_grants(actor):
        if grant.kind != ScopeKind.SELF:
            perms |= granted
    return perms


def mfa_pending(*, actor: Any) -> bool:
    """Whether the session still owes its second factor (enrolment or the code): the pages send such a
    user to that step, and the navigation is hidden meanwhile (issue 9, point 9)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    is_verified = getattr(actor, "is_verified", None)
    return not (is_verified is not None and is_verified()) and mfa_required(actor=actor)


def mfa_required(*, actor: Any) -> bool:
    """Whether the actor must sign in with a second factor: administrative roles (and superusers) must."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    # asked by the session middleware and again by the navigation on the same request: once per user object
    cached = getattr(actor, MFA_CACHE_ATTR, None)
    if cached is None:
        cached = RoleAssignment.objects.filter(user=actor, role__requires_mfa=True).exists()
        setattr(actor, MFA_CACHE_ATTR, cached)
    return cached


def has_confirmed_device(*, actor: Any) -> bool:
    """Whether the actor has a confirmed second-factor device (authenticator app or backup codes)."""
    return any(True for _ in devices_for_user(actor, confirmed=True))


def has_totp_device(*, actor: Any) -> bool:
    """Whether the actor has finished enrolling an authenticator app (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(actor, confirmed=True).exists()


def pending_totp_device(*, actor: Any) -> Any:
    """The actor's enrolment in progress (an unconfirmed TOTP device), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.devices_for_user(actor, confirmed=False).order_by("-pk").first()


def backup_codes_remaining(*, actor: Any) -> int:
    """How many unused backup codes the actor has left."""
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=actor, device__confirmed=True).count()


def linked_member_id(*, actor: Any) -> int | None:
    """The id of the member record linked to the actor's account, or None (through the reverse relation,
    so accounts does not import the members app that sits above it)."""
    from dangjian.accounts.models import User

    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
        return None
    return User.objects.filter(pk=actor.pk).values_list("member__id", flat=True).first()
