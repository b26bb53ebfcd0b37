"""Who is acting, from where and through which channel: set per request / task / command (STYLE §7)."""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["Channel", "RequestContext", "current", "use_context"]


class Channel:
    WEB = "web"
    API = "api"
    CLI = "cli"
    TASK = "task"


@dataclass(frozen=True)
class RequestContext:
    channel: str = Channel.CLI
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("dangjian_request_context", default=None)


def current() -> RequestContext:
    """The active context; outside any request it is a CLI context with a fresh request id."""
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext()
        _current.set(ctx)
    return ctx


@contextlib.contextmanager
def use_context(ctx: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
