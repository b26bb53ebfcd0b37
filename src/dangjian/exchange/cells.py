"""Cell normalisation: what a person types in Excel becomes a clean value, or a clear error.

- surrounding spaces go, including full-width (U+3000), no-break and zero-width spaces;
- full-width digits (and, in identifiers, full-width letters) become ASCII — normalised, not rejected;
- dates: Excel dates (cells or serial numbers), ``2020-01-01``, ``2020/1/1``, ``2020.1.1``,
  ``2020年1月1日``, ``20200101``;
- code lists: a Chinese label (or the platform value) becomes the platform value.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from dangjian.exchange.errors import ExchangeError

__all__ = ["CellError", "clean_ident", "clean_text", "clean_title", "parse_bool", "parse_date", "parse_decimal"]

# Full-width digits everywhere; full-width ASCII letters and signs in identifiers only (a job title's
# "（兼）" stays as written, so an exported value re-imports unchanged).
_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}
_FULLWIDTH_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_SPACES = "\u3000\u00a0\u200b\u200c\u200d\ufeff\t\r\n "
_INNER_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\u200c\u200d\ufeff]+")
_DATE_RE = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed)
_TRUE = {"是", "y", "yes", "true", "1", "√", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无"}


class CellError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def clean_text(value: Any) -> str:
    """Text of a cell: full-width digits to ASCII, surrounding spaces of every kind removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).translate(_DIGITS).strip(_SPACES)


def clean_ident(value: Any) -> str:
    """An identifier (ID number, phone, code): full-width ASCII to ASCII and no spaces at all."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _INNER_SPACE.sub("", str(value).translate(_FULLWIDTH_ASCII))


def clean_title(value: Any) -> str:
    """A column title or code-list label as compared: no spaces of any kind, ASCII digits/letters,
    without a trailing required-marker ``*``."""
    return clean_ident(value).rstrip("*＊")


def parse_date(value: Any) -> dt.date | None:
    """A date from an Excel cell; None for a blank cell; :class:`CellError` when unreadable."""
    if value is None or value == "":
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the common case, 2020-01-01, without the general parser
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial date (a date typed into a General cell)
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(ExchangeError.DATE_INVALID, _("日期无法识别"))
    text = clean_text(value).translate(_FULLWIDTH_ASCII)
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE.match(text)
    if match is None and re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", text):  # a date-time written as text
        match = _DATE_RE.match(text[:10])
    if match is None:
        raise CellError(ExchangeError.DATE_INVALID, _("日期格式无法识别（可写作 2020-01-01、2020/1/1 或 2020年1月1日）"))
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError(ExchangeError.DATE_INVALID, _("不是有效的日期"))


def parse_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = clean_ident(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(ExchangeError.BOOL_INVALID, _("请填写“是”或“否”"))


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(ExchangeError.NUMBER_INVALID, _("请填写数字"))
    if isinstance(value, float):
        value = repr(value)
    text = clean_ident(value).replace(",", "").replace("，", "").removesuffix("元")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(ExchangeError.NUMBER_INVALID, _("请填写数字"))
    if not number.is_finite():
        raise CellError(ExchangeError.NUMBER_INVALID, _("请填写数字"))
    return number
