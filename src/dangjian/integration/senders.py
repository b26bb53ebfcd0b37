"""The outbound channels: message text, the WeCom and DingTalk robot payloads, DingTalk's signature,
the HTTP call and email. Pure functions and one :class:`SendError`; the delivery service records the
outcome.

- WeCom (企业微信) group robot: ``POST <webhook>`` with
  ``{"msgtype": "markdown", "markdown": {"content": …}}``; success is ``{"errcode": 0}``.
- DingTalk (钉钉) custom robot with 加签: ``POST <webhook>&timestamp=<ms>&sign=<sign>`` where ``sign`` is
  the URL-encoded base64 of HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"), and the body
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; success is ``{"errcode": 0}``.
- Email through Django's email backend (or SMTP from ``DANGJIAN_SMTP_*``).

HTTP uses the standard library with a timeout, no redirects (a redirect could lead past the host
allow-list) and only the proxy configured in ``DANGJIAN_WEBHOOK_PROXY``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from dangjian.integration import conf
from dangjian.integration.choices import ChannelKind, Severity

__all__ = [
    "MAX_MARKDOWN_BYTES",
    "Message",
    "SendError",
    "SendResult",
    "dingtalk_payload",
    "dingtalk_sign",
    "dingtalk_signed_url",
    "email_send",
    "markdown_text",
    "mask_url",
    "post_bytes",
    "post_json",
    "robot_send",
    "wecom_payload",
]

MAX_MARKDOWN_BYTES = 4000  # WeCom allows 4096 bytes of markdown; DingTalk's limit is larger
MAX_RESPONSE_CHARS = 500


@dataclass(frozen=True)
class Message:
    """What a channel says: the dispatch's content, the org's name and an absolute link (or none)."""

    title: str
    body: str
    severity: str
    org_name: str = ""
    url: str = ""


@dataclass(frozen=True)
class SendResult:
    http_status: int | None = None
    response: str = ""


class SendError(Exception):
    """One attempt failed; ``reason`` is what the delivery records."""

    def __init__(self, reason: str, *, http_status: int | None = None, response: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.response = response


def _cut_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _severity_label(severity: str) -> str:
    return str(Severity(severity).label) if severity in Severity.values else severity


def markdown_text(message: Message) -> str:
    """The markdown both robots show: the severity and title in bold, the text, the org and the link."""
    with translation.override("zh-hans"):
        head = f"**【{_severity_label(message.severity)}】{message.title}**"
        tail = []
        if message.org_name:
            tail.append(f"> {_('组织')}：{message.org_name}")
        if message.url:
            tail.append(f"[{_('查看详情')}]({message.url})")
    parts = [head]
    if message.body:
        parts.append(message.body)
    parts.extend(tail)
    text = "\n\n".join(parts)
    return _cut_utf8(text, MAX_MARKDOWN_BYTES)


def wecom_payload(message: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": markdown_text(message)}}


def dingtalk_payload(message: Message) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown_text(message)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) — not yet URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    query = urllib.parse.urlencode({"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"


def mask_url(url: str) -> str:
    """``https://host/path?key=abcd…`` → ``https://host/path?…`` — the query carries the robot's key."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "…" if parts.query else "", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers, fp)


def _opener() -> urllib.request.OpenerDirector:
    proxy = conf.webhook_proxy()
    proxies = {"http": proxy, "https": proxy} if proxy else {}
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirect())


def post_json(url: str, payload: dict, *, timeout: float | None = None) -> SendResult:
    """POSTs *payload* as UTF-8 JSON; returns the status and the (shortened) answer, or raises SendError."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return post_bytes(url, data, headers={"Content-Type": "application/json; charset=utf-8"}, timeout=timeout)


def post_bytes(url: str, data: bytes, *, headers: dict[str, str], timeout: float | None = None) -> SendResult:
    """POSTs *data* with *headers*; a 2xx answer is success, anything else (or no answer) a SendError."""
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    timeout = timeout if timeout is not None else conf.timeout_seconds()
    try:
        with _opener().open(request, timeout=timeout) as response:
            text = response.read(64 * 1024).decode("utf-8", errors="replace")
            return SendResult(http_status=response.status, response=text[:MAX_RESPONSE_CHARS])
    except urllib.error.HTTPError as exc:
        body = ""
        try:
            body = exc.read(2048).decode("utf-8", errors="replace")
        except Exception:
            body = ""
        raise SendError(f"HTTP {exc.code} {exc.reason}".strip(), http_status=exc.code,
                        response=body[:MAX_RESPONSE_CHARS])
    except TimeoutError:
        raise SendError(f"timed out after {timeout} s")
    except urllib.error.URLError as exc:
        raise SendError(f"connection failed: {exc.reason}")
    except OSError as exc:
        raise SendError(f"connection failed: {exc}")


def _robot_answer(result: SendResult) -> SendResult:
    """Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other errcode failed."""
    try:
        answer = json.loads(result.response or "{}")
    except ValueError:
        raise SendError("answer is not JSON", http_status=result.http_status, response=result.response)
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode not in (0, "0"):
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"errcode {errcode}: {errmsg}".strip(), http_status=result.http_status,
                        response=result.response)
    return result


def robot_send(kind: str, *, url: str, secret: str, message: Message, now_ms: int) -> SendResult:
    if kind == ChannelKind.WECOM:
        return _robot_answer(post_json(url, wecom_payload(message)))
    if kind == ChannelKind.DINGTALK:
        target = dingtalk_signed_url(url, secret, now_ms) if secret else url
        return _robot_answer(post_json(target, dingtalk_payload(message)))
    raise SendError(f"unknown robot kind {kind!r}")


def email_send(*, to: list[str], message: Message) -> SendResult:
    """Sends one plain-text email to *to* (one message, all addresses in To)."""
    if not to:
        raise SendError("no recipient address")
    with translation.override("zh-hans"):
        subject = f"【{_severity_label(message.severity)}】{message.title}"
        lines = [message.title, ""]
        if message.body:
            lines += [message.body, ""]
        if message.org_name:
            lines.append(f"{_('组织')}：{message.org_name}")
        if message.url:
            lines.append(f"{_('查看详情')}：{message.url}")
    try:
        connection = get_connection(**conf.email_connection_kwargs())
        sent = EmailMessage(subject=subject, body="\n".join(lines), from_email=conf.email_from() or None, to=to,
                            connection=connection).send(fail_silently=False)
    except Exception as exc:
        raise SendError(f"email failed: {type(exc).__name__}: {exc}")
    if not sent:
        raise SendError("email failed: the backend sent nothing")
    return SendResult(response=f"sent to {len(to)} address(es)")
