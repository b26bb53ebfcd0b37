"""Member development (发展党员): applicants, their pipeline, the recorded steps and the rules as data."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import CleanCharField, EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.development.choices import ConversionOutcome, PersonRole, Severity, Stage, StepCode
from dangjian.members.choices import Education, Gender
from dangjian.members.models import Member
from dangjian.orgs.models import EnterpriseUnit, Organization

__all__ = ["Applicant", "DevelopmentRule", "Pipeline", "Step", "StepPerson"]


class DevelopmentRule(models.Model):
    """发展党员规则: one regulation minimum of DOMAIN §5 (code, parameters, severity, citation).

    Seeded with the national defaults by a data migration; an administrator may tighten them.
    """

    code = models.CharField(_("规则代码"), max_length=60, unique=True)
    title = models.CharField(_("规则"), max_length=200)
    params = models.JSONField(_("参数"), default=dict)
    severity = models.CharField(_("处理方式"), max_length=10, choices=Severity.choices, default=Severity.BLOCK)
    citation = models.CharField(_("依据"), max_length=300)
    confidence = models.CharField(_("可信度"), max_length=20, default="high")
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发展党员规则")
        verbose_name_plural = _("发展党员规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class ApplicantQuerySet(OrgScopedQuerySet):
    pass


class Applicant(TimeStampedModel):
    """入党申请人: a person who applied to join the Party at a branch; not (yet) in the member register.

    ID number and phone are encrypted at rest with keyed blind indexes, exactly like ``Member``. One
    person (one ID number) has at most one open pipeline at a time.
    """

    name = CleanCharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_bidx = models.CharField(max_length=40, db_index=True, editable=False)
    id_number_tail = models.CharField(max_length=4, editable=False, db_index=True)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    phone_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    job_title = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    unit = models.ForeignKey(EnterpriseUnit, verbose_name=_("工作单位"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="applicants")
    org = models.ForeignKey(Organization, verbose_name=_("所在党支部"), on_delete=models.PROTECT,
                            related_name="applicants")
    is_open = models.BooleanField(_("发展程序进行中"), default=True, editable=False)

    objects = ApplicantQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("入党申请人")
        verbose_name_plural = _("入党申请人")
        constraints = [
            models.UniqueConstraint(fields=["id_number_bidx"], condition=Q(is_open=True),
                                    name="applicant_one_open_pipeline_per_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class PipelineQuerySet(OrgScopedQuerySet):
    pass


class Pipeline(TimeStampedModel):
    """发展程序: one applicant's way through the five stages. The key dates of the recorded steps and
    the next step with its deadline are kept here, so the board needs one query per column."""

    applicant = models.OneToOneField(Applicant, on_delete=models.PROTECT, related_name="pipeline")
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.APPLICANT, db_index=True)
    applied_on = models.DateField(_("递交申请日期"))
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    admission_meeting_on = models.DateField(_("支部大会通过接收日期"), null=True, blank=True)
    admitted_on = models.DateField(_("上级党委批准日期"), null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), default=0)
    probation_end = models.DateField(_("预备期满日期"), null=True, blank=True)
    full_on = models.DateField(_("转为正式党员日期"), null=True, blank=True)
    closed_on = models.DateField(_("终止日期"), null=True, blank=True)
    closed_reason = models.TextField(_("终止原因"), blank=True)
    member = models.OneToOneField(Member, verbose_name=_("党员名册记录"), on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="development_pipeline")
    next_step = models.CharField(_("下一步"), max_length=40, choices=StepCode.choices, blank=True)
    next_possible_on = models.DateField(_("下一步最早日期"), null=True, blank=True)
    next_due = models.DateField(_("下一步期限"), null=True, blank=True, db_index=True)

    objects = PipelineQuerySet.as_manager()
    scope_path_lookup = "applicant__org__path"
    scope_org_lookup = "applicant__org_id"

    class Meta:
        verbose_name = _("发展程序")
        verbose_name_plural = _("发展程序")
        indexes = [models.Index(fields=["stage", "next_due", "id"])]

    def __str__(self) -> str:
        return f"{self.applicant}（{self.get_stage_display()}）"

    @property
    def is_closed(self) -> bool:
        return self.stage in (Stage.CANCELLED, Stage.WITHDRAWN)


def step_upload_to(instance: Step, filename: str) -> str:
    return f"development/{instance.pipeline_id}/{filename}"


class Step(TimeStampedModel):
    """发展步骤记录: one of the 25 steps of DOMAIN §5 done on a date, by whom, with its documents and
    the data that step needs (people, review conclusion, training, notice, vote, approval, outcome)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="steps")
    code = models.CharField(_("步骤"), max_length=40, choices=StepCode.choices)
    number = models.PositiveSmallIntegerField(_("序号"))
    on = models.DateField(_("日期"))
    responsible = models.CharField(_("经办人/责任人"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    document = models.FileField(_("材料"), upload_to=step_upload_to, blank=True)
    document_ref = CleanCharField(_("材料文号/存放位置"), max_length=200, blank=True)
    # political review (政治审查)
    review_passed = models.BooleanField(_("政审合格"), null=True, blank=True)
    conclusion = models.TextField(_("政审结论"), blank=True)
    # concentrated training (集中培训)
    training_days = models.PositiveSmallIntegerField(_("培训天数"), null=True, blank=True)
    class_hours = models.PositiveSmallIntegerField(_("培训学时"), null=True, blank=True)
    # public notice (公示)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    # branch general meeting (支部党员大会)
    entitled = models.PositiveIntegerField(_("应到会有表决权的正式党员"), null=True, blank=True)
    attending = models.PositiveIntegerField(_("实到会有表决权的正式党员"), null=True, blank=True)
    written_opinions = models.PositiveIntegerField(_("因故缺席书面表决"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    passed = models.BooleanField(_("决议通过"), null=True, blank=True)
    conversion_outcome = models.CharField(_("转正决议"), max_length=10, choices=ConversionOutcome.choices,
                                          blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), null=True, blank=True)
    # higher-committee approval (上级党委审批)
    approver = models.CharField(_("审批人/审批机关"), max_length=100, blank=True)
    approved = models.BooleanField(_("批准"), null=True, blank=True)
    extension_reason = models.TextField(_("延长审批的特殊情况"), blank=True)
    # placement (编入党小组)
    party_group = models.ForeignKey(Organization, verbose_name=_("党小组"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    warnings = models.JSONField(_("提醒"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    people = models.ManyToManyField(Member, through="StepPerson", related_name="development_steps")

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "pipeline__applicant__org__path"
    scope_org_lookup = "pipeline__applicant__org_id"

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["pipeline", "id"]
        indexes = [models.Index(fields=["pipeline", "code"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_code_display()} {self.on}"


class StepPerson(models.Model):
    """入党介绍人 / 培养联系人: a full member named in a step."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="step_people")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=20, choices=PersonRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["step", "member"], name="stepperson_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member_id}"
