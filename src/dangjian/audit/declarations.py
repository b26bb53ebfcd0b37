"""What the audit app brings: the permission to read the log, and its menu entry (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission

__all__ = ["DEFAULT_GRANTS", "NAV", "PERMISSIONS"]

VIEW = "audit.view"

PERMISSIONS = [Permission(VIEW, _("查看操作日志"))]

DEFAULT_GRANTS = {"auditor": [VIEW]}

NAV = [
    NavEntry("audit.log", _("操作日志"), "audit:log", VIEW, order=50, icon="bi-journal-text", home_order=40),
]
