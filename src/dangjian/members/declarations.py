"""What the members app brings: its permissions and default grants, the 党员 menu (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, NavGroup, Permission, PublishedEvent
from dangjian.members.choices import MembersPerm
from dangjian.members.events import MembersChanged

__all__ = ["DEFAULT_GRANTS", "EVENTS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(MembersPerm.VIEW, _("查看党员")),
    Permission(MembersPerm.CHANGE, _("维护党员")),
    Permission(MembersPerm.REVEAL, _("查看完整身份证号和手机号")),
]

DEFAULT_GRANTS = {
    "org_dept": [MembersPerm.VIEW, MembersPerm.CHANGE, MembersPerm.REVEAL],
    "committee_secretary": [MembersPerm.VIEW, MembersPerm.REVEAL],
    "branch_secretary": [MembersPerm.VIEW, MembersPerm.CHANGE],
    "party_worker": [MembersPerm.VIEW, MembersPerm.CHANGE],
    "member": [MembersPerm.VIEW],
}

# The 党员 dropdown needs members.view: the apps that add to it (development, transfers, exchange) too.
# The register is a manager's list: a plain member's members.view is a "self" grant and their own record is
# on their home page, so the entry needs members.view beyond oneself (issue 9, point 4).
NAV = [
    NavGroup("members", _("党员"), order=20, permission=MembersPerm.VIEW),
    NavEntry("members.list", _("党员名册"), "members:list", MembersPerm.VIEW, group="members", order=10,
             icon="bi-people", home_order=20, home_label=_("党员"), beyond_self=True),
]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(MembersChanged, "cn.dangjian.members.changed", _("党员信息变更（新增、修改、转移或减少）")),
]
