"""The rules of ``members.services.validate_member`` on plain member rows, fast.

``validate_member`` builds a model instance and runs ``full_clean``, which asks the database whether
each foreign key exists: about a millisecond a row, 100 s for 100,000 rows. An import already knows
its organisations and units, so :class:`MemberRules` checks the same rules on a dict of attribute
values (``org_id``, ``unit_id``, ``party_group_id``) in microseconds:

- what ``full_clean`` checks on the fields ``validate_member`` does not exclude: required values
  (``null``/``blank``), maximum lengths, choices, foreign keys among known rows;
- the register's rules: GB 11643 ID number (``core.idcard.parse_id_number``) agreeing with birth date
  and sex, mobile phone format, the ethnicity list, no future dates, a conversion date exactly for
  full members and not before joining, members only in active branches, the group a child of the branch.

It returns ``(field, code)`` pairs; the importer gives any row it flags to ``validate_member`` itself
for the message (so messages and codes are the register's own), and every ``SAMPLE_EVERY``-th row —
every row of a small file — goes through ``validate_member`` as well. ``tests/test_rules.py`` checks
both agree on valid rows and on a mutation of every rule.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from dangjian.core.idcard import IdNumberError, parse_id_number
from dangjian.members.choices import ETHNICITIES, Category
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType

__all__ = ["EXCLUDED", "MemberRules", "OrgInfo"]

EXCLUDED = frozenset({"id_number_bidx", "id_number_tail", "phone_bidx", "user"})  # as validate_member
_PHONE = re.compile(r"^1\d{10}$")  # members.services._PHONE
_DATES = ("birth_date", "joined_on", "full_member_on", "hire_date")
_ETHNICITIES = frozenset(ETHNICITIES)


@dataclass(frozen=True, slots=True)
class OrgInfo:
    pk: int
    code: str
    name: str
    org_type: str
    status: str
    path: str
    depth: int


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    attname: str
    required: bool
    max_length: int | None
    choices: frozenset[str] | None
    fk: bool
    date: bool


def _field_rules() -> tuple[_Field, ...]:
    out = []
    for f in Member._meta.concrete_fields:
        if f.name in EXCLUDED or f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        out.append(_Field(
            name=f.name, attname=f.attname, required=not f.blank,
            max_length=getattr(f, "max_length", None) if isinstance(f, models.CharField) else None,
            choices=frozenset(str(v) for v, _label in f.flatchoices) if f.choices else None,
            fk=isinstance(f, models.ForeignKey), date=isinstance(f, models.DateField),
        ))
    return tuple(out)


class MemberRules:
    """``validate_member`` on a dict of Member attribute values. *orgs*: every org an import may refer
    to, by pk; *unit_ids*: the enterprise units that exist."""

    def __init__(self, *, today: dt.date, orgs: dict[int, OrgInfo], unit_ids: set[int] | frozenset[int]) -> None:
        self.today = today
        self.orgs = orgs
        self.unit_ids = unit_ids
        self.fields = _field_rules()

    def errors(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for f in self.fields:
            value = row.get(f.attname)
            if value is None or value == "":
                if f.required:
                    out.append((f.name, "null" if value is None else "blank"))
                continue
            if f.fk:
                known = self.unit_ids if f.name == "unit" else self.orgs
                if value not in known:
                    out.append((f.name, "invalid"))
            elif f.date:
                if type(value) is not dt.date:
                    out.append((f.name, "invalid"))
            elif not isinstance(value, str):
                out.append((f.name, "invalid"))
            elif f.max_length is not None and len(value) > f.max_length:
                out.append((f.name, "max_length"))
            elif f.choices is not None and value not in f.choices:
                out.append((f.name, "invalid_choice"))
        bad = {name for name, _code in out}
        today = self.today
        id_number = row.get("id_number")
        if "id_number" not in bad and id_number:
            try:
                parsed = parse_id_number(id_number, today=today)
            except IdNumberError as exc:
                out.append(("id_number", exc.code))
            else:
                if row.get("birth_date") and "birth_date" not in bad and row["birth_date"] != parsed.birth_date:
                    out.append(("birth_date", "birth_date_mismatch"))
                if row.get("gender") and "gender" not in bad and row["gender"] != parsed.gender:
                    out.append(("gender", "gender_mismatch"))
        phone = row.get("phone")
        if phone and not _PHONE.match(phone):
            out.append(("phone", "phone_invalid"))
        ethnicity = row.get("ethnicity")
        if ethnicity and ethnicity not in _ETHNICITIES:
            out.append(("ethnicity", "ethnicity_invalid"))
        for name in _DATES:
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
