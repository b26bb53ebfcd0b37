"""Citizen ID numbers (公民身份号码), GB 11643-1999 — DOMAIN §9.

Length and charset, a real calendar date not in the future, the ISO 7064 MOD 11-2 check character,
the province code; sex from the sequence code (odd = male). Legacy 15-digit numbers are upgraded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dangjian.core.parsing import is_ascii_digits

__all__ = ["IdNumber", "IdNumberError", "check_char", "normalize", "parse_id_number"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PROVINCES = {str(c) for c in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
                               *range(50, 55), *range(61, 66), 71, 81, 82)}
_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９Ｘｘ"}
OLDEST_YEAR = 1900


class IdNumberError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    gender: str  # "M" or "F"

    @property
    def province(self) -> str:
        return self.value[:2]


def normalize(raw: str) -> str:
    """Strip spaces, turn full-width digits/X into ASCII and upper-case the X."""
    return raw.translate(_FULLWIDTH).strip().replace(" ", "").upper()


def check_char(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def parse_id_number(raw: str, *, today: dt.date | None = None, allow_legacy: bool = False) -> IdNumber:
    value = normalize(raw or "")
    if allow_legacy and len(value) == 15 and is_ascii_digits(value):
        body = value[:6] + "19" + value[6:]
        value = body + check_char(body)
    if len(value) != 18:
        raise IdNumberError("id_number.length", str(_("身份证号码应为 18 位")))
    if not is_ascii_digits(value[:17]) or not (is_ascii_digits(value[17]) or value[17] == "X"):
        raise IdNumberError("id_number.charset", str(_("身份证号码只能包含数字，最后一位可为 X")))
    if value[:2] not in _PROVINCES:
        raise IdNumberError("id_number.province", str(_("身份证号码的省份代码无效")))
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("id_number.date", str(_("身份证号码中的出生日期不是有效日期")))
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    if birth > today or birth.year < OLDEST_YEAR:
        raise IdNumberError("id_number.date", str(_("身份证号码中的出生日期不合理")))
    if check_char(value[:17]) != value[17]:
        raise IdNumberError("id_number.checksum", str(_("身份证号码校验位错误")))
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, birth_date=birth, gender=gender)
