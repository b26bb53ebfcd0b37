"""Which meeting kind a form starts with: a calculation over the kinds an org holds (no query)."""
from __future__ import annotations

from dangjian.meetings.choices import KindCode, RollSource
from dangjian.meetings.models import MeetingKind

__all__ = ["default_kind"]

def default_kind(kinds: list[MeetingKind], requested: str | None = None) -> MeetingKind | None:
    """The kind the meeting form starts with: the one asked for, else the monthly 主题党日 where the org holds
    it (a branch), else the first kind whose roll is the committee (a committee's 党委会: a small roll, never
    the whole subtree), else the first kind the org holds."""
    by_code = {k.code: k for k in kinds}
    return (by_code.get(requested or "") or by_code.get(KindCode.THEME_DAY)
            or next((k for k in kinds if k.roll == RollSource.COMMITTEE), None) or (kinds[0] if kinds else None))
