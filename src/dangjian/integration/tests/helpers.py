"""Builders for integration tests: people with an email address and a role, channels through services."""
from __future__ import annotations

from typing import Any

__all__ = ["channel", "person"]


def person(username: str, role: str | None = None, org: Any = None, scope: str = "subtree", email: str = "") -> Any:
    from dangjian.accounts.services import resolve_role, role_grant, user_create

    user = user_create(actor=None, username=username, password=None, email=email or f"{username}@example.com")
    if role:
        role_grant(actor=None, user=user, role=resolve_role(role), org=org, scope=scope)
    return user


def channel(org: Any, kind: str = "wecom", url: str = "", **fields: Any) -> Any:
    from dangjian.integration.services import channel_create

    if kind == "email":
        fields.setdefault("email_recipients", ["branch@example.com"])
    else:
        fields.setdefault("webhook_url", url)
    return channel_create(actor=None, org=org, kind=kind, name=fields.pop("name", f"{org.code} {kind}"), **fields)
