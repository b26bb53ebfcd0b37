"""Domain events of the member register, published through ``core.events`` (after commit, STYLE §8)."""
from dataclasses import dataclass

from dangjian.core.events import OrgDataChanged

__all__ = ["MembersChanged"]


@dataclass(frozen=True, kw_only=True)
class MembersChanged(OrgDataChanged):
    """Members created, updated, moved between branches or left; ``member_ids`` may be empty for a
    bulk change (an import), ``org_ids`` are the branches concerned."""

    member_ids: tuple[int, ...] = ()
