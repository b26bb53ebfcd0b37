"""What the transfers app brings: its permissions and default grants, its menu entry (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission, PublishedEvent
from dangjian.transfers.choices import TransfersPerm
from dangjian.transfers.events import MemberStatusChanged, TransferChanged, TransferReceived

__all__ = ["DEFAULT_GRANTS", "EVENTS", "NAV", "PERMISSIONS"]

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

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(TransferChanged, "cn.dangjian.transfers.transfer_changed", _("组织关系转接状态变更")),
    PublishedEvent(TransferReceived, "cn.dangjian.transfers.transfer_received", _("组织关系转入")),
    PublishedEvent(MemberStatusChanged, "cn.dangjian.transfers.member_status_changed", _("党籍状态变更")),
]
