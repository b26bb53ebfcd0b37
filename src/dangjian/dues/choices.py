"""Choices of the dues (党费) domain. Regulation numbers live in rule-set data, not here (DOMAIN §1)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import MemberStatus

__all__ = [
    "BILLABLE_STATUSES",
    "FLOATING_BASE_CATEGORIES",
    "OPEN_BILL_STATUSES",
    "AlertLevel",
    "BaseMode",
    "BillStatus",
    "DuesCategory",
    "DuesPerm",
    "PaymentChannel",
    "ReliefKind",
    "RoundingMode",
]


class DuesPerm:
    VIEW = "dues.view"
    CHANGE = "dues.change"
    CONFIGURE = "dues.configure"  # add versions of the dues rules (platform-wide data)


class DuesCategory(models.TextChoices):
    """How a member's dues are set (DOMAIN §1): by a percentage of a base, or a fixed amount."""

    IN_SERVICE = "in_service", _("在职")
    RETIRED = "retired", _("离退休")
    ANNUAL_SALARY = "annual_salary", _("年薪制")
    SELF_EMPLOYED = "self_employed", _("个体及收入不固定")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    LOW_INCOME = "low_income", _("低保及困难")


# Categories whose base follows the latest declared income even under the 2017 annual fixing:
# annual-salary members pay on the pay actually received that month (DOMAIN §1, Dues Rules 2008
# art. 3) and the self-employed on the previous quarter's average (DOMAIN §1, Dues Rules 2008 art. 4).
FLOATING_BASE_CATEGORIES = (DuesCategory.ANNUAL_SALARY, DuesCategory.SELF_EMPLOYED)


class BaseMode(models.TextChoices):
    """When a pay change moves the base (DOMAIN §1 "Salary change")."""

    ANNUAL = "annual", _("按年核定（2017 年通知）")
    MONTHLY = "monthly", _("随工资变动（2008 年规定）")


class RoundingMode(models.TextChoices):
    HALF_UP = "half_up", _("四舍五入")
    HALF_EVEN = "half_even", _("银行家舍入")
    DOWN = "down", _("舍去")
    UP = "up", _("进位")


class BillStatus(models.TextChoices):
    UNPAID = "unpaid", _("未缴")
    PARTIAL = "partial", _("部分缴纳")
    PAID = "paid", _("已缴")
    WAIVED = "waived", _("免交")


OPEN_BILL_STATUSES = (BillStatus.UNPAID, BillStatus.PARTIAL)

# Members billed each month: everyone still holding party membership. Suspended (停止党籍),
# expelled and deceased members are not billed; lost-contact members are, so their arrears show.
BILLABLE_STATUSES = (MemberStatus.NORMAL, MemberStatus.MOBILE, MemberStatus.LOST)


class PaymentChannel(models.TextChoices):
    CASH = "cash", _("现金")
    BANK = "bank", _("银行转账")
    PAYROLL = "payroll", _("工资代扣")
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    UNIONPAY = "unionpay", _("银联")
    ONLINE = "online", _("网上党费平台")
    OTHER = "other", _("其他")


class ReliefKind(models.TextChoices):
    """Hardship relief approved by the next-higher committee (DOMAIN §1, Dues Rules 2008 art. 7)."""

    REDUCE = "reduce", _("少交")
    WAIVE = "waive", _("免交")


class AlertLevel(models.TextChoices):
    NONE = "none", _("正常")
    WARN = "warn", _("提醒")
    SEVERE = "severe", _("严重")
    LIMIT = "limit", _("达到党章第九条期限")
