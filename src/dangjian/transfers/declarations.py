"""What the transfers app brings: its permissions and default grants, its menu entry (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission
from dangjian.transfers.choices import TransfersPerm

__all__ = ["DEFAULT_GRANTS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(TransfersPerm.VIEW, _("查看组织关系转接与党籍状态")),
    Permission(TransfersPerm.CHANGE, _("办理组织关系转接、党籍状态变更")),
    Permission(TransfersPerm.CONFIGURE, _("维护组织关系转接规则参数")),
]

# transfers.configure: the system administrator's only (sysadmin holds every permission).
DEFAULT_GRANTS = {
    "org_dept": [TransfersPerm.VIEW, TransfersPerm.CHANGE],
    "committee_secretary": [TransfersPerm.VIEW],
    "branch_secretary": [TransfersPerm.VIEW, TransfersPerm.CHANGE],
    "party_worker": [TransfersPerm.VIEW, TransfersPerm.CHANGE],
}

NAV = [
    NavEntry("transfers.list", _("组织关系转接"), "transfers:list", TransfersPerm.VIEW, group="members", order=30),
]
