"""Applicants (入党申请人) import: each row is a received application through
``development.services.applicant_create`` (its rules: ID number, one open pipeline per person, nobody
already in the register, age at application, dates), in savepoints so that every row's errors are found."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.development.choices import DevelopmentPerm
from dangjian.development.services import applicant_create
from dangjian.exchange.choices import ImportKind
from dangjian.exchange.engine import Importer
from dangjian.exchange.errors import ExchangeError
from dangjian.exchange.importers.common import OrgDirectory, unit_codes
from dangjian.orgs.models import EnterpriseUnit, Organization

__all__ = ["ApplicantImporter"]

_PLAIN = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title")


class ApplicantImporter(Importer):
    """Create only: an application is received once (a second row for the same person is an error)."""

    kind = ImportKind.APPLICANTS
    perm = DevelopmentPerm.CHANGE
    trial_writes = True

    def required_fields(self) -> list[tuple[str, ...]]:
        groups = [("name",), ("id_number",), ("applied_on",)]
        if self.default_org is None:
            groups.append(("org",))
        extra = [(n,) for n, c in self.mapping.by_field().items() if c.required and n != "org"]
        return groups + [g for g in extra if g not in groups]

    def start(self, total: int) -> None:
        self.orgs = OrgDirectory(actor=self.actor, perm=DevelopmentPerm.CHANGE, within=self.default_org)
        self.units = unit_codes()
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.seen: dict[str, int] = {}

    def add_row(self, row: int, values: dict[str, Any], bad: set[str]) -> None:
        fields: dict[str, Any] = {name: values[name] for name in _PLAIN if name in values}
        for name in ("gender", "ethnicity", "phone", "education", "job_title"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        if not fields.get("ethnicity"):
            fields.pop("ethnicity", None)
        code = values.get("org") or ""
        org = None
        if code and "org" not in bad:
            org, err_code, message = self.orgs.resolve(code)
            if org is None:
                self.add_error(self.error(row, "org", err_code, message))
                bad.add("org")
        elif self.default_org is not None:
            org = self.orgs.by_pk.get(self.default_org.pk)
        fields["org_id"] = org.pk if org else None
        unit_code = values.get("unit") or ""
        if unit_code and "unit" not in bad:
            fields["unit_id"] = self.units.get(unit_code)
            if fields["unit_id"] is None:
                self.add_error(self.error(row, "unit", ExchangeError.UNIT_UNKNOWN,
                                          _("未找到单位代码“%(c)s”") % {"c": unit_code}))
                bad.add("unit")
        id_number = fields.get("id_number") or ""
        if id_number and "id_number" not in bad:
            if id_number in self.seen:
                self.add_error(self.error(row, "id_number", ExchangeError.DUPLICATE_IN_FILE,
                                          _("与第%(n)s行的公民身份号码重复") % {"n": self.seen[id_number]}))
                bad.add("id_number")
            else:
                self.seen[id_number] = row
        if not bad:
            self.rows.append((row, {"fields": fields, "applied_on": values.get("applied_on")}))

    def write(self) -> None:
        report = self.report
        assert report is not None
        orgs: dict[int, Organization] = {}
        units: dict[int, EnterpriseUnit] = {}
        for n, (row, item) in enumerate(self.rows, start=1):
            fields = dict(item["fields"])
            org_id, unit_id = fields.pop("org_id"), fields.pop("unit_id", None)
            if org_id is not None:
                fields["org"] = orgs.get(org_id) or orgs.setdefault(org_id, Organization.objects.get(pk=org_id))
            if unit_id is not None:
                fields["unit"] = units.get(unit_id) or units.setdefault(unit_id, EnterpriseUnit.objects.get(pk=unit_id))
            try:
                with transaction.atomic():
                    applicant_create(actor=self.actor, applied_on=item["applied_on"], reason=_("数据导入"), **fields)
                report.created += 1
            except DomainError as exc:
                self.domain_errors(row, exc)
            except Http404:
                self.add_error(self.error(row, "org", ExchangeError.ORG_UNKNOWN, _("该党支部不在您的管理范围内")))
            if n % 200 == 0:
                self.progress("write", n, report.rows)
