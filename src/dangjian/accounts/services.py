"""Writes of accounts: users, role grants, API tokens, MFA devices — all audited (STYLE §2)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.choices import Scope
from dangjian.accounts.errors import AccountsError
from dangjian.accounts.models import ApiToken, Role, RoleAssignment, User
from dangjian.accounts.scope import clear_cache
from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.orgs.models import Organization

__all__ = [
    "TOKEN_PREFIX",
    "apitoken_create",
    "apitoken_revoke",
    "apitoken_touch",
    "backup_codes_generate",
    "mfa_confirm",
    "mfa_disable",
    "mfa_start",
    "otp_verify",
    "password_change",
    "resolve_role",
    "role_grant",
    "role_revoke",
    "token_digest",
    "user_create",
    "user_set_password",
    "user_unlock",
]

TOKEN_PREFIX = "djt_"
BACKUP_CODE_COUNT = 10


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def resolve_role(code_or_name: str) -> Role:
    role = Role.objects.filter(code=code_or_name).first() or Role.objects.filter(name=code_or_name).first()
    if role is None:
        raise DomainError.one(AccountsError.UNKNOWN_ROLE, "role", _("未知角色：%(r)s") % {"r": code_or_name})
    return role


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None, display_name: str = "",
                email: str = "", is_superuser: bool = False) -> User:
    """Creates a login account. Permission: ``accounts.manage``. Audit: ``accounts.user_create``."""
    if User.objects.filter(username=username).exists():
        raise DomainError.one(AccountsError.USERNAME_TAKEN, "username", _("用户名已存在"))
    user = User(username=username, display_name=display_name, email=email, is_superuser=is_superuser,
                is_staff=is_superuser)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError([FieldError(AccountsError.PASSWORD_WEAK, "password", m) for m in exc.messages])
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(actor=actor, action=AuditAction.USER_CREATED, target=user,
           after={"username": username, "display_name": display_name, "is_superuser": is_superuser})
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """Sets a password after validation. Audit: ``accounts.password_set`` (no secret recorded)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError([FieldError(AccountsError.PASSWORD_WEAK, "password", m) for m in exc.messages])
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=actor, action=AuditAction.USER_PASSWORD_SET, target=user)
    return user


@transaction.atomic
def user_unlock(*, actor: Any, user: User, reason: str = "") -> int:
    """Lifts the lockout after failed sign-ins (django-axes, per account) before its cool-off ends, e.g.
    from the shell with ``dangjian unlock USERNAME`` when the administrator locked themselves out.
    Returns the failed attempts cleared. Audit: ``accounts.unlock`` with that count (also when there was
    nothing to clear: the attempt to unlock is itself worth seeing)."""
    from axes.utils import reset

    cleared = reset(username=user.get_username())
    record(actor=actor, action=AuditAction.USER_UNLOCKED, target=user, after={"attempts_cleared": cleared},
           reason=reason)
    return cleared


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: Role, org: Organization | None, scope: str) -> RoleAssignment:
    """Grants *role* to *user* at *org* with *scope*. Idempotent.

    Permission: ``accounts.manage`` covering *org* (checked by the caller). Audit: ``accounts.role_grant``.
    """
    if scope not in Scope.values:
        raise DomainError.one("accounts.scope_invalid", "scope", _("数据范围无效"))
    if scope != Scope.ALL and org is None:
        raise DomainError.one(AccountsError.SCOPE_NEEDS_ORG, "org", _("除“全部”外，授权须指定组织"))
    if scope == Scope.ALL:
        org = None
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, org=org, scope=scope)
    if created:
        record(actor=actor, action=AuditAction.ROLE_GRANTED, target=user, org=org,
               after={"role": role.code, "org": org.code if org else None, "scope": scope})
    clear_cache(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    """Removes a grant. Audit: ``accounts.role_revoke``."""
    org = assignment.org
    before = {"role": assignment.role.code, "org": org.code if org else None, "scope": assignment.scope}
    user = assignment.user
    assignment.delete()
    record(actor=actor, action=AuditAction.ROLE_REVOKED, target=user, org=org, before=before)
    clear_cache(user)


@transaction.atomic
def apitoken_create(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issues an API token; returns (row, plaintext). The plaintext is shown once and never stored.

    Audit: ``accounts.apitoken_create``.
    """
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=plaintext[:12], digest=token_digest(plaintext))
    record(actor=actor, action=AuditAction.API_TOKEN_CREATED, target=user,
           after={"prefix": token.prefix, "name": name})
    return token, plaintext


# A token's last use is bookkeeping, not an operation: written at most once per interval so that a busy
# integration does not turn every read into a write, and not audited (the requests themselves are).
TOKEN_TOUCH_SECONDS = 300


def apitoken_touch(*, token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Records that *token* was used (throttled to one write per ``TOKEN_TOUCH_SECONDS``); True if written."""
    now = now or timezone.now()
    if token.last_used_at is not None and (now - token.last_used_at).total_seconds() <= TOKEN_TOUCH_SECONDS:
        return False
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True


@transaction.atomic
def apitoken_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revokes a token. Audit: ``accounts.apitoken_revoke``."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    record(actor=actor, action=AuditAction.API_TOKEN_REVOKED, target=token.user, after={"prefix": token.prefix})
    return token


@transaction.atomic
def mfa_start(*, user: User) -> TOTPDevice:
    """Creates (or restarts) the user's unconfirmed TOTP device for enrolment. Not audited until confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


@transaction.atomic
def mfa_confirm(*, actor: Any, device: TOTPDevice, token: str) -> list[str]:
    """Confirms enrolment with a code from the app; returns freshly generated backup codes.

    Audit: ``accounts.mfa_enroll``.
    """
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        raise DomainError.one(AccountsError.OTP_INVALID, "token", _("验证码不正确或已过期"))
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(actor=actor, action=AuditAction.MFA_ENROLLED, target=device.user)
    return backup_codes_generate(actor=actor, user=device.user)


@transaction.atomic
def backup_codes_generate(*, actor: Any, user: User) -> list[str]:
    """Replaces the user's backup codes with ten new single-use codes. Audit: ``accounts.mfa_backup_codes``."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    record(actor=actor, action=AuditAction.MFA_BACKUP_CODES, target=user, after={"count": len(codes)})
    return codes


@transaction.atomic
def mfa_disable(*, actor: Any, user: User) -> None:
    """Removes all second factors of a user. Audit: ``accounts.mfa_disable``."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor=actor, action=AuditAction.MFA_DISABLED, target=user)


def _normalize_code(token: str) -> str:
    return (token or "").strip().replace(" ", "").replace("-", "").lower()


@transaction.atomic
def otp_verify(*, user: User, token: str) -> Device | None:
    """Checks a second-factor code after the password step: six digits are a TOTP code, anything
    else a single-use backup code (consumed on success). Returns the device that accepted it.

    Permission: the user themself (the caller has checked the password). Audit:
    ``accounts.otp_failed`` on a wrong, replayed or throttled code; ``accounts.mfa_backup_code_used``
    when a backup code is spent. Side effects: django-otp's per-device throttling grows with each
    failure (1, 2, 4 … seconds), so a code cannot be brute-forced through this service.
    """
    code = _normalize_code(token)
    kind = "totp" if code.isdigit() else "backup"
    model = TOTPDevice if kind == "totp" else StaticDevice
    if code:
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk"):
            if device.verify_token(code):
                if kind == "backup":
                    record(actor=user, action=AuditAction.MFA_BACKUP_CODE_USED, target=user,
                           after={"remaining": device.token_set.count()})
                return device
    record(actor=user, action=AuditAction.OTP_FAILED, target=user, after={"kind": kind})
    return None


@transaction.atomic
def password_change(*, actor: Any, user: User, old_password: str, new_password: str) -> User:
    """A user changes their own password, proving the old one first.

    Permission: the user themself. Audit: ``accounts.password_set`` (no secret recorded); nothing is
    written when the old password is wrong or the new one is too weak.
    """
    if not user.check_password(old_password or ""):
        raise DomainError.one("accounts.password_wrong", "old_password", _("原密码不正确"))
    return user_set_password(actor=actor, user=user, password=new_password)
