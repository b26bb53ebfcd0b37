"""Lookups shared by the importers: organisations and units by code (and by name), within scope."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dangjian.core.scoping import path_range_q
from dangjian.exchange.errors import ExchangeError
from dangjian.orgs.models import EnterpriseUnit, Organization
from dangjian.orgs.snapshots import ORG_INFO_COLUMNS, OrgInfo

__all__ = ["OrgDirectory", "unit_codes"]


class OrgDirectory:
    """Every organisation (code → :class:`OrgInfo`, two queries), which of them *perm* covers for the
    actor (all for the system), and names of the covered ones. *within*: only that org's subtree counts
    as covered (the import's default org)."""

    def __init__(self, *, actor: Any, perm: str, within: Organization | None = None) -> None:
        rows = Organization.objects.values_list(*ORG_INFO_COLUMNS)
        self.by_code = {r[1]: OrgInfo(*r) for r in rows.iterator(chunk_size=5000)}
        self.by_pk = {o.pk: o for o in self.by_code.values()}
        if actor is None:
            covered = Organization.objects.all()
        else:
            covered = Organization.objects.for_actor(actor, perm)
        self.within = within
        if within is not None:
            covered = covered.filter(path_range_q("path", within.path))
        self.covered = set(covered.values_list("pk", flat=True))
        self._names: dict[str, list[OrgInfo]] | None = None

    def resolve(self, code: str) -> tuple[OrgInfo | None, str, str]:
        """The org of *code* when covered; else (None, error code, message) — the same answer for
        "missing" and "outside your scope", so codes cannot be probed."""
        info = self.by_code.get(code)
        if info is not None and info.pk in self.covered:
            return info, "", ""
        if info is not None and self.within is not None and not info.path.startswith(self.within.path):
            return None, ExchangeError.ORG_OUTSIDE, _("组织“%(c)s”不在本次导入的范围（%(w)s）之内") % {
                "c": code, "w": self.within.name}
        return None, ExchangeError.ORG_UNKNOWN, _("未找到组织代码“%(c)s”，或该组织不在您的管理范围内") % {"c": code}

    def resolve_name(self, name: str) -> tuple[OrgInfo | None, str, str]:
        if self._names is None:
            self._names = {}
            for info in self.by_pk.values():
                if info.pk in self.covered:
                    self._names.setdefault(info.name, []).append(info)
        found = self._names.get(name, [])
        if len(found) == 1:
            return found[0], "", ""
        if len(found) > 1:
            return None, ExchangeError.ORG_AMBIGUOUS, _("有多个组织名为“%(n)s”，请改用组织代码") % {"n": name}
        return None, ExchangeError.ORG_UNKNOWN, _("未找到名为“%(n)s”的组织，或该组织不在您的管理范围内") % {"n": name}


def unit_codes() -> dict[str, int]:
    return dict(EnterpriseUnit.objects.values_list("code", "pk"))
