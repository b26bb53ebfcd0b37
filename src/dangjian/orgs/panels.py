"""What the organisations app shows on lower apps' pages through ``ui.panels`` (issue 8): the name of
the organisation of each audit entry, read through the orgs selectors with the auditor's scope."""
from __future__ import annotations

from typing import Any

from dangjian.orgs.selectors import org_names_by_path
from dangjian.ui.panels import register_annotator

__all__ = ["register"]


def _name_audit_orgs(actor: Any, entries: list) -> bool:
    orgs = org_names_by_path(actor=actor, paths={e.org_path for e in entries}, perm="audit.view")
    for entry in entries:
        entry.org_obj = orgs.get(entry.org_path)
    return bool(orgs)


def register() -> None:
    register_annotator("audit.entries", "orgs.names", _name_audit_orgs)
