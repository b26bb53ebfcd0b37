"""Outbound events (issue 10 §7): the catalogue, the CloudEvents envelope, the Standard Webhooks
signature and the address guard. Pure functions; the services store and the delivery sends.

- **Catalogue.** Each app declares the domain events it offers in its ``declarations.py``
  (``EVENTS = [PublishedEvent(SomeEvent, "cn.dangjian.<app>.<name>", label)]``); :func:`catalogue`
  collects them, and :func:`asyncapi_document` renders them as the AsyncAPI 3.0 document committed as
  ``asyncapi.json`` beside ``openapi.json`` (``dangjian asyncapi [--check]``). The JSON schema of each
  event's ``data`` is pydantic's schema of the event dataclass, so the document follows the code.
- **Envelope.** CloudEvents 1.0, structured mode (``Content-Type: application/cloudevents+json``):
  ``specversion``, ``id``, ``source`` (``/dangjian/<app>``), ``type``, ``time``, ``datacontenttype``
  and ``data`` = the event's fields as JSON (ids, codes and dates: the events carry no personal data).
- **Signature** (Standard Webhooks): headers ``webhook-id`` (the event id, the same on every retry
  and replay, so receivers can drop duplicates), ``webhook-timestamp`` (Unix seconds of the attempt)
  and ``webhook-signature`` = space-separated ``v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>``
  where the key is the base64-decoded part of the ``whsec_…`` secret; during a rotation's grace
  period one entry per secret.
- **Address guard.** In production a subscription URL must resolve to public addresses only
  (:func:`private_addresses`), checked on save and before every attempt.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from pydantic import TypeAdapter

from dangjian.core.declarations import PublishedEvent, registry
from dangjian.core.events import DomainEvent

__all__ = [
    "CONTENT_TYPE",
    "SECRET_PREFIX",
    "SPECVERSION",
    "EventType",
    "asyncapi_document",
    "catalogue",
    "envelope",
    "event_type_of",
    "new_event_id",
    "new_secret",
    "private_addresses",
    "render_asyncapi",
    "sign",
    "signature_header",
]

SPECVERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
ASYNCAPI_VERSION = "3.0.0"


@dataclass(frozen=True)
class EventType:
    """One entry of the catalogue: the CloudEvents type, the app that emits it, its label, the class."""

    type: str
    app: str
    label: Any
    event: type[DomainEvent]

    @property
    def source(self) -> str:
        return f"/dangjian/{self.app}"

    @property
    def description(self) -> str:
        return " ".join((self.event.__doc__ or "").split())


def _entry(published: PublishedEvent) -> EventType:
    app = published.type.split(".")[2]
    return EventType(published.type, app, published.label, published.event)


def catalogue() -> dict[str, EventType]:
    """Every event type the installed apps offer, by type, in declaration order."""
    return {t: _entry(p) for t, p in registry().events.items()}


def event_type_of(event: DomainEvent) -> EventType | None:
    """The catalogue entry of *event*'s class (None: the event is internal and never leaves)."""
    for entry in catalogue().values():
        if type(event) is entry.event:
            return entry
    return None


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)


def event_data(event: DomainEvent) -> dict[str, Any]:
    """The event's fields as JSON values (tuples → arrays, dates → ISO strings)."""
    return _adapter(type(event)).dump_python(event, mode="json")


def envelope(event: DomainEvent, entry: EventType, *, event_id: str, time: dt.datetime) -> dict[str, Any]:
    """The structured-mode CloudEvent for *event*."""
    return {
        "specversion": SPECVERSION,
        "id": event_id,
        "source": entry.source,
        "type": entry.type,
        "time": time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": event_data(event),
    }


def body_bytes(cloud_event: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed: compact UTF-8 JSON."""
    return json.dumps(cloud_event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- signing -------------------------------------------------------------------------------------------


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``{msg_id}.{timestamp}.{body}`` with the secret's key."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets_: Iterable[str], *, msg_id: str, timestamp: int, body: bytes) -> str:
    return " ".join(sign(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets_ if s)


# --- the address guard -----------------------------------------------------------------------------------


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def private_addresses(host: str, port: int | None) -> list[str]:
    """The non-public addresses *host* is or resolves to (loopback, private, link-local, reserved …);
    an empty list when every address is public. A name that does not resolve raises ``OSError``."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        return [] if _is_public(literal) else [str(literal)]
    infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    found: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not _is_public(address) and str(address) not in found:
            found.append(str(address))
    return found


# --- the AsyncAPI document -------------------------------------------------------------------------------


def _data_schema(entry: EventType) -> dict[str, Any]:
    schema = _adapter(entry.event).json_schema(mode="serialization")
    schema["title"] = entry.event.__name__
    if entry.description:
        schema["description"] = entry.description
    return schema


def _message_name(entry: EventType) -> str:
    return entry.type.removeprefix("cn.dangjian.").replace(".", "_")


def asyncapi_document() -> dict[str, Any]:
    """The event catalogue as an AsyncAPI 3.0 document: one channel (the subscriber's URL), one send
    operation, one message per event type whose payload is the CloudEvent with that ``type`` and the
    event's ``data`` schema."""
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "CloudEvent": {
            "type": "object",
            "description": "CloudEvents 1.0 structured-mode envelope",
            "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
            "properties": {
                "specversion": {"type": "string", "const": SPECVERSION},
                "id": {"type": "string", "description": "unique per event; also the webhook-id header"},
                "source": {"type": "string", "format": "uri-reference"},
                "type": {"type": "string"},
                "time": {"type": "string", "format": "date-time"},
                "datacontenttype": {"type": "string", "const": "application/json"},
                "data": {"type": "object"},
            },
        },
    }
    with translation.override("zh-hans"):
        for entry in catalogue().values():
            name = _message_name(entry)
            schemas[f"{name}_data"] = _data_schema(entry)
            schemas[name] = {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {"type": "object", "properties": {
                        "type": {"const": entry.type},
                        "source": {"const": entry.source},
                        "data": {"$ref": f"#/components/schemas/{name}_data"},
                    }},
                ],
            }
            messages[name] = {
                "name": entry.type,
                "title": str(entry.label),
                "summary": entry.description or str(entry.label),
                "contentType": "application/cloudevents+json",
                "headers": {"$ref": "#/components/schemas/WebhookHeaders"},
                "payload": {"$ref": f"#/components/schemas/{name}"},
            }
    schemas["WebhookHeaders"] = {
        "type": "object",
        "description": "Standard Webhooks headers",
        "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
        "properties": {
            "webhook-id": {"type": "string", "description": "the CloudEvent id; the same on retries and replays"},
            "webhook-timestamp": {"type": "string", "description": "Unix seconds of this attempt"},
            "webhook-signature": {
                "type": "string",
                "description": "space-separated v1,<base64 HMAC-SHA256(base64-decoded whsec_ secret, "
                               "'<webhook-id>.<webhook-timestamp>.<body>')>; two entries while a rotated "
                               "secret is in its grace period",
            },
        },
    }
    refs = [{"$ref": f"#/channels/subscriber/messages/{name}"} for name in messages]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "dangjian outbound events",
            "version": "1.0.0",
            "description": "智慧党建平台向事件订阅者发送的领域事件（CloudEvents 1.0 结构化 JSON，Standard Webhooks 签名）。"
                           "订阅在“通知 → 事件订阅”页面或 /api/v1/integration/webhooks 管理；失败的投递按指数退避重试，"
                           "用尽后进入死信（failed），可重放。",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": {
            "subscriber": {
                "address": "{subscriptionUrl}",
                "description": "the subscription's URL; one HTTP POST per event",
                "parameters": {"subscriptionUrl": {"description": "the URL given when subscribing"}},
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            },
        },
        "operations": {
            "deliverEvent": {"action": "send", "channel": {"$ref": "#/channels/subscriber"}, "messages": refs},
        },
        "components": {"messages": messages, "schemas": schemas},
    }


def render_asyncapi() -> str:
    """The document exactly as committed: stable key order, UTF-8, trailing newline."""
    return json.dumps(asyncapi_document(), ensure_ascii=False, indent=2) + "\n"
