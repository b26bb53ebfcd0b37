"""Keyset pagination on the primary key: constant cost for any page depth (DESIGN "Scale")."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

__all__ = ["Page", "decode_cursor", "encode_cursor", "keyset_page"]


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        pad = "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(cursor + pad).decode())
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    limit: int


def keyset_page(queryset, *, cursor: str | None, limit: int, max_limit: int = 200) -> Page:
    """Rows ordered by pk ascending, after the cursor's pk."""
    limit = max(1, min(int(limit or 50), max_limit))
    after = decode_cursor(cursor)
    qs = queryset.order_by("pk")
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None, limit=limit)
