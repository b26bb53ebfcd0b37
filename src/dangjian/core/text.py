"""Text hygiene for names, codes and references (issue 7, defect 8).

Text is NFC-normalised (so "é" typed two ways is one name), and refused when it holds a control
character (NUL is refused outright by PostgreSQL's text type: a 500 waiting to happen), a bidi
embedding/override/isolate (U+202A–U+202E, U+2066–U+2069: "Trojan Source" names that render in an
order other than the stored one), or nothing visible at all (only zero-width characters). Models use
:class:`~dangjian.core.fields.CleanCharField`, so every path that validates the model — services'
``full_clean``, forms, the API and the importer — refuses such input with a field error.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

__all__ = ["BIDI_CONTROLS", "ZERO_WIDTH", "TextHygieneValidator", "normalize_text", "text_problem"]

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# invisible characters a value may not consist of only (zero-width space/joiners, word joiner, BOM,
# soft hyphen, Mongolian vowel separator)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_ALLOWED_CONTROLS = frozenset()  # single-line fields: no tab, no newline


def normalize_text(value: Any) -> Any:
    """NFC for text; anything else unchanged."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def text_problem(value: str) -> tuple[str, str] | None:
    """(code, message) of the first rule *value* breaks, or None."""
    for ch in value:
        if ch in BIDI_CONTROLS:
            return "bidi", str(_("不能包含改变文字方向的控制字符（U+%(cp)s）") % {"cp": f"{ord(ch):04X}"})
        if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS:
            return "control", str(_("不能包含控制字符（U+%(cp)s）") % {"cp": f"{ord(ch):04X}"})
    if value and all(ch in ZERO_WIDTH or ch.isspace() for ch in value):
        return "invisible", str(_("不能只由不可见字符组成"))
    return None


@deconstructible
class TextHygieneValidator:
    """Django validator: raises ``ValidationError`` with code ``text_control`` / ``text_bidi`` /
    ``text_invisible``."""

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        problem = text_problem(value)
        if problem is not None:
            code, message = problem
            raise ValidationError(message, code=f"text_{code}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextHygieneValidator)

    def __hash__(self) -> int:
        return hash(TextHygieneValidator)
