"""Dues bases (党费基数) import: each row sets a member's dues category and declared monthly base through
``dues.services.profile_set`` (the dues rules: categories, fixed amounts, the 2017 annual fixing), in
savepoints so that every row's errors are found. The member is found by ID number within the actor's
``dues.change`` scope; a name, when given, must match the register."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dangjian.core.crypto import blind_index
from dangjian.core.errors import DomainError
from dangjian.core.scoping import path_range_q
from dangjian.dues.choices import DuesPerm
from dangjian.dues.services import profile_set
from dangjian.exchange.choices import ImportKind
from dangjian.exchange.engine import Importer
from dangjian.exchange.errors import ExchangeError
from dangjian.members.models import Member

__all__ = ["DuesBaseImporter"]


class DuesBaseImporter(Importer):
    kind = ImportKind.DUES_BASES
    perm = DuesPerm.CHANGE
    trial_writes = True

    def required_fields(self) -> list[tuple[str, ...]]:
        groups = [("id_number",), ("category",)]
        extra = [(n,) for n, c in self.mapping.by_field().items() if c.required]
        return groups + [g for g in extra if g not in groups]

    def start(self, total: int) -> None:
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.seen: dict[str, int] = {}

    def add_row(self, row: int, values: dict[str, Any], bad: set[str]) -> None:
        id_number = values.get("id_number") or ""
        if not id_number and "id_number" not in bad:
            self.add_error(self.error(row, "id_number", ExchangeError.REQUIRED, _("请填写公民身份号码")))
            bad.add("id_number")
        if not values.get("category") and "category" not in bad:
            self.add_error(self.error(row, "category", ExchangeError.REQUIRED, _("请填写党费类别")))
            bad.add("category")
        if id_number and "id_number" not in bad:
            if id_number in self.seen:
                self.add_error(self.error(row, "id_number", ExchangeError.DUPLICATE_IN_FILE,
                                          _("与第%(n)s行的公民身份号码重复") % {"n": self.seen[id_number]}))
                bad.add("id_number")
            else:
                self.seen[id_number] = row
        if not bad:
            self.rows.append((row, values))

    def _members(self):
        if self.actor is None:
            qs = Member.objects.all()
        else:
            qs = Member.objects.for_actor(self.actor, DuesPerm.CHANGE)
        if self.default_org is not None:
            qs = qs.filter(path_range_q("org__path", self.default_org.path))
        return qs.select_related("org")

    def write(self) -> None:
        report = self.report
        assert report is not None
        for start in range(0, len(self.rows), 1000):
            batch = self.rows[start:start + 1000]
            keys = {blind_index("id_number", values["id_number"]): (row, values) for row, values in batch}
            members = {m.id_number_bidx: m for m in self._members().filter(id_number_bidx__in=list(keys))}
            for key, (row, values) in keys.items():
                member = members.get(key)
                if member is None:
                    self.add_error(self.error(row, "id_number", ExchangeError.PERSON_UNKNOWN,
                                              _("党员名册中没有该公民身份号码，或该党员不在您的管理范围内")))
                    continue
                if values.get("name") and values["name"] != member.name:
                    self.add_error(self.error(row, "name", ExchangeError.NAME_MISMATCH,
                                              _("姓名与党员名册不一致（名册为“%(n)s”）") % {"n": member.name}))
                    continue
                try:
                    with transaction.atomic():
                        profile_set(actor=self.actor, member=member, category=values["category"],
                                    base=values.get("base"), on=values.get("on"), reason=_("数据导入"))
                    report.created += 1
                except DomainError as exc:
                    self.domain_errors(row, exc)
                except Http404:
                    self.add_error(self.error(row, "id_number", ExchangeError.PERSON_UNKNOWN,
                                              _("该党员不在您的管理范围内")))
            self.progress("write", start + len(batch), report.rows)
