"""Choices of member development (发展党员): stages, the 25 steps of DOMAIN §5, outcomes, roles."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BOARD_STAGES",
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "STAGE_ORDER",
    "ConversionOutcome",
    "DevelopmentPerm",
    "NoticeUnit",
    "PersonRole",
    "Severity",
    "Stage",
    "StepCode",
]


class DevelopmentPerm:
    VIEW = "development.view"
    CHANGE = "development.change"
    CONFIGURE = "development.configure"  # edit the rule parameters (global data)
    REVEAL = "members.reveal"  # unmasked ID numbers and phones, as in the member register


class Stage(models.TextChoices):
    """The five stages of DOMAIN §5, plus the two ways a pipeline ends early."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    CANCELLED = "cancelled", _("已取消")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL)
CLOSED_STAGES = (Stage.CANCELLED, Stage.WITHDRAWN)
BOARD_STAGES = OPEN_STAGES
STAGE_ORDER = {stage: index for index, stage in enumerate(OPEN_STAGES)}


class StepCode(models.TextChoices):
    """The 25 steps commonly listed after Dev Rules 2014 (DOMAIN §5), in order."""

    APPLICATION = "application", _("递交入党申请书")
    TALK = "talk", _("党组织派人谈话")
    ACTIVIST_CONFIRM = "activist_confirm", _("推荐和确定入党积极分子")
    ACTIVIST_RECORD = "activist_record", _("报上级党委备案（积极分子）")
    CONTACTS = "contacts", _("指定培养联系人")
    ACTIVIST_EDUCATION = "activist_education", _("培养教育考察")
    CANDIDATE_CONFIRM = "candidate_confirm", _("确定发展对象")
    CANDIDATE_RECORD = "candidate_record", _("报上级党委备案（发展对象）")
    INTRODUCERS = "introducers", _("确定入党介绍人")
    POLITICAL_REVIEW = "political_review", _("进行政治审查")
    TRAINING = "training", _("开展集中培训")
    BRANCH_REVIEW = "branch_review", _("支部委员会审查")
    PREREVIEW = "prereview", _("上级党委预审")
    APPLICATION_FORM = "application_form", _("填写入党志愿书")
    ADMISSION_MEETING = "admission_meeting", _("支部党员大会讨论接收")
    COMMITTEE_TALK = "committee_talk", _("上级党委派人谈话")
    ADMISSION_APPROVAL = "admission_approval", _("上级党委审批")
    ADMISSION_RECORD = "admission_record", _("再上一级党委组织部门备案")
    PLACEMENT = "placement", _("编入党支部和党小组")
    OATH = "oath", _("入党宣誓")
    PROBATION_EDUCATION = "probation_education", _("继续教育考察")
    CONVERSION_APPLICATION = "conversion_application", _("提出转正申请")
    CONVERSION_MEETING = "conversion_meeting", _("支部党员大会讨论转正")
    CONVERSION_APPROVAL = "conversion_approval", _("上级党委审批转正")
    ARCHIVE = "archive", _("材料归档")


class ConversionOutcome(models.TextChoices):
    """The three outcomes of a conversion resolution (DOMAIN §5 "Conversion")."""

    ON_TIME = "on_time", _("按期转正")
    EXTEND = "extend", _("延长预备期")
    CANCEL = "cancel", _("取消预备党员资格")


class PersonRole(models.TextChoices):
    INTRODUCER = "introducer", _("入党介绍人")
    CONTACT = "contact", _("培养联系人")


class Severity(models.TextChoices):
    BLOCK = "block", _("禁止")
    WARN = "warn", _("提醒")


class NoticeUnit(models.TextChoices):
    WORKING = "working", _("工作日")
    CALENDAR = "calendar", _("自然日")
