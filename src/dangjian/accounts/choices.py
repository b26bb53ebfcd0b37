"""Roles, scopes and permission codes of the platform."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.audit.choices import AuditPerm

__all__ = ["ALL_PERMISSIONS", "DEFAULT_ROLES", "AccountsPerm", "AuditPerm", "Scope"]


class AccountsPerm:
    MANAGE = "accounts.manage"


class Scope(models.TextChoices):
    SELF = "self", _("本人")
    ORG = "org", _("本组织")
    SUBTREE = "subtree", _("本组织及下级")
    ALL = "all", _("全部")


ALL_PERMISSIONS = {
    "orgs.view": _("查看组织"),
    "orgs.change": _("维护组织"),
    "members.view": _("查看党员"),
    "members.change": _("维护党员"),
    "members.reveal": _("查看完整身份证号和手机号"),
    "dues.view": _("查看党费"),
    "dues.change": _("管理党费（账单、缴费、基数、减免）"),
    "development.view": _("查看发展党员"),
    "development.change": _("办理发展党员（记录各步骤）"),
    "development.configure": _("维护发展党员规则参数"),
    "transfers.view": _("查看组织关系转接与党籍状态"),
    "transfers.change": _("办理组织关系转接、党籍状态变更"),
    "transfers.configure": _("维护组织关系转接规则参数"),
    "exchange.import": _("导入数据（Excel/CSV）"),
    "exchange.export": _("导出数据（Excel/CSV）"),
    "meetings.view": _("查看组织生活"),
    "meetings.change": _("安排和登记组织生活（会议、出勤、记录）"),
    "integration.configure": _("配置本组织的通知渠道（邮件、企业微信、钉钉）"),
    "health.view": _("查看组织健康监测（监测表、问题清单、规则）"),
    "health.acknowledge": _("确认本组织的监测问题"),
    "health.configure": _("维护健康监测规则参数"),
    "audit.view": _("查看操作日志"),
    "accounts.manage": _("管理账号与授权"),
}

# code: (Chinese name, permissions, MFA required). Seeded by a data migration; editable afterwards.
DEFAULT_ROLES = {
    "sysadmin": ("系统管理员", sorted(ALL_PERMISSIONS), True),
    "org_dept": ("组织部", ["orgs.view", "orgs.change", "members.view", "members.change", "members.reveal",
                          "transfers.view", "transfers.change",
                          "accounts.manage", "dues.view", "dues.change", "development.view",
                          "development.change", "exchange.import", "exchange.export"], True),
    "committee_secretary": ("党委书记", ["orgs.view", "members.view", "members.reveal", "dues.view",
                                      "transfers.view",
                                      "development.view", "exchange.export"], True),
    "branch_secretary": ("支部书记", ["orgs.view", "orgs.change", "members.view", "members.change", "dues.view",
                                        "transfers.view", "transfers.change",
                                        "dues.change", "development.view", "development.change", "exchange.import",
                                        "exchange.export"], False),
    "party_worker": ("党务工作者", ["orgs.view", "members.view", "members.change", "dues.view", "dues.change",
                                 "transfers.view", "transfers.change",
                                 "development.view", "development.change", "exchange.import", "exchange.export"],
                     False),
    "auditor": ("审计员", ["audit.view", "orgs.view"], True),
    "member": ("党员", ["orgs.view", "members.view", "dues.view"], False),
}

# 组织生活 (meetings app): who plans and records meetings, who reads them. The meetings data migration
# gives existing installations' roles the same permissions.
MEETINGS_ROLE_PERMISSIONS = {
    "org_dept": ("meetings.view", "meetings.change"),
    "committee_secretary": ("meetings.view",),
    "branch_secretary": ("meetings.view", "meetings.change"),
    "party_worker": ("meetings.view", "meetings.change"),
    "member": ("meetings.view",),
}
for _role, _perms in MEETINGS_ROLE_PERMISSIONS.items():
    DEFAULT_ROLES[_role][1].extend(p for p in _perms if p not in DEFAULT_ROLES[_role][1])

# 通知渠道 (integration app): who configures the notification channels of the orgs in their scope. The
# integration data migration gives existing installations' roles the same permission.
INTEGRATION_ROLE_PERMISSIONS = {
    "org_dept": ("integration.configure",),
    "branch_secretary": ("integration.configure",),
}
for _role, _perms in INTEGRATION_ROLE_PERMISSIONS.items():
    DEFAULT_ROLES[_role][1].extend(p for p in _perms if p not in DEFAULT_ROLES[_role][1])

# 组织健康监测 (health app): the monitoring table and findings for those who oversee orgs; acknowledging a
# finding for those responsible for it; the rule settings are the system administrator's (sysadmin holds
# every permission). The health data migration gives existing installations' roles the same permissions.
HEALTH_ROLE_PERMISSIONS = {
    "org_dept": ("health.view", "health.acknowledge"),
    "committee_secretary": ("health.view", "health.acknowledge"),
    "branch_secretary": ("health.view", "health.acknowledge"),
    "party_worker": ("health.view",),
}
for _role, _perms in HEALTH_ROLE_PERMISSIONS.items():
    DEFAULT_ROLES[_role][1].extend(p for p in _perms if p not in DEFAULT_ROLES[_role][1])
