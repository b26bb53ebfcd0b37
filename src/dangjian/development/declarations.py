"""What the development app brings: its permissions and default grants, its menu entry, the names of its
stages and steps (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Labels, NavEntry, Permission, PublishedEvent
from dangjian.development.choices import DevelopmentPerm, Stage, StepCode
from dangjian.development.events import DevelopmentChanged, MemberAdmitted, MemberConverted

__all__ = ["DEFAULT_GRANTS", "EVENTS", "LABELS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(DevelopmentPerm.VIEW, _("查看发展党员")),
    Permission(DevelopmentPerm.CHANGE, _("办理发展党员（记录各步骤）")),
    Permission(DevelopmentPerm.CONFIGURE, _("维护发展党员规则参数")),
]

# development.configure: the system administrator's only (sysadmin holds every permission).
DEFAULT_GRANTS = {
    "org_dept": [DevelopmentPerm.VIEW, DevelopmentPerm.CHANGE],
    "committee_secretary": [DevelopmentPerm.VIEW],
    "branch_secretary": [DevelopmentPerm.VIEW, DevelopmentPerm.CHANGE],
    "party_worker": [DevelopmentPerm.VIEW, DevelopmentPerm.CHANGE],
}

NAV = [
    NavEntry("development.board", _("发展党员"), "development:board", DevelopmentPerm.VIEW,
             group="members", order=20),
]

LABELS = [Labels("stage", dict(Stage.choices)), Labels("step", dict(StepCode.choices))]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(DevelopmentChanged, "cn.dangjian.development.changed", _("发展党员进度变更")),
    PublishedEvent(MemberAdmitted, "cn.dangjian.development.member_admitted", _("接收为预备党员")),
    PublishedEvent(MemberConverted, "cn.dangjian.development.member_converted", _("预备党员转为正式党员")),
]
