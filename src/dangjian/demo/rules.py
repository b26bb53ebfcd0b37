"""The rules of ``full_clean`` and of the register (``members.services.validate_member``), checked
on plain row dicts, fast.

``validate_member`` builds a model instance and calls ``full_clean``, which costs about a
millisecond per row (three foreign-key existence queries among others): 1,000,000 members would
spend a quarter of an hour there. This module checks the same rules without instances:

- :class:`FieldRules`: the field rules ``full_clean`` applies, derived from the model's ``_meta``
  (required, type, max length, choices, decimal digits, non-negative integers, foreign keys among
  the rows this build created). Used for members, organisations, units, terms and mappings.
- :class:`MemberRowValidator`: :class:`FieldRules` for ``Member`` plus the register rules of
  ``validate_member``: the GB 11643 ID number as ``core.idcard.parse_id_number`` checks it (birth
  date and sex must agree), mobile phone format, ethnicity list, no future dates, full members have a
  conversion date and probationary members none, conversion not before joining, members only in
  active branches, the party group a child of the member's branch.

Both return the (field, code) pairs they find. The builder hands any row with an error to the
real ``full_clean`` / ``validate_member`` for the message, and also sends a regular sample of rows
through them; ``tests/test_rules.py`` checks that both sides agree on valid rows and on a mutation
of every rule.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import validators
from django.db import models

from dangjian.core import idcard
from dangjian.core.idcard import IdNumberError, parse_id_number
from dangjian.demo.worker import OrgInfo
from dangjian.members.choices import ETHNICITIES, Category
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType

__all__ = ["MEMBER_EXCLUDED_FIELDS", "FieldRules", "MemberRowValidator", "OrgInfo"]

# Fields validate_member leaves out of full_clean (computed by the service, or linked later).
MEMBER_EXCLUDED_FIELDS = frozenset({"id_number_bidx", "id_number_tail", "phone_bidx", "user"})
_PHONE = re.compile(r"^1\d{10}$")  # members.services._PHONE
_DATE_FIELDS = ("birth_date", "joined_on", "full_member_on", "hire_date")
_ETHNICITIES = frozenset(ETHNICITIES)
_TEXT, _DATE, _BOOL, _INT, _DECIMAL, _FK = range(6)


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    attname: str
    kind: int
    required: bool
    max_length: int | None = None
    choices: frozenset | None = None
    minimum: int | None = None
    maximum: int | None = None
    digits: int | None = None
    places: int | None = None


class FieldRules:
    """What ``Model.clean_fields`` checks, on a dict keyed by attribute name.

    *exclude*: field names left out (as ``full_clean(exclude=...)``); the primary key and
    automatic timestamps are always left out. *keys*: for each foreign key's attname, the set of
    keys it may take (the rows of this build) — ``full_clean`` asks the database instead.
    """

    def __init__(self, model: type[models.Model], *, exclude: frozenset[str] | set[str] = frozenset(),
                 keys: dict[str, Any] | None = None) -> None:
        self.model = model
        self.keys = dict(keys or {})
        self.rules: list[_Rule] = []
        for f in model._meta.concrete_fields:
            if f.name in exclude or f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            required = not f.blank
            choices = frozenset(str(v) for v, _label in f.flatchoices) if f.choices else None
            if isinstance(f, models.ForeignKey):
                self.keys.setdefault(f.attname, frozenset())  # no keys given: only empty is valid
                rule = _Rule(f.name, f.attname, _FK, required)
            elif isinstance(f, models.DateTimeField):  # pragma: no cover - no such field is written by the demo
                raise TypeError(f"{model.__name__}.{f.name}: datetime fields are not handled")
            elif isinstance(f, models.DateField):
                rule = _Rule(f.name, f.attname, _DATE, required)
            elif isinstance(f, models.BooleanField):
                rule = _Rule(f.name, f.attname, _BOOL, required)
            elif isinstance(f, models.DecimalField):
                rule = _Rule(f.name, f.attname, _DECIMAL, required, digits=f.max_digits, places=f.decimal_places)
            elif isinstance(f, models.IntegerField):
                low = [v.limit_value for v in f.validators if isinstance(v, validators.MinValueValidator)]
                high = [v.limit_value for v in f.validators if isinstance(v, validators.MaxValueValidator)]
                rule = _Rule(f.name, f.attname, _INT, required, choices=choices, minimum=max(low, default=None),
                             maximum=min(high, default=None))
            elif isinstance(f, models.CharField | models.TextField):
                rule = _Rule(f.name, f.attname, _TEXT, required, max_length=getattr(f, "max_length", None),
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
                    out.append((rule.name, "blank"))
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


class _IdNumbers:
    """``core.idcard.parse_id_number`` for the common case — 18 ASCII characters, already
    normalised — with the address, birth-date and sequence parts of the weighted sum cached; any
    other input goes to ``parse_id_number`` itself. ``tests/test_rules.py`` checks both agree."""

    _SHAPE = re.compile(r"[0-9]{17}[0-9X]")

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._parts: dict[str, int] = {}
        self._births: dict[str, dt.date | None] = {}
        self._seq = [self._weighted(f"{n:03d}", 14) for n in range(1000)]

    @staticmethod
    def _weighted(digits: str, offset: int) -> int:
        return sum(int(d) * w for d, w in zip(digits, idcard._WEIGHTS[offset:offset + len(digits)], strict=True))

    def _part(self, digits: str, offset: int) -> int:
        key = f"{offset}:{digits}"
        total = self._parts.get(key)
        if total is None:
            total = self._parts[key] = self._weighted(digits, offset)
        return total

    def parse(self, value: str) -> tuple[str | None, dt.date | None, str | None]:
        """(error code, birth date, sex) — the error code of the first failing check, as parse_id_number."""
        if len(value) != 18 or not self._SHAPE.fullmatch(value):
            try:
                parsed = parse_id_number(value, today=self.today)
            except IdNumberError as exc:
                return exc.code, None, None
            return ("normalized" if parsed.value != value else None), parsed.birth_date, parsed.gender
        if value[:2] not in idcard._PROVINCES:
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
        if birth is None or birth > self.today or birth.year < idcard.OLDEST_YEAR:
            return "id_number.date", None, None
        total = self._part(value[:6], 0) + self._part(text, 6) + self._seq[int(value[14:17])]
        if idcard._CHECK[total % 11] != value[17]:
            return "id_number.checksum", None, None
        return None, birth, "M" if int(value[16]) % 2 == 1 else "F"


class MemberRowValidator:
    """Every rule of ``validate_member`` on a member row (``org_id``, ``unit_id``, ``party_group_id``)."""

    def __init__(self, *, today: dt.date, orgs: dict[int, OrgInfo], unit_ids: set[int] | frozenset[int]) -> None:
        self.today = today
        self.orgs = orgs
        self.id_numbers = _IdNumbers(today)
        self.fields = FieldRules(Member, exclude=MEMBER_EXCLUDED_FIELDS,
                                 keys={"org_id": orgs, "party_group_id": orgs, "unit_id": unit_ids})

    def errors(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        out = self.fields.errors(row)
        bad = {name for name, _code in out}
        today = self.today
        id_number = row.get("id_number")
        if "id_number" not in bad and id_number:
            code, birth, gender = self.id_numbers.parse(id_number)
            if code is not None:
                out.append(("id_number", code))
            if birth is not None:
                if row.get("birth_date") and "birth_date" not in bad and row["birth_date"] != birth:
                    out.append(("birth_date", "birth_date_mismatch"))
                if row.get("gender") and "gender" not in bad and row["gender"] != gender:
                    out.append(("gender", "gender_mismatch"))
        phone = row.get("phone")
        if phone and not _PHONE.match(phone):
            out.append(("phone", "phone_invalid"))
        ethnicity = row.get("ethnicity")
        if ethnicity and ethnicity not in _ETHNICITIES:
            out.append(("ethnicity", "ethnicity_invalid"))
        for name in _DATE_FIELDS:
            value = row.get(name)
            if isinstance(value, dt.date) and value > today and name not in bad:
                out.append((name, "date_in_future"))
        category, full_on, joined = row.get("category"), row.get("full_member_on"), row.get("joined_on")
        if category == Category.FULL and not full_on and "full_member_on" not in bad:
            out.append(("full_member_on", "full_date_required"))
        if category == Category.PROBATIONARY and full_on:
            out.append(("full_member_on", "full_date_required"))
        if isinstance(full_on, dt.date) and isinstance(joined, dt.date) and full_on < joined:
            out.append(("full_member_on", "full_before_joined"))
        org = self.orgs.get(row.get("org_id"))  # type: ignore[arg-type]
        if org is not None:
            if org.org_type != OrgType.BRANCH:
                out.append(("org", "org_not_branch"))
            elif org.status != OrgStatus.ACTIVE:
                out.append(("org", "org_dissolved"))
        group_id = row.get("party_group_id")
        group = self.orgs.get(group_id) if group_id is not None else None
        if group is not None:
            if group.org_type != OrgType.GROUP:
                out.append(("party_group", "group_not_group"))
            elif org is not None and not (group.path.startswith(org.path) and group.depth == org.depth + 1):
                out.append(("party_group", "group_not_in_branch"))
        return out
