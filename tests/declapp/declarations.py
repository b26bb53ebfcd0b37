"""Everything the test app brings, in one place (see core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, NavGroup, Permission, ScheduleEntry

__all__ = ["DEFAULT_GRANTS", "NAV", "PERMISSIONS", "SCHEDULE", "VIEW"]

VIEW = "declapp.view"

PERMISSIONS = [Permission(VIEW, _("查看示例应用"))]

DEFAULT_GRANTS = {"party_worker": [VIEW]}

NAV = [
    NavGroup("declapp", _("示例"), order=35),  # between 组织生活 (30) and 党费 (40)
    NavEntry("declapp.page", _("示例页面"), "declapp:page", VIEW, group="declapp", order=10),
]

SCHEDULE = [
    ScheduleEntry("declapp.tick", "tests.declapp.tasks.tick", "0 4 * * *", "示例：每天 04:00 运行"),
]
