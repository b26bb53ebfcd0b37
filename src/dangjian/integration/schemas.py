"""Input and output schemas of the integration API (validation at the boundary, STYLE §11).

Shapes and lengths are checked here; the rules (allowed kinds and thresholds, webhook scheme and host,
email addresses) are the services' and come back as 422 field errors of the same shape. Credentials
never go out: a webhook URL is shown without its query (the robot's key), a secret only as
``has_secret``.
"""
from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import PageQuery

__all__ = [
    "ChannelCreateIn",
    "ChannelFilters",
    "ChannelOut",
    "ChannelPageOut",
    "ChannelUpdateIn",
    "DeliveryOut",
    "EventTypeOut",
    "InboxQuery",
    "MarkAllOut",
    "NotificationOut",
    "NotificationPageOut",
    "PreferencesIn",
    "PreferencesOut",
    "ReplayIn",
    "ReplayOut",
    "SubscriptionCreateIn",
    "SubscriptionFilters",
    "SubscriptionOut",
    "SubscriptionPageOut",
    "SubscriptionSecretOut",
    "SubscriptionUpdateIn",
    "WebhookDeliveryOut",
    "WebhookDeliveryPageOut",
    "WebhookDeliveryQuery",
]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class OrgRefOut(Schema):
    id: int
    code: str
    name: str


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str = Field(..., description="站内路径或 http(s) 地址；可为空")
    severity: str = Field(..., description="info / warning / critical")
    source: str = Field(..., description="来源代码，如体检规则 org.term_expiring；可为空")
    org: OrgRefOut | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(..., description="未读通知总数")


class InboxQuery(PageQuery):
    unread: bool = Field(False, description="只列出未读通知")


class MarkAllOut(Schema):
    marked: int = Field(..., description="本次标记为已读的通知数")


class PreferenceIn(_Input):
    min_severity: str = Field(..., max_length=10, description="info / warning / critical / off（站内通知不能为 off）")
    muted_sources: list[str] = Field(default_factory=list, max_length=50,
                                     description="屏蔽的来源前缀，如 dues 或 org.term_expiring")


class PreferencesIn(_Input):
    in_app: PreferenceIn | None = Field(None, description="站内通知；省略则不变")
    email: PreferenceIn | None = Field(None, description="电子邮件；省略则不变")


class PreferenceOut(Schema):
    min_severity: str
    muted_sources: list[str]


class PreferencesOut(Schema):
    in_app: PreferenceOut
    email: PreferenceOut
    email_address: str = Field(..., description="接收通知的邮箱（账号的邮箱；为空则不发邮件）")
    email_enabled: bool = Field(..., description="本系统是否启用邮件通知（DANGJIAN_EMAIL_ENABLED）")


class ChannelFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（只列出该组织本身的渠道）")
    kind: str | None = Field(None, max_length=20, description="email / wecom / dingtalk")


class ChannelOut(Schema):
    id: int
    org: OrgRefOut
    kind: str = Field(..., description="email / wecom / dingtalk")
    name: str
    enabled: bool
    kind_enabled: bool = Field(..., description="本系统是否启用该类型（DANGJIAN_<KIND>_ENABLED）；未启用时不发送")
    min_severity: str = Field(..., description="该渠道接收的最低级别：info / warning / critical")
    include_subtree: bool = Field(..., description="是否同时接收下级组织的通知")
    webhook_url: str = Field(..., description="Webhook 地址（隐去查询参数中的密钥）")
    has_secret: bool = Field(..., description="是否已设置钉钉加签密钥")
    email_recipients: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class ChannelPageOut(Schema):
    items: list[ChannelOut]
    next_cursor: str | None


class ChannelCreateIn(_Input):
    org: str = Field(..., max_length=40, description="组织代码或 id")
    kind: str = Field(..., max_length=20, description="email / wecom / dingtalk")
    name: str = Field(..., max_length=100)
    webhook_url: str = Field("", max_length=1000, description="机器人 Webhook 地址（http:// 或 https://）")
    secret: str = Field("", max_length=200, description="钉钉加签密钥（SEC 开头）；企业微信不用")
    email_recipients: list[str] = Field(default_factory=list, max_length=50, description="邮件渠道的收件人")
    min_severity: str = Field("warning", max_length=10, description="info / warning / critical")
    include_subtree: bool = False
    enabled: bool = True


class ChannelUpdateIn(_Input):
    name: str | None = Field(None, max_length=100)
    webhook_url: str | None = Field(None, max_length=1000)
    secret: str | None = Field(None, max_length=200, description="新的加签密钥；空字符串清除；省略不变")
    email_recipients: list[str] | None = Field(None, max_length=50)
    min_severity: str | None = Field(None, max_length=10)
    include_subtree: bool | None = None
    enabled: bool | None = None


class AttemptOut(Schema):
    number: int
    started_at: dt.datetime
    duration_ms: int
    ok: bool
    http_status: int | None
    error: str


class DeliveryOut(Schema):
    id: int
    title: str
    kind: str
    target: str = Field(..., description="发送对象（邮箱，或隐去密钥的 Webhook 地址）")
    status: str = Field(..., description="pending / sending / sent / failed / cancelled")
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    attempt_log: list[AttemptOut]


# --- outbound events (webhook subscriptions) --------------------------------------------------------------


class EventTypeOut(Schema):
    type: str = Field(..., description="CloudEvents type, e.g. cn.dangjian.members.changed")
    label: str
    source: str = Field(..., description="CloudEvents source of this type, e.g. /dangjian/members")
    description: str


class SubscriptionFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（只列出该组织本身的订阅）")


class SubscriptionOut(Schema):
    id: int
    org: OrgRefOut
    name: str
    url: str = Field(..., description="接收地址（隐去查询参数）")
    event_types: list[str]
    enabled: bool
    secret_rotating_until: dt.datetime | None = Field(
        ..., description="更换密钥后旧密钥仍同时签名的截止时间；为空表示只用当前密钥")
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionSecretOut(SubscriptionOut):
    secret: str = Field(..., description="签名密钥（whsec_…），只在新建和更换时返回这一次")


class SubscriptionPageOut(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None


class SubscriptionCreateIn(_Input):
    org: str = Field(..., max_length=40, description="组织代码或 id：订阅该组织及其全部下级组织的事件")
    name: str = Field(..., max_length=100)
    url: str = Field(..., max_length=1000, description="接收地址（http:// 或 https://；生产环境不允许内网和本机地址）")
    event_types: list[str] = Field(..., max_length=100, description="事件类型，见 GET /integration/webhooks/event-types")
    enabled: bool = True


class SubscriptionUpdateIn(_Input):
    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=1000)
    event_types: list[str] | None = Field(None, max_length=100)
    enabled: bool | None = Field(None, description="false 停用：尚未发送的投递取消")


class WebhookDeliveryQuery(PageQuery):
    status: str | None = Field(None, max_length=10, description="pending / sending / sent / failed / cancelled")


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str = Field(..., description="CloudEvent id，也是 webhook-id 请求头")
    event_type: str
    event_time: dt.datetime
    status: str = Field(..., description="pending / sending / sent / failed（死信：重试用尽）/ cancelled")
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime
    attempt_log: list[AttemptOut]


class WebhookDeliveryPageOut(Schema):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None


class ReplayIn(_Input):
    delivery_ids: list[int] | None = Field(None, max_length=1000,
                                           description="要重放的投递 id（已结束的任意状态）；省略则重放全部死信")
    since: dt.datetime | None = Field(None, description="省略 delivery_ids 时：只重放此时间之后产生的死信")


class ReplayOut(Schema):
    replayed: list[int] = Field(..., description="重新排队发送的投递 id")
