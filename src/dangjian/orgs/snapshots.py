"""Plain snapshots of organisations, for code that checks many rows against a known tree (imports,
the demo build, the register's rules) without a query per row.

This module imports no models, so a worker process can unpickle a snapshot before Django is set up.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ORG_INFO_COLUMNS", "OrgInfo"]

# The columns of an OrgInfo, in order: ``OrgInfo(*row)`` for each row of
# ``Organization.objects.values_list(*ORG_INFO_COLUMNS)``.
ORG_INFO_COLUMNS = ("pk", "code", "name", "org_type", "status", "path", "depth")


@dataclass(frozen=True, slots=True)
class OrgInfo:
    """What rules need to know about an organisation."""

    pk: int
    code: str
    name: str
    org_type: str
    status: str
    path: str
    depth: int

    @classmethod
    def of(cls, org: Any) -> OrgInfo:
        """The snapshot of an ``Organization`` instance."""
        return cls(org.pk, org.code, org.name, org.org_type, org.status, org.path, org.depth)

