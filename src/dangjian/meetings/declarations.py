"""What the meetings app brings: its permissions and default grants, the 组织生活 menu, the names of
the seeded meeting kinds (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Labels, NavEntry, NavGroup, Permission, PublishedEvent
from dangjian.meetings.choices import KindCode, MeetingsPerm
from dangjian.meetings.events import ElectionRecorded, MeetingHeld

__all__ = ["DEFAULT_GRANTS", "EVENTS", "LABELS", "NAV", "PERMISSIONS"]

PERMISSIONS = [
    Permission(MeetingsPerm.VIEW, _("查看组织生活")),
    Permission(MeetingsPerm.CHANGE, _("安排和登记组织生活（会议、出勤、记录）")),
    Permission(MeetingsPerm.CONFIGURE, _("维护组织生活频次要求")),
]

# Who plans and records meetings, who reads them. The meetings data migration gives existing
# installations' roles the same permissions. meetings.configure (the platform-wide cadence rules) is
# the system administrator's only (sysadmin holds every permission), as the other apps' rules are.
DEFAULT_GRANTS = {
    "org_dept": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "committee_secretary": [MeetingsPerm.VIEW],
    "branch_secretary": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "party_worker": [MeetingsPerm.VIEW, MeetingsPerm.CHANGE],
    "member": [MeetingsPerm.VIEW],
}

# Everyone signed in has the 组织生活 menu: "my meetings" needs no permission. The list and the calendar
# of an org's meetings are a manager's screens: a plain member's meetings.view is a "self" grant, and
# their own meetings are all in 我的会议 (issue 9, point 4).
NAV = [
    NavGroup("meetings", _("组织生活"), order=30),
    NavEntry("meetings.mine", _("我的会议"), "meetings:mine", None, group="meetings", order=10),
    NavEntry("meetings.list", _("会议"), "meetings:list", MeetingsPerm.VIEW, group="meetings", order=20,
             beyond_self=True),
    NavEntry("meetings.calendar", _("日历"), "meetings:calendar", MeetingsPerm.VIEW, group="meetings", order=30,
             beyond_self=True),
    NavEntry("meetings.create", _("登记会议"), "meetings:create", MeetingsPerm.CHANGE, group="meetings", order=40),
]

# The seeded kinds (choices.DEFAULT_KINDS, translated); a kind an administrator adds shows its stored name.
LABELS = [Labels("meeting_kind", {
    KindCode.GENERAL_MEETING: _("支部党员大会"),
    KindCode.COMMITTEE_MEETING: _("支委会"),
    KindCode.GROUP_MEETING: _("党小组会"),
    KindCode.PARTY_LECTURE: _("党课"),
    KindCode.THEME_DAY: _("主题党日"),
    KindCode.LIFE_MEETING: _("组织生活会"),
    KindCode.APPRAISAL: _("民主评议党员"),
    KindCode.HEART_TALK: _("谈心谈话"),
    KindCode.PARTY_COMMITTEE: _("党委会"),
})]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(MeetingHeld, "cn.dangjian.meetings.meeting_held", _("组织生活已召开")),
    PublishedEvent(ElectionRecorded, "cn.dangjian.meetings.election_recorded", _("登记换届选举结果")),
]
