"""What data exchange adds to other apps' pages through ``ui.panels`` (issue 8): the "导出" button of the
member list, for those who may export (the export itself applies the list's filters and their scope)."""
from __future__ import annotations

from typing import Any

from dangjian.core.scoping import resolver
from dangjian.exchange.choices import ExchangePerm
from dangjian.ui.panels import Panel, register_panel

__all__ = ["register"]


def _export_members(request: Any, _obj: Any) -> dict | None:
    return {} if resolver().has_perm_anywhere(request.user, ExchangePerm.EXPORT) else None


def register() -> None:
    register_panel(Panel("members.list.actions", "exchange.export", "exchange/panels/export_members.html",
                         _export_members))
