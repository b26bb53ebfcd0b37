"""What the meetings app brings: its permissions and default grants, the 组织生活 menu (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, NavGroup, Permission, PublishedEvent
from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.events import ElectionRecorded, MeetingHeld

__all__ = ["DEFAULT_GRANTS", "EVENTS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(MeetingsPerm.VIEW, _("查看组织生活")),
    Permission(MeetingsPerm.CHANGE, _("安排和登记组织生活（会议、出勤、记录）")),
]

# Who plans and records meetings, who reads them. The meetings data migration gives existing
# installations' roles the same permissions.
DEFAULT_GRANTS = {
    "org_dept": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "committee_secretary": [MeetingsPerm.VIEW],
    "branch_secretary": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "party_worker": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "member": [MeetingsPerm.VIEW],
}

# Everyone signed in has the 组织生活 menu: "my meetings" needs no permission.
NAV = [
    NavGroup("meetings", _("组织生活"), order=30),
    NavEntry("meetings.mine", _("我的会议"), "meetings:mine", None, group="meetings", order=10),
    NavEntry("meetings.list", _("会议"), "meetings:list", MeetingsPerm.VIEW, group="meetings", order=20),
    NavEntry("meetings.calendar", _("日历"), "meetings:calendar", MeetingsPerm.VIEW, group="meetings", order=30),
    NavEntry("meetings.create", _("登记会议"), "meetings:create", MeetingsPerm.CHANGE, group="meetings", order=40),
]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(MeetingHeld, "cn.dangjian.meetings.meeting_held", _("组织生活已召开")),
    PublishedEvent(ElectionRecorded, "cn.dangjian.meetings.election_recorded", _("登记换届选举结果")),
]
