"""Numbers typed by people or sent by clients: ASCII digits only, bounded (issue 7, defect 6).

``str.isdigit()`` is true for superscripts and other Unicode digits (``"³"``, ``"①"``) that ``int()``
refuses, and ``int()`` accepts Arabic-Indic digits and numbers far beyond a database id. Every place
that turns user input into an integer (an id in a query string, a row number, a cron field) goes
through :func:`parse_int` / :func:`parse_id`, which answer ``None`` instead of raising.
"""
from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_ID", "is_ascii_digits", "parse_id", "parse_int"]

MAX_ID = 2**63 - 1  # a BigAutoField / bigint on both databases
_INT = re.compile(r"[+-]?[0-9]{1,19}")
_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: Any) -> bool:
    """True for a non-empty string of ASCII digits 0–9 only (unlike ``str.isdigit``)."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None


def parse_int(value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An int from an int or from text of ASCII digits (optional sign, surrounding spaces), within
    [*minimum*, *maximum*]; ``None`` for anything else (bools, floats, ``"³"``, ``"1e3"``, 20 digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if _INT.fullmatch(text) is None:
            return None
        number = int(text)
    else:
        return None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def parse_id(value: Any) -> int | None:
    """A primary key (1 … 2**63-1) from an int or ASCII digits; ``None`` otherwise."""
    return parse_int(value, minimum=1, maximum=MAX_ID)
