"""Money: Decimal yuan with 2 places, parsed strictly and rounded per a configurable step (DESIGN "core").

Amounts never pass through ``float``. Input text is normalised first (full-width digits, thousands
separators, surrounding spaces, a leading ``¥``), so ``"１，０００.５"`` parses as ``1000.50``.
"""
from __future__ import annotations

import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "ROUNDING_MODES",
    "ZERO",
    "MoneyError",
    "format_money",
    "parse_money",
    "quantize_money",
    "round_money",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount the platform stores (DecimalField max_digits=12, 2 places). Checked before any
# arithmetic: ``Decimal("1e30").quantize(CENT)`` raises InvalidOperation (28-digit context), and text
# like ``"1e999999999"`` would overflow ``normalize()`` (issue 7, defect 6).
MAX_AMOUNT = Decimal("9999999999.99")
# Names stored in settings/rule data → decimal module constants.
ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}


class MoneyError(ValueError):
    """Text or number that is not an amount of money; ``code`` tells which rule it broke."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def _normalise_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    for junk in ("¥", "￥", "元", ",", " "):
        text = text.replace(junk, "")
    return text


def parse_money(value: Any, *, places: int = 2) -> Decimal:
    """A finite Decimal with at most *places* decimals, quantized to exactly *places*.

    Raises :class:`MoneyError` with code ``invalid`` (not a number, NaN, infinity, a float, a bool),
    ``range`` (beyond :data:`MAX_AMOUNT` either way, e.g. ``"1e30"``) or ``precision`` (more decimals
    than *places*, e.g. ``"1.005"``). The sign is not checked here.
    """
    if isinstance(value, bool | float):
        # floats carry binary noise (0.1 + 0.2); callers pass str, int or Decimal
        raise MoneyError("invalid", _("金额须为数字文本，不能是浮点数"))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = _normalise_text(value)
        if not text:
            raise MoneyError("invalid", _("金额不能为空"))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise MoneyError("invalid", _("金额不是有效的数字"))
    else:
        raise MoneyError("invalid", _("金额不是有效的数字"))
    if not amount.is_finite():
        raise MoneyError("invalid", _("金额不是有效的数字"))
    if amount and (amount.adjusted() > MAX_AMOUNT.adjusted() or abs(amount) > MAX_AMOUNT):
        raise MoneyError("range", _("金额超出范围（绝对值不能超过 %(max)s）") % {"max": format_money(MAX_AMOUNT)})
    if amount and amount.adjusted() < -places - 1:
        raise MoneyError("precision", _("金额最多保留两位小数") if places == 2 else _("小数位数过多"))
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise MoneyError("precision", _("金额最多保留两位小数") if places == 2 else _("小数位数过多"))
    step = Decimal(1).scaleb(-places)
    return amount.quantize(step)


def quantize_money(value: Decimal) -> Decimal:
    """Exactly two places (for values already rounded to a coarser step: 15 → 15.00)."""
    return value.quantize(CENT)


def round_money(value: Decimal, step: Decimal = CENT, mode: str = "half_up") -> Decimal:
    """Round *value* to a multiple of *step* (0.01, 0.1 or 1 yuan) with the named mode, 2 places out.

    DOMAIN §1 "Rounding": no national rule; default 0.01 yuan half up, configurable per rule set.
    """
    try:
        rounding = ROUNDING_MODES[mode]
    except KeyError:
        raise ValueError(f"unknown rounding mode {mode!r}")
    if step == CENT:
        return value.quantize(CENT, rounding=rounding)
    if step <= 0:
        raise ValueError("rounding step must be positive")
    units = (value / step).quantize(Decimal(1), rounding=rounding)
    return (units * step).quantize(CENT)


def format_money(value: Decimal | None) -> str:
    """``"1,234.50"`` for display; empty for None."""
    if value is None:
        return ""
    return f"{quantize_money(value):,.2f}"
