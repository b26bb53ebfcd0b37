"""The rules of the member register, once, on plain values.

One place for what a member row must satisfy, used by every path that writes members:

- :func:`register_problems`: the register's own rules — the GB 11643 ID number agreeing with birth
  date and sex, mobile phone format, the ethnicity list, no future dates, a conversion date exactly for
  full members and not before joining, members only in active branches, the party group a child of the
  branch. It takes a row dict and the branch and group as :class:`~dangjian.orgs.snapshots.OrgInfo`
  snapshots, and returns :class:`Problem` s: field, code and the register's message.
- ``members.services.validate_member`` runs ``full_clean`` (the field rules, foreign keys asked of the
  database) and then :func:`register_problems`, turning each problem into its ``FieldError``.
- :class:`MemberRules`: both on a row dict of attribute values (``org_id``, ``unit_id``,
  ``party_group_id``) in microseconds — the field rules as ``core.rowrules.FieldRules`` (the keys
  known in advance instead of a query per foreign key) and :func:`register_problems`. The importer
  (``exchange.importers.members``) and the demo build (``demo.worker``) check every row with it and
  give any row it flags to ``validate_member`` for the messages; ``exchange/tests/test_rules.py`` and
  ``demo/tests/test_rules.py`` check both agree on valid rows and on a mutation of every rule.

ID numbers are checked by ``core.idcard.parse_id_number``, or — ``fast_id_numbers=True``, for the
demo's million rows — by ``core.idcard.IdNumberCache``, which agrees with it and also flags a number
that is not in normalised form (code ``normalized``: bulk rows must arrive normalised).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Container, Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from dangjian.core.idcard import IdNumberCache, IdNumberError, parse_id_number
from dangjian.core.rowrules import FieldRules
from dangjian.members.choices import ETHNICITIES, Category
from dangjian.members.errors import MembersError
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.snapshots import OrgInfo

__all__ = ["EXCLUDED", "REGISTER_FIELDS", "MemberRules", "Problem", "parse_exact", "register_problems"]

# Fields validate_member leaves out of full_clean (computed by the service, or linked later).
EXCLUDED = frozenset({"id_number_bidx", "id_number_tail", "phone_bidx", "user"})
# The values register_problems reads from a row (besides the branch and the group).
REGISTER_FIELDS = ("id_number", "birth_date", "gender", "phone", "ethnicity", "joined_on", "full_member_on",
                   "hire_date", "category")
PHONE = re.compile(r"^1\d{10}$")
DATE_FIELDS = ("birth_date", "joined_on", "full_member_on", "hire_date")
_ETHNICITIES = frozenset(ETHNICITIES)

IdParse = Callable[[str], "tuple[str | None, dt.date | None, str | None]"]


class Problem(NamedTuple):
    """A broken rule: the field, the rule's code (``phone_invalid``; for the ID number the code of
    ``core.idcard``, ``id_number.checksum``) and the register's message (``None`` only for the fast
    parser's ``normalized``, which ``validate_member`` never meets: it normalises first)."""

    field: str
    code: str
    message: str | None

    @property
    def error_code(self) -> str:
        """The code ``validate_member`` reports: ``members.<code>``, or the ID number's own."""
        return self.code if self.code.startswith("id_number.") else str(MembersError(f"members.{self.code}"))


def parse_exact(value: str, *, today: dt.date) -> tuple[str | None, dt.date | None, str | None]:
    """``parse_id_number`` as (error code, birth date, sex) — the shape of ``IdNumberCache.parse``."""
    try:
        parsed = parse_id_number(value, today=today)
    except IdNumberError as exc:
        return exc.code, None, None
    return None, parsed.birth_date, parsed.gender


def _id_message(value: str, today: dt.date) -> str | None:
    try:
        parse_id_number(value, today=today)
    except IdNumberError as exc:
        return exc.message
    return None


def register_problems(row: Mapping[str, Any], *, today: dt.date, org: OrgInfo | None, group: OrgInfo | None,
                      bad: Container[str | None] = frozenset(), parse_id: IdParse | None = None) -> list[Problem]:
    """The register's rules on *row* (the values of :data:`REGISTER_FIELDS`), the member's branch
    *org* and party group *group*. *bad*: fields already found invalid by the field rules (their
    cross-checks are skipped, as ``validate_member`` always did). *parse_id*: the ID number parser
    (default :func:`parse_exact`)."""
    out: list[Problem] = []
    id_number = row.get("id_number")
    if "id_number" not in bad and id_number:
        code, birth, gender = parse_id(id_number) if parse_id is not None else parse_exact(id_number, today=today)
        if code is not None:
            out.append(Problem("id_number", code, _id_message(id_number, today)))
        if birth is not None:
            if row.get("birth_date") and "birth_date" not in bad and row["birth_date"] != birth:
                out.append(Problem("birth_date", "birth_date_mismatch",
                                   _("出生日期与身份证号码不符（身份证为 %(d)s）") % {"d": birth}))
            if row.get("gender") and "gender" not in bad and row["gender"] != gender:
                out.append(Problem("gender", "gender_mismatch", _("性别与身份证号码不符")))
    phone = row.get("phone")
    if phone and not PHONE.match(phone):
        out.append(Problem("phone", "phone_invalid", _("手机号码应为以 1 开头的 11 位数字")))
    ethnicity = row.get("ethnicity")
    if ethnicity and ethnicity not in _ETHNICITIES:
        out.append(Problem("ethnicity", "ethnicity_invalid", _("民族名称无效")))
    for name in DATE_FIELDS:
        value = row.get(name)
        if isinstance(value, dt.date) and value > today and name not in bad:
            out.append(Problem(name, "date_in_future", _("日期不能晚于今天")))
    category, full_on, joined = row.get("category"), row.get("full_member_on"), row.get("joined_on")
    if category == Category.FULL and not full_on and "full_member_on" not in bad:
        out.append(Problem("full_member_on", "full_date_required", _("正式党员须填写转正日期")))
    if category == Category.PROBATIONARY and full_on:
        out.append(Problem("full_member_on", "full_date_required", _("预备党员不应有转正日期")))
    if isinstance(full_on, dt.date) and isinstance(joined, dt.date) and full_on < joined:
        out.append(Problem("full_member_on", "full_before_joined", _("转正日期不能早于入党日期")))
    if org is not None:
        if org.org_type != OrgType.BRANCH:
            out.append(Problem("org", "org_not_branch", _("党员只能编入党支部")))
        elif org.status != OrgStatus.ACTIVE:
            out.append(Problem("org", "org_dissolved", _("该党支部已撤销")))
    if group is not None:
        if group.org_type != OrgType.GROUP:
            out.append(Problem("party_group", "group_not_group", _("所选组织不是党小组")))
        elif org is not None and not (group.path.startswith(org.path) and group.depth == org.depth + 1):
            out.append(Problem("party_group", "group_not_in_branch",
                               _("党小组“%(g)s”不属于党支部“%(b)s”") % {"g": group.name, "b": org.name}))
    return out


class MemberRules:
    """Every rule of ``validate_member`` on a dict of Member attribute values.

    *orgs*: every organisation the rows may refer to, by pk; *unit_ids*: the enterprise units that
    exist. *fast_id_numbers*: check ID numbers with the cached ``core.idcard.IdNumberCache`` (which
    also flags un-normalised numbers) instead of ``parse_id_number``.
    """

    def __init__(self, *, today: dt.date, orgs: Mapping[int, OrgInfo], unit_ids: Container[int],
                 fast_id_numbers: bool = False) -> None:
        self.today = today
        self.orgs = orgs
        self.fields = FieldRules(Member, exclude=EXCLUDED,
                                 keys={"org_id": orgs, "party_group_id": orgs, "unit_id": unit_ids})
        self.parse_id: IdParse = IdNumberCache(today).parse if fast_id_numbers else self._parse_exact

    def _parse_exact(self, value: str) -> tuple[str | None, dt.date | None, str | None]:
        return parse_exact(value, today=self.today)

    def errors(self, row: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Every (field, code) the row breaks; empty when ``validate_member`` would accept it."""
        out = self.fields.errors(row)  # type: ignore[arg-type]
        org_id, group_id = row.get("org_id"), row.get("party_group_id")
        orgs = self.orgs
        register = register_problems(
            row, today=self.today, org=orgs.get(org_id) if org_id is not None else None,
            group=orgs.get(group_id) if group_id is not None else None,
            bad={name for name, _code in out} if out else frozenset(), parse_id=self.parse_id)
        if register:
            out.extend((p.field, p.code) for p in register)
        return out
