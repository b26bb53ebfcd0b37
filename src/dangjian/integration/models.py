"""Notifications (通知) and the background schedule (定时任务).

One call of ``notify`` is a :class:`Dispatch`; it leaves one :class:`Notification` per recipient (the
in-app inbox) and one :class:`Delivery` per outbound target (a person's email, an org's mail list or
group robot), each attempt of which is a :class:`DeliveryAttempt`. :class:`NotificationChannel` is an
organisation's channel, :class:`NotificationPreference` a person's choice, :class:`ScheduledJob` one
entry of the periodic schedule the workers share.

Outbound events: a :class:`WebhookSubscription` asks for some event types of an organisation's subtree;
each domain event it covers is stored once as an :class:`OutboundEvent` (the CloudEvent, byte-stable for
retries and replays) and sent to each subscription as one :class:`Delivery` of kind ``webhook``, through
the same attempts, backoff and worker as the notifications.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.integration.choices import (
    ChannelKind,
    DeliveryKind,
    DeliveryStatus,
    PersonalChannel,
    ScheduleStatus,
    Severity,
    Threshold,
)
from dangjian.orgs.models import Organization

__all__ = [
    "Delivery",
    "DeliveryAttempt",
    "Dispatch",
    "Notification",
    "NotificationChannel",
    "NotificationPreference",
    "OutboundEvent",
    "ScheduledJob",
    "WebhookSubscription",
]


class Dispatch(models.Model):
    """通知批次: what one ``notify`` call was asked to say, about which organisation, to whom.

    ``dedup_key`` (when given) makes a repeated call a no-op, so a task that runs twice notifies once.
    """

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    dedup_key = models.CharField(max_length=200, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dedup_key"], condition=~Q(dedup_key=""), name="dispatch_dedup_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """站内通知: one message in a person's inbox (unread until ``read_at``).

    Title, body, link, severity and source are copied from the dispatch so the inbox reads one table.
    ``in_inbox`` is false when the person turned the in-app channel off for this severity or source but
    still receives it by email (the row is then only the anchor of that email's delivery).
    """

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    in_inbox = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        indexes = [
            models.Index(fields=["recipient", "in_inbox", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "in_inbox", "-id"], name="notification_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "recipient"], name="notification_once_per_dispatch"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationChannel(TimeStampedModel):
    """通知渠道: an organisation's outbound channel — a mail list, a WeCom (企业微信) or DingTalk (钉钉)
    group robot — with the least severity it carries and whether its sub-organisations' notices go too.

    The webhook URL carries the robot's key and the DingTalk signing secret is a credential: both are
    stored encrypted and never shown back in full.
    """

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="notification_channels")
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    enabled = models.BooleanField(_("启用"), default=True)
    min_severity = models.CharField(_("最低级别"), max_length=10, choices=Threshold.choices[:3],
                                    default=Threshold.WARNING)
    include_subtree = models.BooleanField(_("同时接收下级组织的通知"), default=False)
    webhook_url = EncryptedTextField(_("Webhook 地址"), blank=True)
    secret = EncryptedTextField(_("加签密钥"), blank=True)
    email_recipients = models.JSONField(_("收件人"), default=list, blank=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self) -> str:
        return f"{self.org} · {self.name}"


class WebhookSubscription(TimeStampedModel):
    """事件订阅: another system's HTTPS endpoint that receives the chosen domain events (CloudEvents 1.0,
    signed the Standard Webhooks way) of an organisation and its whole subtree.

    The URL may carry the receiver's token and the signing secret (``whsec_…``) is a credential: both are
    stored encrypted; the secret is shown once, when created or rotated. After a rotation the previous
    secret still signs until ``previous_secret_until`` so the receiver can switch over.
    """

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="webhook_subscriptions")
    name = models.CharField(_("名称"), max_length=100)
    url = EncryptedTextField(_("接收地址"))
    secret = EncryptedTextField(_("签名密钥"))
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    event_types = models.JSONField(_("事件类型"), default=list)
    enabled = models.BooleanField(_("启用"), default=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("事件订阅")
        verbose_name_plural = _("事件订阅")

    def __str__(self) -> str:
        return f"{self.org} · {self.name}"


class OutboundEvent(models.Model):
    """外发事件: one domain event as the CloudEvent sent to every subscription that covers it. Stored once
    (only when some subscription wants it) so that retries and replays send the very same bytes."""

    event_id = models.CharField(max_length=64, unique=True)  # the CloudEvents id and the webhook-id
    type = models.CharField(max_length=200, db_index=True)
    time = models.DateTimeField()
    org_ids = models.JSONField(default=list)
    envelope = models.JSONField()  # the whole structured-mode CloudEvent

    class Meta:
        verbose_name = _("外发事件")
        verbose_name_plural = _("外发事件")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Delivery(models.Model):
    """投递记录: one message to one outbound target — a person's email (``notification``), an org
    channel (``channel``) or an event to a webhook subscription (``subscription`` + ``event``) — with its
    state, attempts and the last error. At most one per target and dispatch or event, so re-queueing
    never sends twice. ``retry_base`` is the attempt count when the delivery was last replayed: the
    attempt budget and the backoff start again from there."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="deliveries")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="deliveries")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="deliveries")
    event = models.ForeignKey(OutboundEvent, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="deliveries")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=DeliveryKind.choices)
    target = models.CharField(_("发送对象"), max_length=300, blank=True)  # masked: an address or a host
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    retry_base = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "channel"], condition=Q(channel__isnull=False),
                                    name="delivery_once_per_channel"),
            models.UniqueConstraint(fields=["notification"], condition=Q(notification__isnull=False),
                                    name="delivery_once_per_notification"),
            models.UniqueConstraint(fields=["event", "subscription"], condition=Q(subscription__isnull=False),
                                    name="delivery_once_per_subscription"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.target} ({self.get_status_display()})"

    @classmethod
    def scope_self_q(cls, actor):
        return Q(notification__recipient=actor)


class DeliveryAttempt(models.Model):
    """投递尝试: one try of a delivery, successful or not, with the answer or the reason it failed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="deliveryattempt_number")]
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {'ok' if self.ok else self.error[:60]}"


class NotificationPreference(models.Model):
    """通知偏好: how one person wants one personal channel (inbox, email): the least severity, and the
    sources (e.g. ``dues.`` or ``org.term_expiring``) they muted there. No row: the defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=PersonalChannel.choices)
    min_severity = models.CharField(max_length=10, choices=Threshold.choices)
    muted_sources = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="notificationpreference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}: {self.min_severity}"


class ScheduledJob(models.Model):
    """定时任务: one entry of the periodic schedule (nightly scan, monthly dues bills, reminders).

    ``spec`` is ``every <n>[s|m|h|d]`` or a five-field cron line in the site's time zone. Workers claim a
    due entry by moving ``next_run_at`` forward with a compare-and-set, so however many workers share
    the database, each due run is queued once.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    task_path = models.CharField(_("任务"), max_length=200)
    spec = models.CharField(_("周期"), max_length=100)
    kwargs = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    next_run_at = models.DateTimeField(_("下次运行"), db_index=True)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_status = models.CharField(_("上次结果"), max_length=10, choices=ScheduleStatus.choices, blank=True,
                                   default=ScheduleStatus.NEVER)
    last_error = models.TextField(blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
