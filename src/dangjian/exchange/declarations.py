"""What the exchange app brings: its permissions and default grants, its menu entry (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission, ScheduleEntry
from dangjian.exchange.choices import ExchangePerm

__all__ = ["DEFAULT_GRANTS", "NAV", "PERMISSIONS", "SCHEDULE"]

PERMISSIONS = [
    Permission(ExchangePerm.IMPORT, _("导入数据（Excel/CSV）")),
    Permission(ExchangePerm.EXPORT, _("导出数据（Excel/CSV）")),
]

DEFAULT_GRANTS = {
    "org_dept": [ExchangePerm.IMPORT, ExchangePerm.EXPORT],
    "committee_secretary": [ExchangePerm.EXPORT],
    "branch_secretary": [ExchangePerm.IMPORT, ExchangePerm.EXPORT],
    "party_worker": [ExchangePerm.IMPORT, ExchangePerm.EXPORT],
}

NAV = [
    NavEntry("exchange.index", _("导入导出"), "exchange:index", (ExchangePerm.IMPORT, ExchangePerm.EXPORT),
             group="members", order=40),
]

SCHEDULE = [
    ScheduleEntry("exchange.purge_import_files", "dangjian.exchange.tasks.purge_import_files", "30 3 * * *",
                  "每天 03:30 清除 30 天前导入任务的上传文件（含身份证号和手机号；导入报告保留）",
                  title=_("清除过期的导入文件")),
]
