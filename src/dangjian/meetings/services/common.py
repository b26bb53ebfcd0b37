"""Helpers shared by the meetings services: field checks that collect every error before any write."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import FieldError
from dangjian.meetings.errors import MeetingsError

__all__ = ["check_text", "check_url", "local_date", "meeting_snapshot"]

_URL = URLValidator(schemes=["http", "https"])


def check_text(value: Any, field: str, errors: list[FieldError], *, max_length: int, required: bool = False,
               required_message: str | None = None, required_code: str = MeetingsError.TOPIC_REQUIRED) -> str:
    text = ("" if value is None else str(value)).strip()
    if required and not text:
        errors.append(FieldError(required_code, field, required_message or _("此项为必填项")))
    elif len(text) > max_length:
        errors.append(FieldError(MeetingsError.TEXT_TOO_LONG, field, _("最多 %(n)s 个字符") % {"n": max_length}))
    return text


def check_url(value: Any, field: str, errors: list[FieldError]) -> str:
    """An online-meeting link: empty, or an http/https URL (≤ 500 characters)."""
    url = ("" if value is None else str(value)).strip()
    if not url:
        return ""
    try:
        if len(url) > 500:
            raise ValidationError("too long")
        _URL(url)
    except ValidationError:
        errors.append(FieldError(MeetingsError.URL_INVALID, field, _("请填写以 http:// 或 https:// 开头的有效链接")))
    return url


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day of *moment* in the project time zone (Asia/Shanghai)."""
    return timezone.localdate(moment)


def meeting_snapshot(meeting: Any) -> dict[str, Any]:
    return {
        "org": meeting.org_id, "party_group": meeting.party_group_id, "kind": meeting.kind.code,
        "topic": meeting.topic, "agenda": list(meeting.agenda or []), "place": meeting.place,
        "online_url": meeting.online_url, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at,
        "status": meeting.status,
    }
