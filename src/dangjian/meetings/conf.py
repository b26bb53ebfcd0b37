"""Settings of the meetings app, each with its default: a Django setting of the same name wins, else the
``DANGJIAN_*`` environment variable, else the default here (12-factor; read when used, so tests can
override them)."""
from __future__ import annotations

import os

from django.conf import settings

__all__ = [
    "attachment_max_bytes",
    "attachment_types",
    "checkin_code_digits",
    "checkin_max_failures",
    "checkin_window_minutes",
]

MB = 1024 * 1024
DEFAULT_ATTACHMENT_MAX_MB = 20
DEFAULT_ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")
DEFAULT_CHECKIN_WINDOW_MINUTES = 30  # the code works from 30 min before the start until 30 min after the end
DEFAULT_CHECKIN_MAX_FAILURES = 5
DEFAULT_CHECKIN_CODE_DIGITS = 6


def _value(name: str, default):
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(name)
    return raw if raw not in (None, "") else default


def attachment_max_bytes() -> int:
    """``DANGJIAN_MEETINGS_ATTACHMENT_MAX_MB`` (default 20 MB)."""
    return int(float(_value("DANGJIAN_MEETINGS_ATTACHMENT_MAX_MB", DEFAULT_ATTACHMENT_MAX_MB)) * MB)


def attachment_types() -> tuple[str, ...]:
    """``DANGJIAN_MEETINGS_ATTACHMENT_TYPES``: allowed file extensions (default pdf, docx, xlsx, jpg, png)."""
    value = _value("DANGJIAN_MEETINGS_ATTACHMENT_TYPES", DEFAULT_ATTACHMENT_TYPES)
    if isinstance(value, str):
        value = value.split(",")
    return tuple(sorted({v.strip().lower().lstrip(".") for v in value if v.strip()}))


def checkin_window_minutes() -> int:
    return int(_value("DANGJIAN_MEETINGS_CHECKIN_WINDOW_MINUTES", DEFAULT_CHECKIN_WINDOW_MINUTES))


def checkin_max_failures() -> int:
    return int(_value("DANGJIAN_MEETINGS_CHECKIN_MAX_FAILURES", DEFAULT_CHECKIN_MAX_FAILURES))


def checkin_code_digits() -> int:
    return int(_value("DANGJIAN_MEETINGS_CHECKIN_CODE_DIGITS", DEFAULT_CHECKIN_CODE_DIGITS))
