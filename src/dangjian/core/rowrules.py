"""What ``Model.clean_fields`` checks, on a plain dict of attribute values, fast.

``full_clean`` needs a model instance and asks the database whether every foreign key exists (about a
millisecond a row). Bulk paths (the demo build, imports) know their keys already, so
:class:`FieldRules` checks the same field rules on a dict keyed by attribute name in microseconds,
derived from the model's ``_meta``: required values, type, maximum length, choices, decimal digits,
integer bounds, foreign keys among known keys. It returns ``(field name, code)`` pairs with the
codes ``clean_fields`` uses (``null``, ``blank``, ``invalid``, ``max_length``, ``invalid_choice``,
``min_value``, ``max_value``). The callers hand any flagged row to ``full_clean`` itself for the
message, and their tests check both agree.

This module imports no domain app: any app's bulk path may use it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import validators
from django.db import models

__all__ = ["FieldRules"]

_TEXT, _DATE, _BOOL, _INT, _DECIMAL, _FK = range(6)


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    attname: str
    kind: int
    required: bool
    null: bool
    max_length: int | None = None
    choices: frozenset | None = None
    minimum: int | None = None
    maximum: int | None = None
    digits: int | None = None
    places: int | None = None


class FieldRules:
    """What ``Model.clean_fields`` checks, on a dict keyed by attribute name.

    *exclude*: field names left out (as ``full_clean(exclude=...)``); the primary key and automatic
    timestamps are always left out. *keys*: for each foreign key's attname, the keys it may take (a
    set or a dict) — ``full_clean`` asks the database instead; a foreign key given no keys accepts only
    an empty value. An empty value of a required field is ``null`` when it is ``None`` and the column
    is not nullable, ``blank`` otherwise — as ``Field.validate``.
    """

    def __init__(self, model: type[models.Model], *, exclude: frozenset[str] | set[str] = frozenset(),
                 keys: dict[str, Any] | None = None) -> None:
        self.model = model
        self.keys = dict(keys or {})
        self.rules: list[_Rule] = []
        for f in model._meta.concrete_fields:
            if f.name in exclude or f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            required, null = not f.blank, f.null
            choices = frozenset(str(v) for v, _label in f.flatchoices) if f.choices else None
            if isinstance(f, models.ForeignKey):
                self.keys.setdefault(f.attname, frozenset())  # no keys given: only empty is valid
                rule = _Rule(f.name, f.attname, _FK, required, null)
            elif isinstance(f, models.DateTimeField):  # pragma: no cover - no bulk path writes one yet
                raise TypeError(f"{model.__name__}.{f.name}: datetime fields are not handled")
            elif isinstance(f, models.DateField):
                rule = _Rule(f.name, f.attname, _DATE, required, null)
            elif isinstance(f, models.BooleanField):
                rule = _Rule(f.name, f.attname, _BOOL, required, null)
            elif isinstance(f, models.DecimalField):
                rule = _Rule(f.name, f.attname, _DECIMAL, required, null, digits=f.max_digits, places=f.decimal_places)
            elif isinstance(f, models.IntegerField):
                low = [v.limit_value for v in f.validators if isinstance(v, validators.MinValueValidator)]
                high = [v.limit_value for v in f.validators if isinstance(v, validators.MaxValueValidator)]
                rule = _Rule(f.name, f.attname, _INT, required, null, choices=choices,
                             minimum=max(low, default=None), maximum=min(high, default=None))
            elif isinstance(f, models.CharField | models.TextField):
                rule = _Rule(f.name, f.attname, _TEXT, required, null, max_length=getattr(f, "max_length", None),
                             choices=choices)
            else:  # pragma: no cover - a new kind of field: fail loudly until it is handled here
                raise TypeError(f"{model.__name__}.{f.name}: {type(f).__name__} is not handled")
            self.rules.append(rule)

    def errors(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for rule in self.rules:
            value = row.get(rule.attname)
            if value is None or value == "":
                if rule.required:
                    out.append((rule.name, "null" if value is None and not rule.null else "blank"))
                continue
            kind = rule.kind
            if kind == _TEXT:
                if not isinstance(value, str):  # CharField.to_python would str() anything else
                    out.append((rule.name, "invalid"))
                elif rule.max_length is not None and len(value) > rule.max_length:
                    out.append((rule.name, "max_length"))
                elif rule.choices is not None and value not in rule.choices:
                    out.append((rule.name, "invalid_choice"))
            elif kind == _FK:
                if value not in self.keys[rule.attname]:
                    out.append((rule.name, "invalid"))
            elif kind == _DATE:
                if type(value) is not dt.date:
                    out.append((rule.name, "invalid"))
            elif kind == _BOOL:
                if type(value) is not bool:
                    out.append((rule.name, "invalid"))
            elif kind == _INT:
                if type(value) is not int:
                    out.append((rule.name, "invalid"))
                elif rule.minimum is not None and value < rule.minimum:
                    out.append((rule.name, "min_value"))
                elif rule.maximum is not None and value > rule.maximum:
                    out.append((rule.name, "max_value"))
            elif kind == _DECIMAL and not _decimal_fits(value, rule):
                out.append((rule.name, "invalid"))
        return out


def _decimal_fits(value: Any, rule: _Rule) -> bool:
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    places = -exponent if exponent < 0 else 0
    whole = len(digits) - places if exponent < 0 else len(digits) + exponent
    return places <= rule.places and whole <= rule.digits - rule.places  # type: ignore[operator]
