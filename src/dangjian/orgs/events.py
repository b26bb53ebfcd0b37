"""Domain events the organisations app publishes through ``core.events`` (after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import OrgDataChanged

__all__ = ["OrgsChanged"]


@dataclass(frozen=True, kw_only=True)
class OrgsChanged(OrgDataChanged):
    """Organisations created, updated, moved (old and new parent in ``org_ids``) or dissolved."""
