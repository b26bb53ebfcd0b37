"""Choices and permission codes of organisation health monitoring (组织健康监测).

The regulation numbers the rules check live in the rule registry (``health.rules``) as parameter
defaults citing DOMAIN.md, and in :class:`~dangjian.health.models.RuleConfig` rows once an
administrator changes them — not here. The display thresholds below only colour the monitoring table.
"""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import MemberStatus

__all__ = [
    "COUNTED_STATUSES",
    "RULE_GROUPS",
    "STATUS_THRESHOLDS",
    "FindingState",
    "HealthPerm",
    "RollupKind",
    "RuleCode",
    "Severity",
    "Status",
    "SubjectType",
]


class HealthPerm:
    VIEW = "health.view"  # findings, rules and the monitoring table of the orgs in scope
    ACKNOWLEDGE = "health.acknowledge"  # mark a finding of an org in scope as seen (audited)
    CONFIGURE = "health.configure"  # change a rule's parameters, severity, recipients (platform-wide)


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    CRITICAL = "critical", _("严重")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class FindingState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已消除")


OPEN_STATES = (FindingState.OPEN, FindingState.ACKNOWLEDGED)


class SubjectType(models.TextChoices):
    """What a finding is about, below the organisation (its natural key carries type + id)."""

    NONE = "", _("组织本身")
    MEMBER = "member", _("党员")
    TERM = "term", _("届次")
    MEETING_KIND = "meeting_kind", _("会议类型")
    PIPELINE = "pipeline", _("发展程序")
    TRANSFER = "transfer", _("组织关系转接")


class RuleCode:
    """The rule codes: stable, part of the API (issue 4)."""

    TOO_FEW_FULL_MEMBERS = "org.too_few_full_members"
    BRANCH_OVERSIZE = "org.branch_oversize"
    COMMITTEE_MISSING = "org.committee_missing"
    COMMITTEE_SIZE = "org.committee_size"
    SHOULD_UPGRADE = "org.should_upgrade"
    TERM_EXPIRING = "org.term_expiring"
    TERM_EXPIRED = "org.term_expired"
    NO_SECRETARY = "org.no_secretary"
    CADENCE_SHORTFALL = "meetings.cadence_shortfall"
    DUES_ARREARS = "dues.arrears"
    STEP_OVERDUE = "development.step_overdue"
    PROBATION_OVERDUE = "development.probation_overdue"
    TRANSFER_OVERDUE = "transfers.overdue"
    LOST_CONTACT = "members.lost_contact"
    NO_BRANCH = "members.no_branch"


# Members who count for the organisation-setup rules (DOMAIN §2): everyone holding membership in the
# register. Suspended (停止党籍), expelled, deceased and transferred-out members do not count.
COUNTED_STATUSES = (MemberStatus.NORMAL, MemberStatus.MOBILE, MemberStatus.LOST)


class RollupKind(models.TextChoices):
    OWN = "own", _("本组织")
    SUBTREE = "subtree", _("本组织及下级")


class Status(models.TextChoices):
    """The colour of one indicator in the monitoring table."""

    GREEN = "green", _("正常")
    AMBER = "amber", _("关注")
    RED = "red", _("异常")
    NONE = "none", _("无数据")


# Which rules feed which column of the monitoring table.
RULE_GROUPS = {
    "structure": (RuleCode.TOO_FEW_FULL_MEMBERS, RuleCode.BRANCH_OVERSIZE, RuleCode.COMMITTEE_MISSING,
                  RuleCode.COMMITTEE_SIZE, RuleCode.SHOULD_UPGRADE, RuleCode.NO_SECRETARY, RuleCode.NO_BRANCH),
    "terms_expiring": (RuleCode.TERM_EXPIRING,),
    "terms_expired": (RuleCode.TERM_EXPIRED,),
    "pipelines_overdue": (RuleCode.STEP_OVERDUE, RuleCode.PROBATION_OVERDUE),
}

# Colour thresholds of the monitoring table (display only; the rules decide what a finding is).
# A share at or above ``green`` is green, at or above ``amber`` amber, else red.
STATUS_THRESHOLDS = {
    "cadence": {"green": 0.95, "amber": 0.80},  # share of orgs meeting a kind's cadence
    "dues": {"green": 0.95, "amber": 0.80},  # collection rate of the last complete month
    "structure": {"green": 1.0, "amber": 0.90},  # share of active orgs without a set-up finding
    "pipelines": {"green": 1.0, "amber": 0.90},  # share of open pipelines without an overdue item
}
