"""Helpers shared by the integration services."""
from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from dangjian.core.errors import FieldError
from dangjian.integration.choices import SEVERITY_RANK, ChannelKind, Severity, Threshold
from dangjian.integration.errors import IntegrationError
from dangjian.integration.senders import mask_url

__all__ = ["SOURCE_RE", "channel_target", "clean_sources", "passes", "validate_threshold"]

SOURCE_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
MAX_MUTED = 50


def passes(*, severity: str, source: str, threshold: str, muted: tuple[str, ...] | list[str] = ()) -> bool:
    """Whether a notice of *severity* from *source* gets past a threshold and a list of muted sources.

    Muting ``dues`` mutes ``dues`` and every ``dues.*`` source; muting ``org.term_expiring`` only it."""
    if threshold == Threshold.OFF:
        return False
    if SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK.get(threshold, 0):
        return False
    return not any(source == m or source.startswith(m + ".") for m in muted)


def validate_threshold(value: Any, field: str, *, allow_off: bool = True) -> tuple[str | None, list[FieldError]]:
    allowed = Threshold.values if allow_off else [Severity.INFO, Severity.WARNING, Severity.CRITICAL]
    if value not in allowed:
        return None, [FieldError(IntegrationError.THRESHOLD_INVALID, field,
                                 _("应为以下之一：%(values)s") % {"values": ", ".join(allowed)})]
    return str(value), []


def clean_sources(values: Any, field: str) -> tuple[list[str], list[FieldError]]:
    """Source prefixes such as ``dues`` or ``org.term_expiring`` (lower case, dot-separated), deduplicated."""
    if values is None:
        return [], []
    if isinstance(values, str):
        values = [v for v in re.split(r"[\s,，]+", values) if v]
    out: list[str] = []
    for raw in values:
        item = str(raw).strip().lower().rstrip(".")
        if not item:
            continue
        if not SOURCE_RE.match(item) or len(item) > 100:
            return [], [FieldError(IntegrationError.SOURCE_INVALID, field,
                                   _("来源“%(value)s”格式不正确：应为小写字母、数字和下划线，以点分隔，"
                                     "如 dues 或 org.term_expiring") % {"value": str(raw)[:100]})]
        if item not in out:
            out.append(item)
    if len(out) > MAX_MUTED:
        return [], [FieldError(IntegrationError.SOURCE_INVALID, field,
                               _("最多屏蔽 %(n)s 个来源") % {"n": MAX_MUTED})]
    return out, []


def channel_target(channel: Any) -> str:
    """What a delivery records as its target: the addresses, or the webhook without its key."""
    if channel.kind == ChannelKind.EMAIL:
        return ", ".join(channel.email_recipients or [])[:300]
    return mask_url(channel.webhook_url)[:300]
