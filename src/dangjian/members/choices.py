"""Choices of the member register."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ETHNICITIES", "INACTIVE_STATUSES", "Category", "Education", "Gender", "MemberStatus", "MembersPerm"]


class MembersPerm:
    VIEW = "members.view"
    CHANGE = "members.change"
    REVEAL = "members.reveal"  # see unmasked ID number and phone (audited)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Category(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    MOBILE = "mobile", _("流动")
    LOST = "lost", _("失联")
    SUSPENDED = "suspended", _("停止党籍")
    EXPELLED = "expelled", _("出党")
    DECEASED = "deceased", _("去世")
    # The organisational relationship was transferred to an organisation outside the group and the
    # receipt came back (transfers): the row stays for history, the member is no longer in the register.
    LEFT = "left", _("已转出")


INACTIVE_STATUSES = (MemberStatus.EXPELLED, MemberStatus.DECEASED, MemberStatus.LEFT)


class Education(models.TextChoices):
    DOCTOR = "doctor", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    TECHNICAL = "technical", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    MIDDLE_SCHOOL = "middle_school", _("初中及以下")


ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
