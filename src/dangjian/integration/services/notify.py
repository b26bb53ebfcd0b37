"""``notify`` and the inbox writes (mark read) and personal preferences.

``notify`` is how any app tells people something: it writes the inbox rows and the outbound
deliveries in the caller's transaction and queues the deliveries only after commit (through
``core.events``), so a channel that is down can neither block nor roll back the write that triggered
it (STYLE §8).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import SYSTEM
from dangjian.integration import conf
from dangjian.integration.choices import ChannelKind, PersonalChannel, Severity
from dangjian.integration.errors import IntegrationError
from dangjian.integration.events import DeliveriesQueued
from dangjian.integration.models import Delivery, Dispatch, Notification, NotificationPreference
from dangjian.integration.selectors import (
    channels_for_dispatch,
    preferences_for,
    preferences_of,
    role_exists,
    role_recipients,
)
from dangjian.integration.services.common import channel_target, clean_sources, passes, validate_threshold

__all__ = ["notification_mark_read", "notifications_mark_all_read", "notify", "preferences_set"]

MAX_TITLE = 200
MAX_BODY = 4000
MAX_LINK = 500


def _validate_content(title: str, body: str, link: str, severity: str, source: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (title or "").strip():
        errors.append(FieldError(IntegrationError.TITLE_REQUIRED, "title", _("此项为必填项")))
    elif len(title) > MAX_TITLE:
        errors.append(FieldError(IntegrationError.TITLE_REQUIRED, "title", _("最多 %(n)s 个字符") % {"n": MAX_TITLE}))
    if len(body or "") > MAX_BODY:
        errors.append(FieldError(IntegrationError.TITLE_REQUIRED, "body", _("最多 %(n)s 个字符") % {"n": MAX_BODY}))
    if severity not in Severity.values:
        errors.append(FieldError(IntegrationError.SEVERITY_INVALID, "severity",
                                 _("应为以下之一：%(values)s") % {"values": ", ".join(Severity.values)}))
    if link:
        parts = urlsplit(link)
        local = link.startswith("/") and not link.startswith("//") and not parts.scheme
        if len(link) > MAX_LINK or not (local or (parts.scheme in ("http", "https") and parts.netloc)):
            errors.append(FieldError(IntegrationError.LINK_INVALID, "link",
                                     _("链接应为站内路径（以 / 开头）或 http(s) 地址")))
    if source:
        _sources, source_errors = clean_sources([source], "source")
        errors += source_errors
    return errors


def _recipients(recipients: Iterable[Any] | None, role_code: str | None, org: Any, nearest: bool) -> list[Any]:
    users: dict[int, Any] = {}
    for user in recipients or ():
        if getattr(user, "is_active", True) and user.pk is not None:
            users[user.pk] = user
    if role_code:
        if org is None:
            raise DomainError.one(IntegrationError.RECIPIENTS_REQUIRED, "org", _("按角色通知时须指定组织"))
        if not role_exists(actor=SYSTEM, code=role_code):
            raise DomainError.one(IntegrationError.ROLE_UNKNOWN, "role_code",
                                  _("角色“%(code)s”不存在") % {"code": role_code})
        for user in role_recipients(actor=SYSTEM, role_code=role_code, org=org, nearest=nearest):
            users.setdefault(user.pk, user)
    return [users[k] for k in sorted(users)]


@transaction.atomic
def notify(
    *,
    title: str,
    body: str = "",
    link: str = "",
    severity: str = Severity.INFO,
    source: str = "",
    recipients: Iterable[Any] | None = None,
    role_code: str | None = None,
    org: Any = None,
    nearest: bool = False,
    dedup_key: str = "",
) -> Dispatch:
    """Tells *recipients* and/or the holders of *role_code* over *org* something, and the org's channels.

    - Each recipient gets an inbox row unless their in-app preference filters it out (a critical
      notice always reaches the inbox), and an email when their email preference lets it through,
      email is switched on (``DANGJIAN_EMAIL_ENABLED``) and they have an address.
    - The enabled channels of *org* (and of ancestors that take their sub-organisations' notices)
      whose kind is switched on and whose least severity is met get one delivery each.
    - *nearest*: with *role_code*, only the role's holders closest to *org* (see ``role_recipients``).
    - *dedup_key*: a second call with the same key returns the first dispatch and writes nothing.

    Permission: none — called by services and tasks as the system, never from a request's input.
    Audit: none of its own (the dispatch, inbox rows and deliveries are the record). Side effects: the
    deliveries are queued after commit (``integration.deliveries_queued``).
    """
    errors = _validate_content(title, body, link, severity, source)
    if errors:
        raise DomainError(errors)
    if dedup_key:
        existing = Dispatch.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    if not recipients and not role_code and org is None:
        raise DomainError.one(IntegrationError.RECIPIENTS_REQUIRED, "recipients",
                              _("请指定接收人、按角色通知的组织，或通知所属的组织"))
    users = _recipients(recipients, role_code, org, nearest)
    channels = channels_for_dispatch(actor=SYSTEM, org=org)
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(org=org, title=title.strip(), body=body or "", link=link or "",
                                               severity=severity, source=source or "", dedup_key=dedup_key or "")
    except IntegrityError:  # the same dedup_key committed by a concurrent call
        return Dispatch.objects.get(dedup_key=dedup_key)

    now = timezone.now()
    email_on = conf.kind_enabled(ChannelKind.EMAIL)
    prefs = preferences_for(actor=SYSTEM, user_ids=[u.pk for u in users])
    rows: list[Notification] = []
    wants_email: set[int] = set()
    for user in users:
        mine = prefs[user.pk]
        in_app_pref = mine[PersonalChannel.IN_APP]
        in_app = severity == Severity.CRITICAL or passes(severity=severity, source=source,
                                                         threshold=in_app_pref.min_severity,
                                                         muted=in_app_pref.muted_sources)
        email_pref = mine[PersonalChannel.EMAIL]
        by_email = email_on and bool(user.email) and passes(severity=severity, source=source,
                                                             threshold=email_pref.min_severity,
                                                             muted=email_pref.muted_sources)
        if not (in_app or by_email):
            continue
        if by_email:
            wants_email.add(user.pk)
        rows.append(Notification(dispatch=dispatch, recipient=user, org=org, title=dispatch.title, body=dispatch.body,
                                 link=dispatch.link, severity=severity, source=dispatch.source, in_inbox=in_app))
    Notification.objects.bulk_create(rows)
    if any(n.pk is None for n in rows):  # pragma: no cover - databases without RETURNING
        by_user = dict(Notification.objects.filter(dispatch=dispatch).values_list("recipient_id", "pk"))
        for n in rows:
            n.pk = by_user[n.recipient_id]

    deliveries = [
        Delivery(dispatch=dispatch, notification=n, org=org, kind=ChannelKind.EMAIL, target=n.recipient.email,
                 next_attempt_at=now)
        for n in rows if n.recipient_id in wants_email
    ]
    for channel in channels:
        if not conf.kind_enabled(channel.kind):
            continue
        if not passes(severity=severity, source=source, threshold=channel.min_severity):
            continue
        deliveries.append(Delivery(dispatch=dispatch, channel=channel, org=channel.org, kind=channel.kind,
                                   target=channel_target(channel), next_attempt_at=now))
    Delivery.objects.bulk_create(deliveries)
    if any(d.pk is None for d in deliveries):  # pragma: no cover - databases without RETURNING
        deliveries = list(Delivery.objects.filter(dispatch=dispatch))
    dispatch.recipient_count = len(rows)
    dispatch.save(update_fields=["recipient_count"])
    if deliveries:
        events.publish(DeliveriesQueued(delivery_ids=tuple(d.pk for d in deliveries)))
    return dispatch


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Marks one of the actor's own notifications read (idempotent; the first reading time is kept).

    Permission: the actor is the recipient (the caller fetched it with ``notification_get_own``).
    Audit: none — reading one's own inbox is not an act on party affairs, and logging every click
    would bury the entries that matter. No side effects."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Marks all of the actor's unread inbox notifications read; returns how many. Audit: none (see
    ``notification_mark_read``)."""
    return Notification.objects.filter(recipient=actor, in_inbox=True, read_at__isnull=True).update(
        read_at=timezone.now())


@transaction.atomic
def preferences_set(*, actor: Any, values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Sets the actor's own preferences: ``{"in_app": {"min_severity", "muted_sources"}, "email": {…}}``
    (a channel left out keeps its setting). The inbox cannot be switched off: critical notices always
    reach it.

    Permission: any signed-in user, for themselves. Audit: ``integration.preferences_change``."""
    errors: list[FieldError] = []
    cleaned: dict[str, tuple[str, list[str]]] = {}
    for channel, data in values.items():
        if channel not in PersonalChannel.values:
            errors.append(FieldError(IntegrationError.KIND_INVALID, channel, _("不支持此字段")))
            continue
        threshold, errs = validate_threshold(data.get("min_severity"), f"{channel}.min_severity",
                                             allow_off=channel != PersonalChannel.IN_APP)
        muted, muted_errs = clean_sources(data.get("muted_sources"), f"{channel}.muted_sources")
        errors += errs + muted_errs
        if threshold:
            cleaned[channel] = (threshold, muted)
    if errors:
        raise DomainError(errors)
    before = {k: {"min_severity": v.min_severity, "muted_sources": list(v.muted_sources)}
              for k, v in preferences_of(actor=actor).items()}
    for channel, (threshold, muted) in cleaned.items():
        NotificationPreference.objects.update_or_create(
            user=actor, channel=channel, defaults={"min_severity": threshold, "muted_sources": muted})
    after = {k: {"min_severity": v.min_severity, "muted_sources": list(v.muted_sources)}
             for k, v in preferences_of(actor=actor).items()}
    if after != before:
        record(actor=actor, action=AuditAction.NOTIFY_PREFERENCES_CHANGED, target=actor, before=before, after=after)
    return after
