"""What the health app brings: its permissions and default grants, its pages in the 组织 menu, the
nightly scan and the term reminders (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Labels, NavEntry, Permission, PublishedEvent, ScheduleEntry
from dangjian.health.choices import FindingState, HealthPerm
from dangjian.health.events import FindingsChanged

__all__ = ["DEFAULT_GRANTS", "EVENTS", "LABELS", "NAV", "PERMISSIONS", "SCHEDULE"]

PERMISSIONS = [
    Permission(HealthPerm.VIEW, _("查看组织健康监测（监测表、问题清单、规则）")),
    Permission(HealthPerm.ACKNOWLEDGE, _("确认本组织的监测问题")),
    Permission(HealthPerm.CONFIGURE, _("维护健康监测规则参数")),
]

# The monitoring table and findings for those who oversee orgs; acknowledging a finding for those
# responsible for it; the rule settings are the system administrator's (sysadmin holds every
# permission). The health data migration gives existing installations' roles the same permissions.
DEFAULT_GRANTS = {
    "org_dept": [HealthPerm.VIEW, HealthPerm.ACKNOWLEDGE],
    "committee_secretary": [HealthPerm.VIEW, HealthPerm.ACKNOWLEDGE],
    "branch_secretary": [HealthPerm.VIEW, HealthPerm.ACKNOWLEDGE],
    "party_worker": [HealthPerm.VIEW],
}

NAV = [
    NavEntry("health.monitor", _("健康监测"), "health:monitor", HealthPerm.VIEW, group="orgs", order=30),
    NavEntry("health.findings", _("问题清单"), "health:findings", HealthPerm.VIEW, group="orgs", order=40),
]

SCHEDULE = [
    ScheduleEntry("health.scan_all", "dangjian.health.tasks.scan_all", "30 2 * * *",
                  "每晚 02:30 全量组织体检（health 规则），新发现的问题通知责任人", title=_("组织健康体检")),
    ScheduleEntry("health.term_reminders", "dangjian.health.tasks.term_reminders", "0 8 * * *",
                  "每天 08:00 换届提醒（届满前 6/3/1 个月）", title=_("换届提醒")),
]


def _rule_titles() -> dict[str, object]:
    from dangjian.health.rules import all_rules, load

    load()
    return {rule.code: rule.title for rule in all_rules()}


# A finding's rule code is also the source of the alert it raises (integration.services.alerts).
LABELS = [
    Labels("finding", _rule_titles),
    Labels("source", _rule_titles),
    Labels("finding_state", dict(FindingState.choices)),
]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(FindingsChanged, "cn.dangjian.health.findings_changed", _("组织体检结果更新")),
]
