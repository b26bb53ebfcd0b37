"""What the exchange app brings: its permissions and default grants, its menu entry (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission
from dangjian.exchange.choices import ExchangePerm

__all__ = ["DEFAULT_GRANTS", "NAV", "PERMISSIONS"]

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
