"""Pages of the accounts app: sign-in (password, then the second factor), MFA enrolment, backup
codes, sign-out, "my account" and password change. Selectors for reads, services for writes.

Sign-in is two steps. A password alone never signs in a user who has a confirmed second factor:
the password step only leaves a short-lived *pending* marker in the (still anonymous) session,
and ``django.contrib.auth.login`` runs after the one-time code is accepted. So a user who enrolled
voluntarily cannot skip the code by typing another URL, whatever their roles.
"""
from __future__ import annotations

import time
from base64 import b32encode
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from dangjian.accounts.credentials import active_user
from dangjian.accounts.forms import LoginForm, MfaConfirmForm, OtpForm, PasswordChangeForm
from dangjian.accounts.lockout import lockout_response
from dangjian.accounts.selectors import (
    assignments_of,
    backup_codes_remaining,
    has_confirmed_device,
    has_totp_device,
    mfa_required,
    pending_totp_device,
)
from dangjian.accounts.services import (
    backup_codes_generate,
    mfa_confirm,
    mfa_start,
    otp_verify,
    password_change,
)
from dangjian.core.errors import DomainError
from dangjian.ui.permissions import public, require_perm

__all__ = [
    "login_view",
    "logout_view",
    "mfa_backup_codes",
    "mfa_setup",
    "otp_view",
    "password_change_view",
    "profile",
]

PENDING_KEY = "dangjian_pending_login"
PENDING_TTL_SECONDS = 300
PENDING_MAX_FAILURES = 5


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """*candidate* when it points into this site, else the home page (no open redirects)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _is_verified(user: Any) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


def _second_factor_gate(request: HttpRequest) -> HttpResponse | None:
    """The forced-MFA rule of ``accounts.middleware`` for pages under /accounts/ (which the
    middleware exempts so that the OTP and enrolment pages stay reachable)."""
    user = request.user
    if _is_verified(user) or not mfa_required(actor=user):
        return None
    if has_confirmed_device(actor=user):
        return redirect(f"{reverse('accounts:otp')}?next={quote(request.get_full_path())}")
    return redirect(f"{reverse('accounts:mfa_setup')}?forced=1")


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_TTL_SECONDS:
        del request.session[PENDING_KEY]
        return None
    return pending


@public("sign-in form: the password step")
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    raw_next = request.POST.get("next") or request.GET.get("next")
    next_url = _safe_next(request, raw_next)
    idle = request.GET.get("idle") == "1"
    if request.method == "GET" and request.user.is_authenticated and not idle:
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # request=... lets django-axes count the failure and refuse a locked account.
        user = authenticate(request, username=form.cleaned_data["username"],
                            password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None)
        if user is None:
            form.add_error(None, _("用户名或密码不正确。"))
        elif has_confirmed_device(actor=user):
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "uid": user.pk, "backend": user.backend, "at": int(time.time()), "next": next_url, "fails": 0,
            }
            return redirect("accounts:otp")
        else:
            auth_login(request, user)
            return redirect(next_url)
    return render(request, "accounts/login.html", {
        "form": form, "next": raw_next if raw_next and next_url == raw_next else "", "idle": idle,
        # what the page says about lockout is what the settings do (DANGJIAN_LOCKOUT_FAILURES / _MINUTES)
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
    })


@public("sign-in form: the one-time-code step (after the password step)")
@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def otp_view(request: HttpRequest) -> HttpResponse:
    pending = None
    if request.user.is_authenticated:
        # Signed in without a second factor (forced by the middleware, e.g. a role granted mid-session).
        user = request.user
        next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
        if _is_verified(user):
            return redirect(next_url)
        if not has_confirmed_device(actor=user):
            return redirect(f"{reverse('accounts:mfa_setup')}?forced=1")
    else:
        pending = _pending(request)
        user = active_user(pending["uid"]) if pending else None
        if user is None:
            messages.info(request, _("请先输入用户名和密码。"))
            return redirect("accounts:login")
        next_url = pending["next"]
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            if pending is not None:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, _("您使用了一个备用验证码，还剩 %(n)d 个。用完前请在“我的账号”中重新生成。")
                                 % {"n": backup_codes_remaining(actor=user)})
            return redirect(next_url)
        if pending is not None:
            pending["fails"] = int(pending.get("fails", 0)) + 1
            if pending["fails"] >= PENDING_MAX_FAILURES:
                del request.session[PENDING_KEY]
                messages.error(request, _("验证码错误次数过多，请重新登录。"))
                return redirect("accounts:login")
            request.session[PENDING_KEY] = pending
        form.add_error("token", _("验证码不正确、已使用或已过期；多次出错后需稍候几秒再试。"))
    return render(request, "accounts/otp.html", {"form": form, "next": next_url, "pending_user": user})


def _qr_svg(device: Any) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#212529", light="#ffffff")
    return mark_safe(svg)  # generated by segno from our own data; no user HTML in it


def _base32_secret(device: Any) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@require_perm(None)
@sensitive_post_parameters("token")
@never_cache
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_confirmed_device(actor=user) and not _is_verified(user):
        # Replacing a second factor needs the current one first.
        return redirect(f"{reverse('accounts:otp')}?next={quote(request.get_full_path())}")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    forced = request.GET.get("forced") == "1"
    device = pending_totp_device(actor=user)
    if request.method == "POST":
        form = MfaConfirmForm(request.POST)
        if device is None:
            messages.error(request, _("登记已失效，请重新扫描二维码。"))
            return redirect(request.get_full_path())
        if form.is_valid():
            try:
                codes = mfa_confirm(actor=user, device=device, token=form.cleaned_data["token"])
            except DomainError as exc:
                form.add_error("token", exc.errors[0].message)
            else:
                device.refresh_from_db()
                otp_login(request, device)
                return render(request, "accounts/backup_codes.html",
                              {"codes": codes, "enrolled": True, "next": next_url or resolve_url(settings.LOGIN_REDIRECT_URL)})
    else:
        form = MfaConfirmForm()
        if device is None:
            device = mfa_start(user=user)
    mfa_roles = sorted({a.role.name for a in assignments_of(actor=user, user=user) if a.role.requires_mfa})
    return render(request, "accounts/mfa_setup.html", {
        "form": form,
        "forced": forced,
        "mfa_roles": mfa_roles,
        "replacing": has_totp_device(actor=user),
        "qr_svg": _qr_svg(device),
        # on the phone that holds the authenticator the QR code cannot be scanned: the otpauth:// link
        # opens the app with the key filled in (issue 9, point 9)
        "otpauth_url": device.config_url,
        "secret": _base32_secret(device),
        "next": next_url if next_url != resolve_url(settings.LOGIN_REDIRECT_URL) else "",
    })


@require_POST
@require_perm(None)
@never_cache
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_totp_device(actor=user):
        messages.error(request, _("请先启用双因素认证，再生成备用验证码。"))
        return redirect("accounts:profile")
    if not _is_verified(user):
        return redirect(f"{reverse('accounts:otp')}?next={quote(reverse('accounts:profile'))}")
    codes = backup_codes_generate(actor=user, user=user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "enrolled": False,
                                                         "next": resolve_url(settings.LOGIN_REDIRECT_URL)})


@require_POST
@require_perm(None)
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, _("您已安全退出。"))
    return redirect("accounts:login")


@require_perm(None)
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    gate = _second_factor_gate(request)
    if gate is not None:
        return gate
    user = request.user
    return render(request, "accounts/profile.html", {
        "account": user,
        "assignments": list(assignments_of(actor=user, user=user).order_by("role__name", "org__path")),
        "mfa_enrolled": has_totp_device(actor=user),
        "mfa_required": mfa_required(actor=user),
        "backup_remaining": backup_codes_remaining(actor=user),
    })


_PASSWORD_FIELDS = {"old_password": "old_password", "password": "new_password1"}


@require_perm(None)
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
def password_change_view(request: HttpRequest) -> HttpResponse:
    gate = _second_factor_gate(request)
    if gate is not None:
        return gate
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_change(actor=request.user, user=request.user,
                                   old_password=form.cleaned_data["old_password"],
                                   new_password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            for err in exc.errors:
                form.add_error(_PASSWORD_FIELDS.get(err.field or "", None), err.message)
        else:
            update_session_auth_hash(request, user)  # keeps this session (and its verified device)
            messages.success(request, _("密码已修改。"))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})
