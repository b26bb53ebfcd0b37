"""What the orgs app brings: its permissions and default grants, the 组织 menu, the names of the
organisation types (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Labels, NavEntry, NavGroup, Permission, PublishedEvent
from dangjian.orgs.choices import OrgsPerm, OrgType
from dangjian.orgs.events import OrgsChanged

__all__ = ["DEFAULT_GRANTS", "EVENTS", "LABELS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(OrgsPerm.VIEW, _("查看组织")),
    Permission(OrgsPerm.CHANGE, _("维护组织")),
]

DEFAULT_GRANTS = {
    "org_dept": [OrgsPerm.VIEW, OrgsPerm.CHANGE],
    "committee_secretary": [OrgsPerm.VIEW],
    "branch_secretary": [OrgsPerm.VIEW, OrgsPerm.CHANGE],
    "party_worker": [OrgsPerm.VIEW],
    "auditor": [OrgsPerm.VIEW],
    "member": [OrgsPerm.VIEW],
}

# The 组织 dropdown needs orgs.view: other apps' entries in it (health) are hidden without it too.
NAV = [
    NavGroup("orgs", _("组织"), order=10, permission=OrgsPerm.VIEW),
    NavEntry("orgs.tree", _("组织树"), "orgs:tree", OrgsPerm.VIEW, group="orgs", order=10,
             icon="bi-diagram-3", home_order=10, home_label=_("组织")),
    NavEntry("orgs.chart", _("组织图"), "orgs:chart", OrgsPerm.VIEW, group="orgs", order=20,
             icon="bi-bar-chart-steps", home_order=30),
]

LABELS = [Labels("org_type", dict(OrgType.choices))]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(OrgsChanged, "cn.dangjian.orgs.changed", _("组织变更（新建、修改、调整隶属关系或撤销）")),
]
