"""Access logs without full ID numbers or phones (issue 7 §5).

A search for ``?q=110101199003070019`` puts the ID number in the request line, and the server's access
log would keep it in clear beside a register that stores it encrypted. Every access-log line the
platform's servers write is therefore masked: ``dangjian serve`` runs gunicorn with
:class:`MaskingGunicornLogger`, and Django's development server (``runserver``, logger
``django.server``) gets :class:`MaskingFilter` when the core app starts.

What is masked: every run of 11 or more digits (the last character may be X) — 11-digit mobile numbers,
15- and 18-digit ID numbers, and longer runs that may contain one — also when the digits are
percent-encoded or full-width (``%EF%BC%91``), anywhere in a logged value (request line, path, query,
referer, headers). They are shown as :mod:`dangjian.core.masking` shows them on screen: ``1101**********0019``,
``138****5678``.
"""
from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

from gunicorn.glogging import Logger

from dangjian.core.masking import mask_id_number, mask_phone

__all__ = ["MaskingFilter", "MaskingGunicornLogger", "mask_personal_numbers"]

# one digit as it can appear in a URL: plain, percent-encoded ASCII, full-width (raw or UTF-8 encoded)
_DIGIT = r"(?:[0-9]|%3[0-9]|[\uff10-\uff19]|%EF%BC%9[0-9])"
_CHECK = r"(?:[Xx]|%58|%78|[\uff38\uff58]|%EF%BC%B8|%EF%BD%98)"
# 11 digits or more (a trailing X allowed): phones, +86 phones, 15- and 18-digit ID numbers, and longer
# runs that may hide one. Not inside a longer run, nor inside a percent escape.
_NUMBER = re.compile(rf"(?<![0-9\uff10-\uff19%]){_DIGIT}{{11,}}{_CHECK}?(?![0-9\uff10-\uff19]|%3[0-9]|%EF%BC%9)",
                     re.IGNORECASE)
_FULLWIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF38: 0x58, 0xFF58: 0x78}


def _mask(match: re.Match[str]) -> str:
    digits = unquote(match.group(0)).translate(_FULLWIDTH)
    return mask_id_number(digits) if len(digits) >= 15 else mask_phone(digits)


def mask_personal_numbers(text: str) -> str:
    """*text* with every ID-number-like or mobile-number-like run of digits masked."""
    return _NUMBER.sub(_mask, text) if text else text


def _masked(value: Any) -> Any:
    return mask_personal_numbers(value) if isinstance(value, str) else value


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID and phone numbers in a record's message and arguments (the
    ``django.server`` request lines of ``runserver``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True


class MaskingGunicornLogger(Logger):
    """gunicorn's logger whose access-log atoms (``%(r)s``, ``%(U)s``, ``%(q)s``, ``%(f)s``, headers) are
    masked before the line is formatted (``dangjian serve`` passes it as ``--logger-class``)."""

    def atoms(self, resp, req, environ, request_time):
        return {key: _masked(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
