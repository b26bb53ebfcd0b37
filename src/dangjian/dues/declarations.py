"""What the dues app brings: its permissions and default grants, its menu entry, the monthly bills
task (core.declarations)."""
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import NavEntry, Permission, PublishedEvent, ScheduleEntry
from dangjian.dues.choices import DuesPerm
from dangjian.dues.events import BillsGenerated, DuesProfileChanged, PaymentRecorded

__all__ = ["DEFAULT_GRANTS", "EVENTS", "NAV", "PERMISSIONS", "SCHEDULE"]

PERMISSIONS = [
    Permission(DuesPerm.VIEW, _("查看党费")),
    Permission(DuesPerm.CHANGE, _("管理党费（账单、缴费、基数、减免）")),
    Permission(DuesPerm.CONFIGURE, _("维护党费标准（新增版本）")),
]

# dues.configure: the system administrator's only (sysadmin holds every permission); the rules are national
# regulations, the same for the whole platform.

DEFAULT_GRANTS = {
    "org_dept": [DuesPerm.VIEW, DuesPerm.CHANGE],
    "committee_secretary": [DuesPerm.VIEW],
    "branch_secretary": [DuesPerm.VIEW, DuesPerm.CHANGE],
    "party_worker": [DuesPerm.VIEW, DuesPerm.CHANGE],
    "member": [DuesPerm.VIEW],
}


def _without_dues_view(perms) -> bool:
    return DuesPerm.VIEW not in perms


# The dues pages for those who may see them; in their place, the calculator (open to everyone signed in).
NAV = [
    # dues:home sends those who look after others' dues to the bills and a plain member to 我的党费
    NavEntry("dues.bills", _("党费"), "dues:home", DuesPerm.VIEW, order=40),
    NavEntry("dues.calculator", _("党费计算"), "dues:calculator", _without_dues_view, order=40),
]

SCHEDULE = [
    ScheduleEntry("dues.monthly_bills", "dangjian.dues.tasks.generate_monthly_bills", "0 1 1 * *",
                  "每月 1 日 01:00 生成当月党费账单（可重复执行，已有账单不重复生成）"),
]

# Domain events offered to outbound webhook subscribers (integration), under stable CloudEvents types.
EVENTS = [
    PublishedEvent(BillsGenerated, "cn.dangjian.dues.bills_generated", _("生成月度党费账单")),
    PublishedEvent(PaymentRecorded, "cn.dangjian.dues.payment_recorded", _("登记党费缴纳")),
    PublishedEvent(DuesProfileChanged, "cn.dangjian.dues.profile_changed", _("党费基数或类别变更")),
]
