"""REST endpoints of the integration app: the caller's own inbox and notification preferences (any
signed-in user, always their own), and the notification channels and outbound-event (webhook)
subscriptions of the organisations in the caller's ``integration.configure`` scope.

Someone else's notification, or a channel outside the caller's scope, is "not found" (404) exactly
like a missing one; an out-of-scope org in the input is the same 422 as an unknown one.
"""
from __future__ import annotations

from typing import Any

from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, SIGNED_IN, Router
from dangjian.core.pagination import keyset_page
from dangjian.integration import conf
from dangjian.integration.choices import ChannelKind, IntegrationPerm
from dangjian.integration.models import Delivery, Notification, NotificationChannel, WebhookSubscription
from dangjian.integration.schemas import (
    ChannelCreateIn,
    ChannelFilters,
    ChannelOut,
    ChannelPageOut,
    ChannelUpdateIn,
    DeliveryOut,
    EventTypeOut,
    InboxQuery,
    MarkAllOut,
    NotificationOut,
    NotificationPageOut,
    PreferencesIn,
    PreferencesOut,
    ReplayIn,
    ReplayOut,
    SubscriptionCreateIn,
    SubscriptionFilters,
    SubscriptionOut,
    SubscriptionPageOut,
    SubscriptionSecretOut,
    SubscriptionUpdateIn,
    WebhookDeliveryPageOut,
    WebhookDeliveryQuery,
)
from dangjian.integration.selectors import (
    channel_deliveries,
    channel_get,
    channel_list,
    inbox_page,
    notification_get_own,
    preferences_of,
    subscription_deliveries_page,
    subscription_get,
    subscription_list,
    unread_count,
)
from dangjian.integration.senders import mask_url
from dangjian.integration.services import (
    channel_create,
    channel_delete,
    channel_test,
    channel_update,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_set,
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
    webhook_deliveries_replay,
)
from dangjian.integration.webhooks import catalogue
from dangjian.orgs.api import org_ref_or_error

__all__ = ["router"]

router = Router(app="integration")

NotificationId = PathEx[int, P(ge=1, le=MAX_ID, description="通知 id")]
ChannelId = PathEx[int, P(ge=1, le=MAX_ID, description="通知渠道 id")]
SubscriptionId = PathEx[int, P(ge=1, le=MAX_ID, description="事件订阅 id")]


def _org(org: Any) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "code": org.code, "name": org.name}


def _notification(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "title": n.title, "body": n.body, "link": n.link, "severity": n.severity,
            "source": n.source, "org": _org(n.org), "created_at": n.created_at, "read_at": n.read_at}


def _channel(c: NotificationChannel) -> dict[str, Any]:
    return {
        "id": c.pk, "org": _org(c.org), "kind": c.kind, "name": c.name, "enabled": c.enabled,
        "kind_enabled": conf.kind_enabled(c.kind), "min_severity": c.min_severity,
        "include_subtree": c.include_subtree, "webhook_url": mask_url(c.webhook_url) if c.webhook_url else "",
        "has_secret": bool(c.secret), "email_recipients": list(c.email_recipients or []),
        "created_at": c.created_at, "updated_at": c.updated_at,
    }


def _delivery(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk, "title": d.dispatch.title, "kind": d.kind, "target": d.target, "status": d.status,
        "attempts": d.attempts, "last_error": d.last_error, "next_attempt_at": d.next_attempt_at,
        "sent_at": d.sent_at, "created_at": d.created_at,
        "attempt_log": [{"number": a.number, "started_at": a.started_at, "duration_ms": a.duration_ms, "ok": a.ok,
                         "http_status": a.http_status, "error": a.error} for a in d.attempt_log.all()],
    }


def _preferences(user: Any) -> dict[str, Any]:
    prefs = preferences_of(actor=user)
    out: dict[str, Any] = {k: {"min_severity": v.min_severity, "muted_sources": list(v.muted_sources)}
                           for k, v in prefs.items()}
    out["email_address"] = user.email or ""
    out["email_enabled"] = conf.kind_enabled(ChannelKind.EMAIL)
    return out


# --- the inbox --------------------------------------------------------------------------------------------


@router.get(
    "/notifications",
    perm=SIGNED_IN,
    response=NotificationPageOut,
    operation_id="integration_notifications_list",
    summary="我的通知",
    description="""
        您本人的站内通知，最新的在前，键集分页（`cursor` + `limit`）；`unread=true` 只列出未读。
        `unread` 字段是未读总数。任何人只能看到发给自己的通知，与角色无关。
    """,
)
def integration_notifications_list(request, query: Query[InboxQuery]):
    actor = request.auth
    page = inbox_page(actor=actor, unread=query.unread, cursor=query.cursor, limit=query.limit)
    return {"items": [_notification(n) for n in page.items], "next_cursor": page.next_cursor,
            "unread": unread_count(actor)}


@router.post(
    "/notifications/{notification_id}/read",
    perm=SIGNED_IN,
    response=NotificationOut,
    operation_id="integration_notifications_read",
    summary="标记通知为已读",
    description="""
        把您本人的一条通知标记为已读（重复调用不改变首次阅读时间）。别人的通知与不存在的通知一样返回 404。
        不写操作日志（阅读本人通知不是党务操作）。
    """,
)
def integration_notifications_read(request, notification_id: NotificationId):
    actor = request.auth
    notification = notification_get_own(actor=actor, pk=notification_id)
    return _notification(notification_mark_read(actor=actor, notification=notification))


@router.post(
    "/notifications/read-all",
    perm=SIGNED_IN,
    response=MarkAllOut,
    operation_id="integration_notifications_read_all",
    summary="全部标记为已读",
    description="把您本人的全部未读通知标记为已读，返回标记的条数。不写操作日志。",
)
def integration_notifications_read_all(request):
    return {"marked": notifications_mark_all_read(actor=request.auth)}


@router.get(
    "/notifications/preferences",
    perm=SIGNED_IN,
    response=PreferencesOut,
    operation_id="integration_preferences_get",
    summary="我的通知偏好",
    description="""
        您本人在站内通知和电子邮件两个渠道上接收的最低级别（info / warning / critical / off）和屏蔽的来源。
        未设置时：站内通知接收全部，邮件只接收严重（critical）通知。
    """,
)
def integration_preferences_get(request):
    return _preferences(request.auth)


@router.put(
    "/notifications/preferences",
    perm=SIGNED_IN,
    response=PreferencesOut,
    operation_id="integration_preferences_set",
    summary="修改我的通知偏好",
    description="""
        设置您本人的通知偏好；省略的渠道不变。站内通知不能关闭（严重通知总会进入收件箱）。
        来源前缀如 `dues` 屏蔽全部党费通知，`org.term_expiring` 只屏蔽该规则。写入操作日志
        `integration.preferences_change`。
    """,
)
def integration_preferences_set(request, payload: PreferencesIn):
    actor = request.auth
    values = {channel: data.model_dump() for channel, data in (("in_app", payload.in_app), ("email", payload.email))
              if data is not None}
    preferences_set(actor=actor, values=values)
    return _preferences(actor)


# --- channels -------------------------------------------------------------------------------------------


@router.get(
    "/integration/channels",
    perm=IntegrationPerm.CONFIGURE,
    response=ChannelPageOut,
    operation_id="integration_channels_list",
    summary="通知渠道",
    description="""
        您数据范围内各组织的通知渠道（邮件、企业微信群机器人、钉钉群机器人），按 id 升序键集分页。
        筛选：`org`（组织代码或 id，只列该组织本身的渠道）、`kind`。不在范围内的组织返回 422。
    """,
)
def integration_channels_list(request, filters: Query[ChannelFilters]):
    actor = request.auth
    org = (org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=IntegrationPerm.CONFIGURE, by_id=True)
           if filters.org else None)
    page = keyset_page(channel_list(actor=actor, org=org, kind=filters.kind), cursor=filters.cursor,
                       limit=filters.limit)
    return {"items": [_channel(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/integration/channels",
    perm=IntegrationPerm.CONFIGURE,
    response=ChannelOut,
    status=201,
    operation_id="integration_channels_create",
    summary="新建通知渠道",
    description="""
        为组织 `org` 新建通知渠道。企业微信/钉钉须提供 `webhook_url`（只接受 http:// 或 https://，且主机在
        DANGJIAN_WEBHOOK_HOSTS 允许范围内），钉钉可提供加签密钥 `secret`；邮件渠道须提供 `email_recipients`。
        错误返回 422 并指明字段，不写入任何数据。写入操作日志 `integration.channel_create`（不含密钥）。
    """,
)
def integration_channels_create(request, payload: ChannelCreateIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=IntegrationPerm.CONFIGURE, by_id=True)
    data = payload.model_dump(exclude={"org"})
    channel = channel_create(actor=actor, org=org, **data)
    return Status(201, _channel(channel_get(actor=actor, pk=channel.pk)))


@router.get(
    "/integration/channels/{channel_id}",
    perm=IntegrationPerm.CONFIGURE,
    response=ChannelOut,
    operation_id="integration_channels_get",
    summary="通知渠道详情",
    description="一个通知渠道的设置（Webhook 地址隐去密钥，加签密钥只显示是否已设置）。不在范围内与不存在一样返回 404。",
)
def integration_channels_get(request, channel_id: ChannelId):
    return _channel(channel_get(actor=request.auth, pk=channel_id))


@router.patch(
    "/integration/channels/{channel_id}",
    perm=IntegrationPerm.CONFIGURE,
    response=ChannelOut,
    operation_id="integration_channels_update",
    summary="修改通知渠道",
    description="""
        修改给出的字段（组织和类型不能修改）。`secret` 省略或为 null 时保持不变，空字符串清除。
        校验规则与新建相同；写入操作日志 `integration.channel_update`（含修改前后，不含密钥）。
    """,
)
def integration_channels_update(request, payload: ChannelUpdateIn, channel_id: ChannelId):
    actor = request.auth
    channel = channel_get(actor=actor, pk=channel_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("secret", "") is None:
        changes.pop("secret")
    channel_update(actor=actor, channel=channel, **changes)
    return _channel(channel_get(actor=actor, pk=channel_id))


@router.delete(
    "/integration/channels/{channel_id}",
    perm=IntegrationPerm.CONFIGURE,
    response=None,
    status=204,
    operation_id="integration_channels_delete",
    summary="删除通知渠道",
    description="删除通知渠道；尚未发送的投递取消，已有的投递记录保留。写入操作日志 `integration.channel_delete`。",
)
def integration_channels_delete(request, channel_id: ChannelId):
    actor = request.auth
    channel_delete(actor=actor, channel=channel_get(actor=actor, pk=channel_id))
    return Status(204, None)


@router.post(
    "/integration/channels/{channel_id}/test",
    perm=IntegrationPerm.CONFIGURE,
    response=DeliveryOut,
    status=202,
    operation_id="integration_channels_test",
    summary="发送测试消息",
    description="""
        向该渠道发送一条测试消息（渠道停用时也可测试）。消息在后台发送，结果见投递记录
        （`GET …/deliveries`）。本系统未启用该类型时返回 422。写入操作日志 `integration.channel_test`。
    """,
)
def integration_channels_test(request, channel_id: ChannelId):
    actor = request.auth
    delivery = channel_test(actor=actor, channel=channel_get(actor=actor, pk=channel_id))
    return Status(202, _delivery(delivery))


@router.get(
    "/integration/channels/{channel_id}/deliveries",
    perm=IntegrationPerm.CONFIGURE,
    response=list[DeliveryOut],
    operation_id="integration_channels_deliveries",
    summary="渠道投递记录",
    description="该渠道最近 20 条投递：状态（待发送/发送中/已发送/发送失败/已取消）、尝试次数、每次尝试的结果和失败原因。",
)
def integration_channels_deliveries(request, channel_id: ChannelId):
    actor = request.auth
    channel = channel_get(actor=actor, pk=channel_id)
    return [_delivery(d) for d in channel_deliveries(actor=actor, channel=channel)]


# --- outbound events (webhook subscriptions) ----------------------------------------------------------------


def _subscription(sub: WebhookSubscription, *, with_secret: bool = False) -> dict[str, Any]:
    out = {
        "id": sub.pk, "org": _org(sub.org), "name": sub.name, "url": mask_url(sub.url),
        "event_types": list(sub.event_types), "enabled": sub.enabled,
        "secret_rotating_until": sub.previous_secret_until if sub.previous_secret else None,
        "created_at": sub.created_at, "updated_at": sub.updated_at,
    }
    if with_secret:
        out["secret"] = sub.secret
    return out


def _webhook_delivery(d: Delivery) -> dict[str, Any]:
    event = d.event
    return {
        "id": d.pk, "event_id": event.event_id if event else "", "event_type": event.type if event else "",
        "event_time": event.time if event else d.created_at, "status": d.status, "attempts": d.attempts,
        "last_error": d.last_error, "next_attempt_at": d.next_attempt_at, "sent_at": d.sent_at,
        "created_at": d.created_at,
        "attempt_log": [{"number": a.number, "started_at": a.started_at, "duration_ms": a.duration_ms, "ok": a.ok,
                         "http_status": a.http_status, "error": a.error} for a in d.attempt_log.all()],
    }


@router.get(
    "/integration/webhooks/event-types",
    perm=IntegrationPerm.CONFIGURE,
    response=list[EventTypeOut],
    operation_id="integration_webhooks_event_types",
    summary="可订阅的事件类型",
    description="""
        可订阅的领域事件（CloudEvents `type`）及其说明。每种事件 `data` 的 JSON Schema 见仓库中的
        `asyncapi.json`（`dangjian asyncapi` 生成）。
    """,
)
def integration_webhooks_event_types(request):
    return [{"type": e.type, "label": str(e.label), "source": e.source, "description": e.description}
            for e in catalogue().values()]


@router.get(
    "/integration/webhooks",
    perm=IntegrationPerm.CONFIGURE,
    response=SubscriptionPageOut,
    operation_id="integration_webhooks_list",
    summary="事件订阅",
    description="""
        您数据范围内各组织的事件订阅（Webhook），按 id 升序键集分页。筛选：`org`（组织代码或 id，只列该组织
        本身的订阅）。不在范围内的组织返回 422。签名密钥不在列表中返回。
    """,
)
def integration_webhooks_list(request, filters: Query[SubscriptionFilters]):
    actor = request.auth
    org = (org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=IntegrationPerm.CONFIGURE, by_id=True)
           if filters.org else None)
    page = keyset_page(subscription_list(actor=actor, org=org), cursor=filters.cursor, limit=filters.limit)
    return {"items": [_subscription(s) for s in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/integration/webhooks",
    perm=IntegrationPerm.CONFIGURE,
    response=SubscriptionSecretOut,
    status=201,
    operation_id="integration_webhooks_create",
    summary="新建事件订阅",
    description="""
        订阅组织 `org` 及其全部下级组织的 `event_types` 事件，发往 `url`（CloudEvents 1.0 结构化 JSON，
        按 Standard Webhooks 签名：`webhook-id`、`webhook-timestamp`、`webhook-signature`）。响应中的
        `secret`（whsec_…）只返回这一次。生产环境下指向内网、本机或保留地址的 URL 返回 422
        （`integration.url_private`），不写入任何数据。写入操作日志 `integration.webhook_create`（不含密钥）。
    """,
)
def integration_webhooks_create(request, payload: SubscriptionCreateIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=IntegrationPerm.CONFIGURE, by_id=True)
    sub = subscription_create(actor=actor, org=org, name=payload.name, url=payload.url,
                              event_types=payload.event_types, enabled=payload.enabled)
    return Status(201, _subscription(sub, with_secret=True))


@router.get(
    "/integration/webhooks/{subscription_id}",
    perm=IntegrationPerm.CONFIGURE,
    response=SubscriptionOut,
    operation_id="integration_webhooks_get",
    summary="事件订阅详情",
    description="一个事件订阅的设置（地址隐去查询参数，不含密钥）。不在范围内与不存在一样返回 404。",
)
def integration_webhooks_get(request, subscription_id: SubscriptionId):
    return _subscription(subscription_get(actor=request.auth, pk=subscription_id))


@router.patch(
    "/integration/webhooks/{subscription_id}",
    perm=IntegrationPerm.CONFIGURE,
    response=SubscriptionOut,
    operation_id="integration_webhooks_update",
    summary="修改或停用事件订阅",
    description="""
        修改给出的字段（组织不能修改）；`enabled: false` 停用订阅，尚未发送的投递取消（可在重新启用后重放）。
        校验规则与新建相同；写入操作日志 `integration.webhook_update`（含修改前后）。
    """,
)
def integration_webhooks_update(request, payload: SubscriptionUpdateIn, subscription_id: SubscriptionId):
    actor = request.auth
    sub = subscription_get(actor=actor, pk=subscription_id)
    subscription_update(actor=actor, subscription=sub, **payload.model_dump(exclude_unset=True, exclude_none=True))
    return _subscription(subscription_get(actor=actor, pk=subscription_id))


@router.post(
    "/integration/webhooks/{subscription_id}/rotate-secret",
    perm=IntegrationPerm.CONFIGURE,
    response=SubscriptionSecretOut,
    operation_id="integration_webhooks_rotate_secret",
    summary="更换签名密钥",
    description="""
        生成新的签名密钥并只返回这一次；旧密钥在 DANGJIAN_WEBHOOK_SECRET_GRACE_HOURS（默认 24 小时）内
        继续同时签名（`webhook-signature` 中两个 `v1,` 签名），便于接收方切换。写入操作日志
        `integration.webhook_rotate`（不含密钥）。
    """,
)
def integration_webhooks_rotate_secret(request, subscription_id: SubscriptionId):
    actor = request.auth
    sub = subscription_rotate_secret(actor=actor, subscription=subscription_get(actor=actor, pk=subscription_id))
    return _subscription(sub, with_secret=True)


@router.get(
    "/integration/webhooks/{subscription_id}/deliveries",
    perm=IntegrationPerm.CONFIGURE,
    response=WebhookDeliveryPageOut,
    operation_id="integration_webhooks_deliveries",
    summary="事件投递记录",
    description="""
        该订阅的投递记录，最新的在前，键集分页：事件 id 与类型、状态（failed 为死信：重试已用尽）、
        尝试次数、每次尝试的 HTTP 状态和失败原因。可按 `status` 筛选。
    """,
)
def integration_webhooks_deliveries(request, query: Query[WebhookDeliveryQuery], subscription_id: SubscriptionId):
    actor = request.auth
    sub = subscription_get(actor=actor, pk=subscription_id)
    page = subscription_deliveries_page(actor=actor, subscription=sub, status=query.status, cursor=query.cursor,
                                        limit=query.limit)
    return {"items": [_webhook_delivery(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/integration/webhooks/{subscription_id}/replay",
    perm=IntegrationPerm.CONFIGURE,
    response=ReplayOut,
    status=202,
    operation_id="integration_webhooks_replay",
    summary="重放事件投递",
    description="""
        重新发送：`delivery_ids` 给出的已结束投递，或省略时该订阅的全部死信（可用 `since` 限定时间，每次最多
        1000 条）。事件内容和 `webhook-id` 与原来相同，尝试次数重新计算。订阅停用时、或 id 不属于该订阅/
        尚未结束时返回 422，不重放任何投递。写入操作日志 `integration.webhook_replay`。
    """,
)
def integration_webhooks_replay(request, payload: ReplayIn, subscription_id: SubscriptionId):
    actor = request.auth
    sub = subscription_get(actor=actor, pk=subscription_id)
    ids = webhook_deliveries_replay(actor=actor, subscription=sub, delivery_ids=payload.delivery_ids,
                                    since=payload.since)
    return Status(202, {"replayed": ids})
