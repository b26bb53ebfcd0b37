"""Choices, permission codes and the seeded regulation defaults of organisational life (组织生活).

The meeting kinds and the cadence minimums are *data* (``MeetingKind``, ``CadenceRule``), seeded from
:data:`DEFAULT_KINDS` and :data:`DEFAULT_CADENCE` by a data migration and editable afterwards; each
cadence default cites DOMAIN §4.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DEFAULT_CADENCE",
    "DEFAULT_KINDS",
    "AttendanceStatus",
    "CadenceDefault",
    "CadenceUnit",
    "ComplianceStatus",
    "ElectionsPerm",
    "KindCode",
    "KindDefault",
    "MeetingStatus",
    "MeetingsPerm",
    "RollSource",
]


class MeetingsPerm:
    VIEW = "meetings.view"
    CHANGE = "meetings.change"
    CONFIGURE = "meetings.configure"  # the cadence rules (platform-wide)


class ElectionsPerm:
    """Elections create committee terms and seats (orgs domain), so they use the orgs permissions."""

    VIEW = "orgs.view"
    CHANGE = "orgs.change"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class RollSource(models.TextChoices):
    """Whose attendance a meeting of a kind takes."""

    ORG = "org", _("本组织党员")
    GROUP = "group", _("党小组党员")
    COMMITTEE = "committee", _("委员会委员")


class CadenceUnit(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class ComplianceStatus(models.TextChoices):
    """One cadence window of one org: met, held but not recorded yet, still open, or not held."""

    MET = "met", _("已达标")
    UNRECORDED = "unrecorded", _("已召开未登记")
    OPEN = "open", _("进行中")
    NOT_HELD = "not_held", _("未召开")


class KindCode:
    GENERAL_MEETING = "general_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    PARTY_LECTURE = "party_lecture"
    THEME_DAY = "theme_day"
    LIFE_MEETING = "life_meeting"
    APPRAISAL = "appraisal"
    HEART_TALK = "heart_talk"
    PARTY_COMMITTEE = "party_committee"


@dataclass(frozen=True)
class KindDefault:
    code: str
    name: str
    roll: str
    org_types: tuple[str, ...]
    sort: int


@dataclass(frozen=True)
class CadenceDefault:
    org_type: str
    kind: str
    unit: str
    min_count: int
    citation: str
    confidence: str
    enabled: bool = True
    basis: str = ""  # the citation in Chinese: the regulation's title and article


_BRANCH = ("branch",)
_BRANCHES = ("branch", "general_branch")
DEFAULT_KINDS: tuple[KindDefault, ...] = (
    KindDefault(KindCode.GENERAL_MEETING, "支部党员大会", RollSource.ORG, _BRANCHES, 10),
    KindDefault(KindCode.COMMITTEE_MEETING, "支委会", RollSource.COMMITTEE, _BRANCHES, 20),
    KindDefault(KindCode.GROUP_MEETING, "党小组会", RollSource.GROUP, _BRANCH, 30),
    KindDefault(KindCode.PARTY_LECTURE, "党课", RollSource.ORG, ("committee", "general_branch", "branch"), 40),
    KindDefault(KindCode.THEME_DAY, "主题党日", RollSource.ORG, _BRANCHES, 50),
    KindDefault(KindCode.LIFE_MEETING, "组织生活会", RollSource.ORG, _BRANCHES, 60),
    KindDefault(KindCode.APPRAISAL, "民主评议党员", RollSource.ORG, _BRANCHES, 70),
    KindDefault(KindCode.HEART_TALK, "谈心谈话", RollSource.ORG, _BRANCHES, 80),
    KindDefault(KindCode.PARTY_COMMITTEE, "党委会", RollSource.COMMITTEE, ("committee",), 90),
)

# DOMAIN §4 "Organizational life frequencies": the minimum number held per window, per org type.
DEFAULT_CADENCE: tuple[CadenceDefault, ...] = (
    CadenceDefault("branch", KindCode.GENERAL_MEETING, CadenceUnit.QUARTER, 1,
                   "DOMAIN §4 Branch general meeting; Branch Regs 2018 art. 11", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十一条"),
    CadenceDefault("branch", KindCode.COMMITTEE_MEETING, CadenceUnit.MONTH, 1,
                   "DOMAIN §4 Branch committee meeting; Branch Regs 2018 art. 12", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十二条"),
    CadenceDefault("group", KindCode.GROUP_MEETING, CadenceUnit.MONTH, 1,
                   "DOMAIN §4 Party group meeting; Branch Regs 2018 art. 13", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十三条"),
    # disputed (DOMAIN "Disputed" 4): quarterly is common practice, not verbatim in art. 16
    CadenceDefault("branch", KindCode.PARTY_LECTURE, CadenceUnit.QUARTER, 1,
                   "DOMAIN §4 Party lecture (disputed, see DOMAIN Disputed 4); Branch Regs 2018 art. 16",
                   "medium",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十六条；“每季度一次”为地方常见做法（有争议）"),
    CadenceDefault("branch", KindCode.THEME_DAY, CadenceUnit.MONTH, 1,
                   "DOMAIN §4 Theme Party day; Branch Regs 2018 art. 16", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十六条"),
    CadenceDefault("branch", KindCode.LIFE_MEETING, CadenceUnit.YEAR, 1,
                   "DOMAIN §4 Organizational life meeting; Branch Regs 2018 art. 17", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十七条"),
    CadenceDefault("branch", KindCode.APPRAISAL, CadenceUnit.YEAR, 1,
                   "DOMAIN §4 Democratic appraisal of members; Branch Regs 2018 art. 19", "high",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十九条"),
    CadenceDefault("branch", KindCode.HEART_TALK, CadenceUnit.YEAR, 1,
                   "DOMAIN §4 Heart-to-heart talks; Branch Regs 2018 art. 18", "medium",
                   basis="《中国共产党支部工作条例（试行）》(2018) 第十八条", enabled=False),
    CadenceDefault("committee", KindCode.PARTY_COMMITTEE, CadenceUnit.MONTH, 1,
                   "DOMAIN §4 Party committee meetings (SOE 议事规则, no national frequency)", "low",
                   basis="各企业党委议事规则（全国无统一频次）"),
)
