"""Citizen ID numbers (公民身份号码), GB 11643-1999 — DOMAIN §9.

Length and charset, a real calendar date not in the future, the ISO 7064 MOD 11-2 check character,
the province code; sex from the sequence code (odd = male). Legacy 15-digit numbers are upgraded.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dangjian.core.parsing import is_ascii_digits

__all__ = ["IdNumber", "IdNumberCache", "IdNumberError", "check_char", "normalize", "parse_id_number"]

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


class IdNumberCache:
    """:func:`parse_id_number` for many numbers, fast: for the common case — 18 ASCII characters,
    already normalised — the address, birth-date and sequence parts of the weighted sum are cached;
    any other input goes to ``parse_id_number`` itself. For bulk checks (the demo build's million rows);
    ``demo/tests/test_rules.py`` checks both agree on thousands of numbers, good and bad."""

    _SHAPE = re.compile(r"[0-9]{17}[0-9X]")

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._parts: dict[str, int] = {}
        self._births: dict[str, dt.date | None] = {}
        self._seq = [self._weighted(f"{n:03d}", 14) for n in range(1000)]

    @staticmethod
    def _weighted(digits: str, offset: int) -> int:
        return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[offset:offset + len(digits)], strict=True))

    def _part(self, digits: str, offset: int) -> int:
        key = f"{offset}:{digits}"
        total = self._parts.get(key)
        if total is None:
            total = self._parts[key] = self._weighted(digits, offset)
        return total

    def parse(self, value: str) -> tuple[str | None, dt.date | None, str | None]:
        """(error code, birth date, sex): the code of the first failing check, as ``parse_id_number``
        raises it, or ``normalized`` for a valid number not in normalised form (with its birth date
        and sex)."""
        if len(value) != 18 or not self._SHAPE.fullmatch(value):
            try:
                parsed = parse_id_number(value, today=self.today)
            except IdNumberError as exc:
                return exc.code, None, None
            return ("normalized" if parsed.value != value else None), parsed.birth_date, parsed.gender
        if value[:2] not in _PROVINCES:
            return "id_number.province", None, None
        text = value[6:14]
        if text in self._births:
            birth = self._births[text]
        else:
            try:
                birth = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                birth = None
            self._births[text] = birth
        if birth is None or birth > self.today or birth.year < OLDEST_YEAR:
            return "id_number.date", None, None
        total = self._part(value[:6], 0) + self._part(text, 6) + self._seq[int(value[14:17])]
        if _CHECK[total % 11] != value[17]:
            return "id_number.checksum", None, None
        return None, birth, "M" if int(value[16]) % 2 == 1 else "F"
