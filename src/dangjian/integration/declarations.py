"""What the integration app brings: the permission to configure notification channels and its default
grants, the retry of overdue deliveries (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Labels, Permission, ScheduleEntry
from dangjian.integration.choices import IntegrationPerm, Severity

__all__ = ["DEFAULT_GRANTS", "LABELS", "PERMISSIONS", "SCHEDULE"]

PERMISSIONS = [
    Permission(IntegrationPerm.CONFIGURE, _("配置本组织的通知渠道（邮件、企业微信、钉钉）")),
    Permission(IntegrationPerm.SCHEDULE, _("查看定时任务（后台任务的运行时间与结果）")),
]

# Who configures the notification channels of the orgs in their scope. The integration data migrations
# give existing installations' roles the same permissions. The schedule is platform-wide and changed with
# ``dangjian schedule`` on the server: integration.schedule is the system administrator's only
# (sysadmin holds every permission).
DEFAULT_GRANTS = {
    "org_dept": [IntegrationPerm.CONFIGURE],
    "branch_secretary": [IntegrationPerm.CONFIGURE],
}

SCHEDULE = [
    ScheduleEntry("integration.retry_deliveries", "dangjian.integration.tasks.retry_deliveries", "every 60s",
                  "每分钟重新排队逾期未发送的通知（工作进程中断后的补发）", title=_("补发未送达的通知")),
]

# Severities of notifications (and of health findings: the same three codes); the sources this app
# itself sends (other apps declare theirs, e.g. health its rule codes).
LABELS = [
    Labels("severity", dict(Severity.choices)),
    Labels("source", {"integration.test": _("通知渠道测试")}),
]
