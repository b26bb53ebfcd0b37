"""What the integration app brings: the permission to configure notification channels and its default
grants, the retry of overdue deliveries (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import Permission, ScheduleEntry
from dangjian.integration.choices import IntegrationPerm

__all__ = ["DEFAULT_GRANTS", "PERMISSIONS", "SCHEDULE"]

PERMISSIONS = [
    Permission(IntegrationPerm.CONFIGURE, _("配置本组织的通知渠道（邮件、企业微信、钉钉）")),
]

# Who configures the notification channels of the orgs in their scope. The integration data migration
# gives existing installations' roles the same permission.
DEFAULT_GRANTS = {
    "org_dept": [IntegrationPerm.CONFIGURE],
    "branch_secretary": [IntegrationPerm.CONFIGURE],
}

SCHEDULE = [
    ScheduleEntry("integration.retry_deliveries", "dangjian.integration.tasks.retry_deliveries", "every 60s",
                  "每分钟重新排队逾期未发送的通知（工作进程中断后的补发）"),
]
