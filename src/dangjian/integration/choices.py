"""Choices of the integration app: notification severities, channels, delivery kinds and states,
permissions."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "PERSONAL_DEFAULTS",
    "SEVERITY_RANK",
    "ChannelKind",
    "DeliveryKind",
    "DeliveryStatus",
    "IntegrationPerm",
    "PersonalChannel",
    "ScheduleStatus",
    "Severity",
    "Threshold",
]


class IntegrationPerm:
    CONFIGURE = "integration.configure"  # channels and webhook subscriptions of the orgs in scope
    SCHEDULE = "integration.schedule"  # the platform-wide schedule page (定时任务)


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    CRITICAL = "critical", _("严重")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Threshold(models.TextChoices):
    """The least severity a channel or a person's preference lets through ("off": nothing)."""

    INFO = "info", _("全部（提示及以上）")
    WARNING = "warning", _("警告及以上")
    CRITICAL = "critical", _("仅严重")
    OFF = "off", _("关闭")


class ChannelKind(models.TextChoices):
    """An organisation's outbound channel (the in-app inbox is not a channel: it always exists)."""

    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class DeliveryKind(models.TextChoices):
    """What one delivery goes through: an org channel's kind, or an outbound webhook subscription."""

    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WEBHOOK = "webhook", _("事件订阅（Webhook）")


class PersonalChannel(models.TextChoices):
    """Where a person receives the notifications addressed to them."""

    IN_APP = "in_app", _("站内通知")
    EMAIL = "email", _("电子邮件")


# Defaults when a person has not chosen: everything in the inbox, only critical ones by email.
PERSONAL_DEFAULTS = {PersonalChannel.IN_APP: Threshold.INFO, PersonalChannel.EMAIL: Threshold.CRITICAL}


class DeliveryStatus(models.TextChoices):
    """A delivery's state. ``failed`` is the dead-letter state: every attempt was used up, nothing retries
    it by itself, and it stays listed until someone replays it (webhooks) or it is forgotten."""

    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class ScheduleStatus(models.TextChoices):
    NEVER = "", _("尚未运行")
    QUEUED = "queued", _("已排入队列")
    MISSING = "missing", _("任务不存在（已跳过）")
    ERROR = "error", _("排队失败")
