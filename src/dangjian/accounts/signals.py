"""Audit of sign-in events (login success / failure / logout). Recording only, no business logic."""
from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record

__all__: list[str] = []


@receiver(user_logged_in, dispatch_uid="dangjian.audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        from dangjian.accounts.middleware import stamp_session

        stamp_session(request.session)
    record(actor=user, action=AuditAction.LOGIN_SUCCEEDED, target=user)


@receiver(user_logged_out, dispatch_uid="dangjian.audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=AuditAction.LOGOUT, target=user)


@receiver(user_login_failed, dispatch_uid="dangjian.audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))[:150]
    record(actor=None, actor_name=username or "anonymous", action=AuditAction.LOGIN_FAILED,
           after={"username": username})
