"""Input and output schemas of the member-development API (validation at the boundary, STYLE §11).

The schemas check shape, types and lengths only; the order of the steps and every rule of DOMAIN §5
are the services', and come back as 422 field errors of the same shape — a rule's error also carries
``rule``, ``citation`` and, when waiting helps, ``possible_on``. Organisations, units and party groups
are referenced by code; members (introducers, contacts) by id.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import PageQuery
from dangjian.core.rules_api import RuleIn
from dangjian.development.choices import ConversionOutcome, PersonRole, Severity, Stage, StepCode
from dangjian.members.choices import Education, Gender

__all__ = [
    "ApplicantCreateIn",
    "ApplicantOut",
    "ApplicantUpdateIn",
    "BoardOut",
    "BoardQuery",
    "CloseIn",
    "DevelopmentRuleIn",
    "NextStepOut",
    "PipelineDetailOut",
    "PipelineFilters",
    "PipelineListItemOut",
    "PipelinePageOut",
    "RefOut",
    "StepIn",
    "StepOut",
]

COUNT = {"ge": 0, "le": 100_000}


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class RefOut(Schema):
    id: int
    code: str
    name: str


# --- input ---------------------------------------------------------------------------------------------


class ApplicantCreateIn(_Input):
    """接收入党申请: the person, the branch that receives the application, and step 1."""

    name: str = Field(..., min_length=1, max_length=50)
    id_number: str = Field(..., min_length=1, max_length=24, description="公民身份号码（GB 11643）")
    gender: Gender | None = Field(None, description="默认按身份证号码")
    birth_date: dt.date | None = Field(None, description="默认按身份证号码")
    ethnicity: str = Field("汉族", max_length=20)
    phone: str = Field("", max_length=20)
    education: Education | None = None
    job_title: str = Field("", max_length=100)
    unit: str | None = Field(None, max_length=40, description="工作单位代码")
    org: str = Field(..., min_length=1, max_length=40, description="受理的党支部（组织代码）")
    applied_on: dt.date = Field(..., description="递交入党申请书日期")
    responsible: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)
    document_ref: str = Field("", max_length=200)
    reason: str = Field("", max_length=500)


class ApplicantUpdateIn(_Input):
    """Corrections before admission; only the fields sent are changed."""

    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, min_length=1, max_length=24)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    education: Education | None = None
    job_title: str | None = Field(None, max_length=100)
    unit: str | None = Field(None, max_length=40)
    org: str | None = Field(None, min_length=1, max_length=40)
    reason: str = Field("", max_length=500)


class StepIn(_Input):
    """One step of DOMAIN §5. Send the data of that step only (e.g. ``introducers`` with step
    ``introducers``); data that does not belong to the step is refused."""

    code: StepCode
    on: dt.date = Field(..., description="办理日期（不晚于今天）")
    responsible: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)
    document_ref: str = Field("", max_length=200)
    reason: str = Field("", max_length=500)
    contacts: list[int] | None = Field(None, max_length=10, description="培养联系人（党员 id）")
    introducers: list[int] | None = Field(None, max_length=10, description="入党介绍人（党员 id）")
    review_passed: bool | None = None
    conclusion: str | None = Field(None, max_length=2000)
    training_days: int | None = Field(None, ge=0, le=1000)
    class_hours: int | None = Field(None, ge=0, le=10_000)
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    entitled: int | None = Field(None, **COUNT)
    attending: int | None = Field(None, **COUNT)
    written_opinions: int | None = Field(None, **COUNT)
    votes_for: int | None = Field(None, **COUNT)
    votes_against: int | None = Field(None, **COUNT)
    votes_abstain: int | None = Field(None, **COUNT)
    conversion_outcome: ConversionOutcome | None = None
    extension_months: int | None = Field(None, ge=0, le=120)
    approver: str | None = Field(None, max_length=100)
    approved: bool | None = None
    extension_reason: str | None = Field(None, max_length=2000)
    party_group: str | None = Field(None, max_length=40, description="党小组代码")


class CloseIn(_Input):
    outcome: Literal["withdrawn", "cancelled"]
    on: dt.date
    reason: str = Field(..., min_length=1, max_length=500)


class DevelopmentRuleIn(RuleIn):
    """The rules kit's input with the development rules' one more setting: the severity."""

    severity: Severity | None = None


class PipelineFilters(PageQuery):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    stage: Stage | None = None
    q: str | None = Field(None, max_length=40, description="姓名片段、完整身份证号或后 4 位")
    overdue: bool | None = Field(None, description="true：只看有逾期事项的；false：只看没有的")


class BoardQuery(Schema):
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    limit: int = Field(50, ge=1, le=200, description="每列最多返回的人数")


# --- output --------------------------------------------------------------------------------------------


class ApplicantOut(Schema):
    id: int
    name: str
    gender: Gender
    ethnicity: str
    birth_date: dt.date
    id_number: str = Field(..., description="always masked")
    phone: str = Field(..., description="always masked")
    education: Education | None
    job_title: str
    unit: RefOut | None
    org: RefOut


class PipelineListItemOut(Schema):
    id: int
    stage: Stage
    name: str
    org: RefOut
    id_number: str = Field(..., description="always masked")
    applied_on: dt.date
    activist_on: dt.date | None
    candidate_on: dt.date | None
    next_step: StepCode | None
    next_possible_on: dt.date | None
    next_due: dt.date | None
    overdue: bool


class PipelinePageOut(Schema):
    items: list[PipelineListItemOut]
    next_cursor: str | None


class PersonOut(Schema):
    member_id: int
    name: str
    role: PersonRole


class WarningOut(Schema):
    rule: str
    message: str


class StepOut(Schema):
    id: int
    code: StepCode
    number: int
    on: dt.date
    responsible: str
    notes: str
    document_ref: str
    document: str | None
    people: list[PersonOut]
    review_passed: bool | None
    conclusion: str
    training_days: int | None
    class_hours: int | None
    notice_start: dt.date | None
    notice_end: dt.date | None
    entitled: int | None
    attending: int | None
    written_opinions: int | None
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    passed: bool | None
    conversion_outcome: ConversionOutcome | None
    extension_months: int | None
    approver: str
    approved: bool | None
    extension_reason: str
    party_group: str | None
    warnings: list[WarningOut]


class NextStepOut(Schema):
    code: StepCode
    number: int
    title: str
    possible_on: dt.date | None = Field(..., description="the step is refused before this date")
    due: dt.date | None = Field(..., description="deadline; later is overdue")
    overdue: bool


class PipelineDetailOut(Schema):
    id: int
    stage: Stage
    applicant: ApplicantOut
    applied_on: dt.date
    activist_on: dt.date | None
    candidate_on: dt.date | None
    admission_meeting_on: dt.date | None = Field(..., description="入党日期（支部大会通过接收之日）")
    admitted_on: dt.date | None = Field(..., description="上级党委批准日期")
    probation_end: dt.date | None
    extension_months: int
    full_on: dt.date | None = Field(..., description="转正日期 = 预备期满之日，党龄自此起算")
    closed_on: dt.date | None
    closed_reason: str
    member_id: int | None
    steps: list[StepOut]
    next: list[NextStepOut]


class BoardColumnOut(Schema):
    stage: Stage
    label: str
    count: int
    overdue: int
    items: list[PipelineListItemOut]


class BoardOut(Schema):
    today: dt.date
    columns: list[BoardColumnOut]

