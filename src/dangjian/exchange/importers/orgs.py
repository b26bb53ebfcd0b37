"""Organisations (组织) import: each row through ``orgs.services.org_create`` / ``org_update`` (the tree
rules, parents before children even when the file lists them the other way round), in savepoints so
that every row's errors are found; the caller's transaction makes it all or nothing."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.exchange.choices import ImportKind, ImportMode
from dangjian.exchange.engine import Importer
from dangjian.exchange.errors import ExchangeError
from dangjian.orgs.choices import OrgsPerm
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_can, org_parent_codes
from dangjian.orgs.services import ORG_FIELDS, org_create, org_update

__all__ = ["OrgImporter"]

_FIELD_MAP = {"parent": "parent_code"}
_TEXT = ("name", "short_name", "approval_doc", "contact_person", "contact_phone", "region", "org_type")


class OrgImporter(Importer):
    kind = ImportKind.ORGS
    perm = OrgsPerm.CHANGE
    trial_writes = True

    def required_fields(self) -> list[tuple[str, ...]]:
        groups = [("code",), ("name",), ("org_type",)]
        extra = [(n,) for n, c in self.mapping.by_field().items() if c.required]
        return groups + [g for g in extra if g not in groups]

    def start(self, total: int) -> None:
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.seen: dict[str, int] = {}

    def add_row(self, row: int, values: dict[str, Any], bad: set[str]) -> None:
        code = values.get("code") or ""
        if not code and "code" not in bad:
            self.add_error(self.error(row, "code", ExchangeError.REQUIRED, _("请填写组织代码")))
            return
        if code in self.seen:
            self.add_error(self.error(row, "code", ExchangeError.DUPLICATE_IN_FILE,
                                      _("与第%(n)s行的组织代码重复") % {"n": self.seen[code]}))
            return
        self.seen[code] = row
        if not values.get("org_type") and "org_type" not in bad:
            self.add_error(self.error(row, "org_type", ExchangeError.REQUIRED, _("请填写组织类别")))
            bad.add("org_type")
        fields: dict[str, Any] = {"code": code}
        for name in _TEXT:
            if name in values:
                fields[name] = values[name] or ""
        for name in ("established_on", "approval_date"):
            if name in values:
                fields[name] = values[name]
        if "is_joint" in values and values["is_joint"] is not None:
            fields["is_joint"] = values["is_joint"]
        elif values.get("unit_situation"):
            fields["is_joint"] = values["unit_situation"] == "joint"
        elif "is_joint" in values or "unit_situation" in values:
            fields["is_joint"] = False
        if bad:
            return
        self.rows.append((row, {"fields": fields, "parent_code": values.get("parent_code") or ""}))

    def _ordered(self) -> list[tuple[int, dict[str, Any]]]:
        """Parents in the file before their children; rows in a cycle are reported."""
        in_file = {item["fields"]["code"]: (row, item) for row, item in self.rows}
        done: set[str] = set()
        out: list[tuple[int, dict[str, Any]]] = []
        for row, item in self.rows:
            chain, code = [], item["fields"]["code"]
            while code not in done and code in in_file and code not in chain:
                chain.append(code)
                code = in_file[code][1]["parent_code"]
            if code in chain:
                self.add_error(self.error(row, "parent_code", ExchangeError.PARENT_CHANGE,
                                          _("上级组织代码形成了循环")))
                done.update(chain)
                continue
            for c in reversed(chain):
                done.add(c)
                out.append(in_file[c])
        return out

    def write(self) -> None:
        report = self.report
        assert report is not None
        codes = [item["fields"]["code"] for _row, item in self.rows]
        existing = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        parent_codes = org_parent_codes(actor=SYSTEM if self.actor is None else self.actor,
                                        orgs=list(existing.values()))
        failed: dict[str, int] = {}
        created: dict[str, Organization] = {}
        for n, (row, item) in enumerate(self._ordered(), start=1):
            fields, parent_code = item["fields"], item["parent_code"]
            code = fields["code"]
            if parent_code in failed:
                failed[code] = row
                self.add_error(self.error(row, "parent_code", ExchangeError.ORG_UNKNOWN,
                                          _("上级组织（第%(n)s行）有错误，未能建立") % {"n": failed[parent_code]}))
                continue
            try:
                with transaction.atomic():
                    if code in existing:
                        self._update(row, existing[code], fields, parent_code, parent_codes)
                    else:
                        parent = created.get(parent_code) if parent_code else self.default_org
                        if parent_code and parent is None:
                            parent = Organization.objects.filter(code=parent_code).first()
                            if parent is None:
                                raise DomainError.one(ExchangeError.ORG_UNKNOWN, "parent",
                                                      _("未找到上级组织代码“%(c)s”") % {"c": parent_code})
                        created[code] = org_create(actor=self.actor, parent=parent, reason=_("数据导入"), **fields)
                        report.created += 1
            except DomainError as exc:
                failed[code] = row
                self.domain_errors(row, exc, _FIELD_MAP)
            except Http404:
                failed[code] = row
                field = "code" if code in existing else "parent_code"
                self.add_error(self.error(row, field, ExchangeError.ORG_UNKNOWN,
                                          _("该组织或其上级组织不在您的管理范围内")))
            if n % 200 == 0:
                self.progress("write", n, report.rows)

    def _update(self, row: int, org: Organization, fields: dict[str, Any], parent_code: str,
                parent_codes: dict[int, str | None]) -> None:
        report = self.report
        assert report is not None
        if self.actor is not None and not org_can(actor=self.actor, org=org, perm=OrgsPerm.CHANGE):
            raise Http404("not found")
        if self.mode != ImportMode.UPSERT:
            raise DomainError.one(ExchangeError.DUPLICATE_IN_REGISTER, "code",
                                  _("组织代码“%(c)s”已存在（如需更新请选择“新增或更新”方式）") % {"c": org.code})
        if "parent_code" in self.present and (parent_codes.get(org.pk) or "") != parent_code:
            raise DomainError.one(ExchangeError.PARENT_CHANGE, "parent",
                                  _("上级组织与现有记录不同；调整隶属关系请使用“移动组织”功能"))
        changes = {k: v for k, v in fields.items() if k in ORG_FIELDS and getattr(org, k) != v}
        if not changes:
            report.unchanged += 1
            return
        org_update(actor=self.actor, org=org, reason=_("数据导入"), **changes)
        report.updated += 1
