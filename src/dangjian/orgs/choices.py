"""Choices and regulation defaults of the organisation domain."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ALLOWED_PARENTS", "DEFAULT_TERM_YEARS", "OrgStatus", "OrgType", "OrgsPerm", "Position", "UnitType"]


class OrgsPerm:
    VIEW = "orgs.view"
    CHANGE = "orgs.change"


class OrgType(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DISSOLVED = "dissolved", _("已撤销")


class UnitType(models.TextChoices):
    GROUP = "group", _("集团")
    COMPANY = "company", _("公司")
    DEPARTMENT = "department", _("部门")
    PROJECT = "project", _("项目")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    YOUTH = "youth", _("青年委员")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


# Which parent types each org type may sit under (None = may be a root). DOMAIN §2.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgType.COMMITTEE: {None, OrgType.COMMITTEE},
    OrgType.GENERAL_BRANCH: {None, OrgType.COMMITTEE},
    OrgType.BRANCH: {None, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH},
    OrgType.GROUP: {OrgType.BRANCH},
}

# DOMAIN §3 "Terms actually applied (2018–2022 rule set)": committee 5, general branch 3, branch 3.
# Seeded into TermPolicy (editable data); these are only the defaults of that seed.
DEFAULT_TERM_YEARS = {
    OrgType.COMMITTEE: (5, "DOMAIN §3 Term Opinion 2018 §1; SOE Regs 2019 ch. 2"),
    OrgType.GENERAL_BRANCH: (3, "DOMAIN §3 Term Opinion 2018 §1; Branch Regs 2018 art. 21"),
    OrgType.BRANCH: (3, "DOMAIN §3 Term Opinion 2018 §1; Branch Regs 2018 art. 21"),
}
