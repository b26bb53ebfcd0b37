"""Settings of the integration app, each with its default (12-factor, STYLE §12).

A Django setting of the same name wins (tests override them with the ``settings`` fixture), else the
``DANGJIAN_*`` environment variable, else the default here. They are read when used, so N identical
app processes and workers agree as long as their environment does.

Each outbound channel kind is off unless switched on (``DANGJIAN_EMAIL_ENABLED``,
``DANGJIAN_WECOM_ENABLED``, ``DANGJIAN_DINGTALK_ENABLED``); :func:`check` runs at start-up and raises
``ImproperlyConfigured`` when one is on but incomplete. A kind that is off queues nothing: the in-app
inbox always works.
"""
from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dangjian.integration.choices import ChannelKind

__all__ = [
    "check",
    "email_connection_kwargs",
    "email_from",
    "kind_enabled",
    "max_attempts",
    "retry_base_seconds",
    "retry_grace_seconds",
    "schedule_enabled",
    "sending_lease_seconds",
    "site_url",
    "timeout_seconds",
    "webhook_allow_private",
    "webhook_hosts",
    "webhook_max_attempts",
    "webhook_proxy",
    "webhook_secret_grace_hours",
    "worker_tick_seconds",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_WEBHOOK_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")
_KIND_FLAG = {
    ChannelKind.EMAIL: "DANGJIAN_EMAIL_ENABLED",
    ChannelKind.WECOM: "DANGJIAN_WECOM_ENABLED",
    ChannelKind.DINGTALK: "DANGJIAN_DINGTALK_ENABLED",
}


def _raw(name: str) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name)


def _bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    low = str(value).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}")
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def _str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else str(value).strip()


def kind_enabled(kind: str) -> bool:
    """Whether this installation sends through *kind* at all (default: off)."""
    flag = _KIND_FLAG.get(kind)
    return bool(flag) and _bool(flag, False)


def webhook_hosts() -> tuple[str, ...]:
    """``DANGJIAN_WEBHOOK_HOSTS``: hosts a robot webhook may point to (comma list; ``*`` for any).

    Defaults to the public WeCom and DingTalk endpoints, so a channel cannot be pointed at an internal
    address; an on-premises WeCom or a proxy is added here."""
    value = _raw("DANGJIAN_WEBHOOK_HOSTS")
    if value is None:
        return DEFAULT_WEBHOOK_HOSTS
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(item.strip().lower() for item in items if item.strip())


def webhook_proxy() -> str:
    """``DANGJIAN_WEBHOOK_PROXY`` (e.g. ``http://proxy:3128``): the outbound HTTP(S) proxy for robot
    webhooks. Empty (default): direct connections; the process environment's proxy variables are not
    used, so what is configured here is all that applies."""
    return _str("DANGJIAN_WEBHOOK_PROXY")


def webhook_allow_private() -> bool:
    """``DANGJIAN_WEBHOOK_ALLOW_PRIVATE`` (default: on only with ``DANGJIAN_DEBUG``): whether an event
    subscription may point at a loopback, private, link-local or otherwise non-public address. Off in
    production, so a subscription cannot make the server call into the internal network (SSRF); the
    address is checked when the subscription is saved and again before every attempt."""
    return _bool("DANGJIAN_WEBHOOK_ALLOW_PRIVATE", bool(settings.DEBUG))


def webhook_max_attempts() -> int:
    """``DANGJIAN_WEBHOOK_MAX_ATTEMPTS`` (default 8): attempts of one event delivery to a subscription
    before it is dead-lettered ("failed"); with the doubling delay (``DANGJIAN_NOTIFY_RETRY_SECONDS``,
    30 s by default) the last one is about an hour after the first."""
    return _int("DANGJIAN_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)


def webhook_secret_grace_hours() -> int:
    """``DANGJIAN_WEBHOOK_SECRET_GRACE_HOURS`` (default 24): after a subscription's signing secret is
    rotated, deliveries are signed with the new and the old secret for this long (two ``v1,`` entries),
    so the receiver can switch without losing events; 0 drops the old secret at once."""
    return _int("DANGJIAN_WEBHOOK_SECRET_GRACE_HOURS", 24)


def max_attempts() -> int:
    """``DANGJIAN_NOTIFY_MAX_ATTEMPTS`` (default 5): attempts before a delivery is marked failed."""
    return _int("DANGJIAN_NOTIFY_MAX_ATTEMPTS", 5, minimum=1)


def retry_base_seconds() -> int:
    """``DANGJIAN_NOTIFY_RETRY_SECONDS`` (default 30): the first retry delay; it doubles each attempt."""
    return _int("DANGJIAN_NOTIFY_RETRY_SECONDS", 30, minimum=1)


def retry_grace_seconds() -> int:
    """``DANGJIAN_NOTIFY_RETRY_GRACE_SECONDS`` (default 60): how overdue a pending delivery must be before
    the sweeper re-queues it (its own queued task normally picks it up first)."""
    return _int("DANGJIAN_NOTIFY_RETRY_GRACE_SECONDS", 60)


def sending_lease_seconds() -> int:
    """``DANGJIAN_NOTIFY_SENDING_LEASE_SECONDS`` (default 600): a delivery left "sending" longer than
    this (its worker died mid-send) is handed back to the queue."""
    return _int("DANGJIAN_NOTIFY_SENDING_LEASE_SECONDS", 600, minimum=1)


def timeout_seconds() -> int:
    """``DANGJIAN_NOTIFY_TIMEOUT_SECONDS`` (default 10): connect + read timeout of one HTTP or SMTP attempt."""
    return _int("DANGJIAN_NOTIFY_TIMEOUT_SECONDS", 10, minimum=1)


def site_url() -> str:
    """``DANGJIAN_SITE_URL`` (e.g. ``https://dangjian.example.com``): makes links in emails and robot
    messages absolute. Empty: external messages carry no link."""
    return _str("DANGJIAN_SITE_URL").rstrip("/")


def email_from() -> str:
    """``DANGJIAN_EMAIL_FROM``: the sender address of notification emails (required with email on)."""
    return _str("DANGJIAN_EMAIL_FROM")


def email_connection_kwargs() -> dict[str, Any]:
    """SMTP parameters from ``DANGJIAN_SMTP_*`` when ``DANGJIAN_SMTP_HOST`` is set; otherwise Django's
    configured email backend is used as it is (e.g. the in-memory backend in tests)."""
    host = _str("DANGJIAN_SMTP_HOST")
    if not host:
        return {}
    return {
        "backend": _SMTP_BACKEND,
        "host": host,
        "port": _int("DANGJIAN_SMTP_PORT", 25, minimum=1),
        "username": _str("DANGJIAN_SMTP_USER") or None,
        "password": _str("DANGJIAN_SMTP_PASSWORD") or None,
        "use_tls": _bool("DANGJIAN_SMTP_STARTTLS", False),
        "use_ssl": _bool("DANGJIAN_SMTP_SSL", False),
        "timeout": timeout_seconds(),
    }


def schedule_enabled() -> bool:
    """``DANGJIAN_SCHEDULE_ENABLED`` (default on): whether ``dangjian worker`` also runs the schedule."""
    return _bool("DANGJIAN_SCHEDULE_ENABLED", True)


def worker_tick_seconds() -> int:
    """``DANGJIAN_WORKER_TICK_SECONDS`` (default 15): how often a worker looks for due schedule entries."""
    return _int("DANGJIAN_WORKER_TICK_SECONDS", 15, minimum=1)


def check() -> None:
    """Start-up check: every switched-on channel kind is completely configured (raises otherwise)."""
    for kind in ChannelKind.values:
        kind_enabled(kind)  # a malformed flag fails here, not at the first notification
    for reader in (max_attempts, retry_base_seconds, retry_grace_seconds, sending_lease_seconds, timeout_seconds,
                   worker_tick_seconds, webhook_allow_private, webhook_max_attempts, webhook_secret_grace_hours):
        reader()
    if kind_enabled(ChannelKind.EMAIL):
        if not email_from():
            raise ImproperlyConfigured("DANGJIAN_EMAIL_ENABLED is on: set DANGJIAN_EMAIL_FROM (the sender address)")
        if not email_connection_kwargs() and settings.EMAIL_BACKEND == _SMTP_BACKEND:
            raise ImproperlyConfigured("DANGJIAN_EMAIL_ENABLED is on: set DANGJIAN_SMTP_HOST (and _PORT, _USER, "
                                       "_PASSWORD, _STARTTLS or _SSL as the mail server needs)")
    for kind in (ChannelKind.WECOM, ChannelKind.DINGTALK):
        if kind_enabled(kind) and not webhook_hosts():
            raise ImproperlyConfigured(f"{_KIND_FLAG[kind]} is on but DANGJIAN_WEBHOOK_HOSTS allows no host")
