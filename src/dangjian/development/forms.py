"""Forms of the development pages: they parse input only; the rules are in the services and come back
as :class:`DomainError` field errors, shown next to the matching field."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.development.choices import ConversionOutcome, DevelopmentPerm, Stage
from dangjian.development.rules import Rule
from dangjian.development.steps import NOTICE_FIELDS, STEPS
from dangjian.members.choices import ETHNICITIES, Education, Gender
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = [
    "SERVICE_FIELD_MAP",
    "ApplicantForm",
    "BoardFilterForm",
    "CloseForm",
    "StepForm",
]

SERVICE_FIELD_MAP = {"org": "org_code", "unit": "unit_code"}
_BLANK = [("", "—")]
_BOOL = [("", "—"), ("1", _("是")), ("0", _("否"))]


class BoardFilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=DevelopmentPerm.VIEW, help_text="")
    q = forms.CharField(label=_("姓名或身份证后四位"), max_length=40, required=False)


class ApplicantForm(BootstrapForm):
    """入党申请人 (create; edit without the application fields). Birth date and sex may be left blank:
    they are read from the ID number."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    gender = forms.ChoiceField(label=_("性别"), choices=_BLANK + list(Gender.choices), required=False,
                               help_text=_("留空则按身份证号码"))
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput, help_text=_("留空则按身份证号码"))
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    education = forms.ChoiceField(label=_("学历"), choices=_BLANK + list(Education.choices), required=False)
    job_title = forms.CharField(label=_("职务/岗位"), max_length=100, required=False)
    unit_code = forms.CharField(label=_("工作单位代码"), max_length=40, required=False)
    org_code = OrgPickerField(label=_("受理党支部"), perm=DevelopmentPerm.CHANGE, types=(OrgType.BRANCH,), active=True)
    applied_on = forms.DateField(label=_("递交入党申请书日期"), widget=DateInput)
    responsible = forms.CharField(label=_("接收人"), max_length=200, required=False)
    document = forms.FileField(label=_("入党申请书（扫描件）"), required=False)
    document_ref = forms.CharField(label=_("材料存放位置/编号"), max_length=200, required=False)
    reason = forms.CharField(label=_("备注"), max_length=500, required=False)

    PERSON_FIELDS = ("name", "id_number", "gender", "birth_date", "ethnicity", "phone", "education", "job_title")
    APPLICATION_FIELDS = ("applied_on", "responsible", "document", "document_ref")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in self.APPLICATION_FIELDS:
                del self.fields[name]

    def person_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.PERSON_FIELDS}
        data["gender"] = data["gender"] or ""
        data["education"] = data["education"] or ""
        return data

    def application_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.APPLICATION_FIELDS}


class CloseForm(BootstrapForm):
    outcome = forms.ChoiceField(label=_("终止方式"), choices=[(Stage.WITHDRAWN, _("本人撤回入党申请")),
                                                            (Stage.CANCELLED, _("党组织取消发展"))])
    on = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


def _bool(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


class StepForm(BootstrapForm):
    """One step: the common fields, then the fields this step takes (DOMAIN §5)."""

    on = forms.DateField(label=_("日期"), widget=DateInput)
    responsible = forms.CharField(label=_("经办人/责任人"), max_length=200, required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label=_("材料（扫描件）"), required=False)
    document_ref = forms.CharField(label=_("材料文号/存放位置"), max_length=200, required=False)

    def __init__(self, *args, code: str, members: list[Member] = (), groups: list[Organization] = (),
                 notice: Rule | None = None, **kwargs):
        self.code = code
        self.spec = STEPS[code]
        super().__init__(*args, **kwargs)
        people = [(m.pk, f"{m.name}（{m.org.name}）") for m in members]
        extra: dict[str, forms.Field] = {}
        for name in self.spec.fields:
            extra[name] = self._field(name, people, groups)
        if notice is not None and notice.enabled and code in notice["steps"]:
            extra["notice_start"] = forms.DateField(label=_("公示开始日期"), widget=DateInput)
            extra["notice_end"] = forms.DateField(
                label=_("公示结束日期"), widget=DateInput,
                help_text=_("公示不少于 %(n)s 个%(u)s，公示期满后方可办理") % {
                    "n": notice["days"], "u": _("工作日") if notice["unit"] == "working" else _("自然日")})
        for name, field in extra.items():
            self.fields[name] = field
        self._style(extra)

    def _style(self, extra: dict[str, forms.Field]) -> None:
        for field in extra.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    @staticmethod
    def _field(name: str, people: list, groups: list[Organization]) -> forms.Field:
        count = {"min_value": 0, "required": False}
        fields: dict[str, Any] = {
            "contacts": lambda: forms.MultipleChoiceField(label=_("培养联系人（1–2 名正式党员）"), choices=people,
                                                          widget=forms.CheckboxSelectMultiple, required=False),
            "introducers": lambda: forms.MultipleChoiceField(label=_("入党介绍人（2 名正式党员）"), choices=people,
                                                             widget=forms.CheckboxSelectMultiple, required=False),
            "review_passed": lambda: forms.ChoiceField(label=_("政审结论"), choices=[
                ("", "—"), ("1", _("合格")), ("0", _("不合格"))], required=False),
            "conclusion": lambda: forms.CharField(label=_("政审综合性结论"), required=False,
                                                  widget=forms.Textarea(attrs={"rows": 3})),
            "training_days": lambda: forms.IntegerField(label=_("培训天数"), **count),
            "class_hours": lambda: forms.IntegerField(label=_("培训学时"), **count),
            "entitled": lambda: forms.IntegerField(label=_("应到会有表决权的正式党员"), **count),
            "attending": lambda: forms.IntegerField(label=_("实到会有表决权的正式党员"), **count),
            "written_opinions": lambda: forms.IntegerField(label=_("因故缺席、书面表决"), **count),
            "votes_for": lambda: forms.IntegerField(label=_("赞成"), **count),
            "votes_against": lambda: forms.IntegerField(label=_("反对"), **count),
            "votes_abstain": lambda: forms.IntegerField(label=_("弃权"), **count),
            "conversion_outcome": lambda: forms.ChoiceField(label=_("转正决议"), choices=_BLANK + list(
                ConversionOutcome.choices), required=False),
            "extension_months": lambda: forms.IntegerField(label=_("延长预备期（月）"), help_text=_("6–12 个月"),
                                                           **count),
            "approver": lambda: forms.CharField(label=_("审批机关/审批人"), max_length=100, required=False),
            "approved": lambda: forms.ChoiceField(label=_("审批结果"), choices=[
                ("1", _("批准")), ("0", _("不批准"))], initial="1"),
            "extension_reason": lambda: forms.CharField(label=_("延长审批的特殊情况（超过 3 个月时填写）"), required=False,
                                                        widget=forms.Textarea(attrs={"rows": 2})),
            "party_group": lambda: forms.ChoiceField(label=_("编入党小组"), choices=_BLANK + [
                (g.pk, g.name) for g in groups], required=False),
        }
        return fields[name]()

    def service_data(self) -> dict[str, Any]:
        """The keyword arguments of ``step_record`` (files and text stripped by the service)."""
        data = self.cleaned_data
        out: dict[str, Any] = {name: data.get(name) for name in ("on", "responsible", "notes", "document_ref")}
        if data.get("document"):
            out["document"] = data["document"]
        for name in (*self.spec.fields, *NOTICE_FIELDS):
            if name not in self.fields:
                continue
            value = data.get(name)
            if name in ("review_passed", "approved"):
                value = _bool(value)
            elif name in ("contacts", "introducers"):
                value = [int(v) for v in value or []]
            elif name in ("conversion_outcome",):
                value = value or None
            elif name == "party_group":
                value = int(value) if value else None
            out[name] = value
        return out


