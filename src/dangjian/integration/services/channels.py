"""Writes of an organisation's notification channels (通知渠道): create, change, delete, send a test.

Permission for each: ``integration.configure`` over the channel's organisation. A webhook URL must be
``http(s)://`` on an allowed host (``DANGJIAN_WEBHOOK_HOSTS``); anything else is refused at its field
with nothing written. Secrets never appear in audit entries: URLs are logged without their query (the
robot's key) and the DingTalk secret only as "set" / "not set".
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.integration import conf
from dangjian.integration.choices import ChannelKind, DeliveryStatus, IntegrationPerm, Severity, Threshold
from dangjian.integration.errors import IntegrationError
from dangjian.integration.events import DeliveriesQueued
from dangjian.integration.models import Delivery, Dispatch, NotificationChannel
from dangjian.integration.senders import mask_url
from dangjian.integration.services.common import channel_target, validate_threshold
from dangjian.orgs.selectors import require_org_in_scope

__all__ = ["channel_create", "channel_delete", "channel_test", "channel_update"]

MAX_URL = 1000
MAX_RECIPIENTS = 50
_SECRET_RE = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII without spaces (DingTalk: "SEC…")
_UNSET = object()
_EDITABLE = ("name", "webhook_url", "secret", "email_recipients", "min_severity", "include_subtree", "enabled")


def _snapshot(channel: NotificationChannel | None) -> dict[str, Any] | None:
    if channel is None or channel.pk is None:
        return None
    return {
        "org": channel.org.code,
        "kind": channel.kind,
        "name": channel.name,
        "enabled": channel.enabled,
        "min_severity": channel.min_severity,
        "include_subtree": channel.include_subtree,
        "webhook_url": mask_url(channel.webhook_url) if channel.webhook_url else "",
        "secret": "set" if channel.secret else "",
        "email_recipients": list(channel.email_recipients or []),
    }


def _check_url(url: str) -> list[FieldError]:
    field = "webhook_url"
    if not url:
        return [FieldError(IntegrationError.WEBHOOK_REQUIRED, field, _("请填写机器人的 Webhook 地址"))]
    if len(url) > MAX_URL or any(ch.isspace() for ch in url):
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("Webhook 地址格式不正确"))]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("Webhook 地址必须以 http:// 或 https:// 开头"))]
    try:
        host = (parts.hostname or "").lower()
        _port = parts.port
    except ValueError:
        host = ""
    if not host or parts.username or parts.password:
        return [FieldError(IntegrationError.WEBHOOK_SCHEME, field, _("Webhook 地址格式不正确"))]
    allowed = conf.webhook_hosts()
    if "*" not in allowed and host not in allowed:
        return [FieldError(IntegrationError.WEBHOOK_HOST, field,
                           _("不允许向该主机发送：%(host)s（允许：%(allowed)s）")
                           % {"host": host, "allowed": ", ".join(allowed) or "—"})]
    return []


def _clean_recipients(values: Any) -> tuple[list[str], list[FieldError]]:
    field = "email_recipients"
    if isinstance(values, str):
        values = re.split(r"[\s,，;；]+", values)
    out: list[str] = []
    for raw in values or ():
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            return [], [FieldError(IntegrationError.EMAIL_INVALID, field,
                                   _("邮箱地址无效：%(value)s") % {"value": address[:100]})]
        if address.lower() not in (a.lower() for a in out):
            out.append(address)
    if not out:
        return [], [FieldError(IntegrationError.EMAIL_RECIPIENTS_REQUIRED, field, _("请至少填写一个收件人邮箱"))]
    if len(out) > MAX_RECIPIENTS:
        return [], [FieldError(IntegrationError.EMAIL_INVALID, field, _("最多 %(n)s 个收件人") % {"n": MAX_RECIPIENTS})]
    return out, []


def _validate(channel: NotificationChannel) -> None:
    """Checks the whole channel as it would be saved; raises one DomainError naming every bad field."""
    errors: list[FieldError] = []
    if channel.kind not in ChannelKind.values:
        raise DomainError.one(IntegrationError.KIND_INVALID, "kind",
                              _("应为以下之一：%(values)s") % {"values": ", ".join(ChannelKind.values)})
    channel.name = (channel.name or "").strip()
    if not channel.name:
        errors.append(FieldError(IntegrationError.NAME_REQUIRED, "name", _("此项为必填项")))
    elif len(channel.name) > 100:
        errors.append(FieldError(IntegrationError.NAME_REQUIRED, "name", _("最多 %(n)s 个字符") % {"n": 100}))
    _value, threshold_errors = validate_threshold(channel.min_severity, "min_severity", allow_off=False)
    errors += threshold_errors
    if channel.kind == ChannelKind.EMAIL:
        channel.email_recipients, recipient_errors = _clean_recipients(channel.email_recipients)
        errors += recipient_errors
        channel.webhook_url = ""
        channel.secret = ""
    else:
        channel.webhook_url = (channel.webhook_url or "").strip()
        errors += _check_url(channel.webhook_url)
        channel.email_recipients = []
        channel.secret = (channel.secret or "").strip()
        if channel.kind == ChannelKind.WECOM:
            channel.secret = ""  # WeCom robots are not signed: the key in the URL is the credential
        elif channel.secret and not _SECRET_RE.match(channel.secret):
            errors.append(FieldError(IntegrationError.SECRET_INVALID, "secret",
                                     _("加签密钥应为不含空格的可见字符（钉钉机器人安全设置中以 SEC 开头的字符串）")))
    if errors:
        raise DomainError(errors)


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    org: Any,
    kind: str,
    name: str,
    webhook_url: str = "",
    secret: str = "",
    email_recipients: Any = (),
    min_severity: str = Threshold.WARNING,
    include_subtree: bool = False,
    enabled: bool = True,
) -> NotificationChannel:
    """Adds a channel to *org*. Permission: ``integration.configure`` over *org*.
    Audit: ``integration.channel_create`` (URL without its key, secret as set/not set). No side effects."""
    channel = NotificationChannel(org=org, kind=kind, name=name, webhook_url=webhook_url or "",
                                  secret=secret or "", email_recipients=email_recipients or [],
                                  min_severity=min_severity, include_subtree=bool(include_subtree),
                                  enabled=bool(enabled))
    _validate(channel)
    require_org_in_scope(actor=actor, org=org, perm=IntegrationPerm.CONFIGURE)
    channel.save()
    record(actor=actor, action=AuditAction.NOTIFY_CHANNEL_CREATED, target=channel, org=org, after=_snapshot(channel))
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Any,
    channel: NotificationChannel,
    name: Any = _UNSET,
    webhook_url: Any = _UNSET,
    secret: Any = _UNSET,
    email_recipients: Any = _UNSET,
    min_severity: Any = _UNSET,
    include_subtree: Any = _UNSET,
    enabled: Any = _UNSET,
) -> NotificationChannel:
    """Changes the given fields of *channel* (its org and kind are fixed; an omitted field or a secret
    of ``None`` keeps its value, ``""`` clears the secret). Permission: ``integration.configure`` over
    the channel's org. Audit: ``integration.channel_update`` with before/after. No side effects."""
    require_org_in_scope(actor=actor, org=channel.org, perm=IntegrationPerm.CONFIGURE)
    channel = NotificationChannel.objects.select_for_update().select_related("org").get(pk=channel.pk)
    before, raw_before = _snapshot(channel), {f: getattr(channel, f) for f in _EDITABLE}
    changes = {"name": name, "webhook_url": webhook_url, "secret": secret, "email_recipients": email_recipients,
               "min_severity": min_severity, "include_subtree": include_subtree, "enabled": enabled}
    for field, value in changes.items():
        if value is _UNSET or (field == "secret" and value is None):
            continue
        if field in ("include_subtree", "enabled"):
            value = bool(value)
        setattr(channel, field, "" if value is None else value)
    _validate(channel)
    changed = [f for f in _EDITABLE if getattr(channel, f) != raw_before[f]]
    if not changed:
        return channel
    channel.save(update_fields=[*changed, "updated_at"])
    record(actor=actor, action=AuditAction.NOTIFY_CHANNEL_UPDATED, target=channel, org=channel.org,
           before=before, after=_snapshot(channel))
    return channel


@transaction.atomic
def channel_delete(*, actor: Any, channel: NotificationChannel) -> None:
    """Removes *channel*; its past deliveries stay (detached) for the record.
    Permission: ``integration.configure`` over its org. Audit: ``integration.channel_delete``."""
    require_org_in_scope(actor=actor, org=channel.org, perm=IntegrationPerm.CONFIGURE)
    before = _snapshot(channel)
    Delivery.objects.filter(channel=channel, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error="channel deleted", updated_at=timezone.now())
    record(actor=actor, action=AuditAction.NOTIFY_CHANNEL_DELETED, target=channel, org=channel.org, before=before)
    channel.delete()


@transaction.atomic
def channel_test(*, actor: Any, channel: NotificationChannel) -> Delivery:
    """Queues a test message to *channel* alone (also while the channel is disabled, to try it first).
    Refused when the installation has this kind switched off.

    Permission: ``integration.configure`` over its org. Audit: ``integration.channel_test``.
    Side effects: the delivery is queued after commit; its outcome shows in the channel's deliveries."""
    require_org_in_scope(actor=actor, org=channel.org, perm=IntegrationPerm.CONFIGURE)
    if not conf.kind_enabled(channel.kind):
        raise DomainError.one(IntegrationError.CHANNEL_DISABLED, "kind",
                              _("本系统未启用“%(kind)s”渠道（管理员可设置 %(flag)s=1）")
                              % {"kind": channel.get_kind_display(), "flag": _kind_flag(channel.kind)})
    now = timezone.now()
    name = getattr(actor, "get_full_name", lambda: "")() or "system"
    dispatch = Dispatch.objects.create(
        org=channel.org, title=_("测试消息"), severity=Severity.INFO, source="integration.test",
        body=_("这是一条来自智慧党建平台的测试消息，由 %(name)s 于 %(time)s 发送。")
        % {"name": name, "time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")},
    )
    delivery = Delivery.objects.create(dispatch=dispatch, channel=channel, org=channel.org, kind=channel.kind,
                                       target=channel_target(channel), next_attempt_at=now)
    record(actor=actor, action=AuditAction.NOTIFY_CHANNEL_TESTED, target=channel, org=channel.org,
           after={"delivery": delivery.pk})
    events.publish(DeliveriesQueued(delivery_ids=(delivery.pk,)))
    return delivery


def _kind_flag(kind: str) -> str:
    return {ChannelKind.EMAIL: "DANGJIAN_EMAIL_ENABLED", ChannelKind.WECOM: "DANGJIAN_WECOM_ENABLED",
            ChannelKind.DINGTALK: "DANGJIAN_DINGTALK_ENABLED"}[kind]
