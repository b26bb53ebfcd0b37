"""Forms of the transfers pages: they parse input only; the destination, the letter's validity and the
DOMAIN §6 rules are checked by the services, whose field errors are put back on the matching field
(``ui.forms.add_domain_errors`` with the maps below)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import Category, Education, Gender
from dangjian.orgs.choices import OrgType
from dangjian.orgs.pickers import OrgPickerField
from dangjian.transfers.choices import (
    DESTINATION_PURPOSE,
    StatusTransition,
    TransferKind,
    TransfersPerm,
    TransferStatus,
)
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = [
    "FIELD_MAP",
    "CloseForm",
    "ExternalInForm",
    "FilterForm",
    "InitiateForm",
    "LetterForm",
    "ReceiveForm",
    "SearchForm",
    "StatusForm",
]

# service field → form field
FIELD_MAP = {"to_org": "to_org_code", "on": "on", "member": "__all__"}
_BOOL = [("", _("全部")), ("1", _("是"))]


def _letter_no(required: bool = False) -> forms.CharField:
    return forms.CharField(label=_("介绍信编号"), max_length=100, required=required)


def _validity() -> forms.IntegerField:
    return forms.IntegerField(label=_("有效期（天）"), required=False, min_value=1, max_value=3650,
                              help_text=_("不填按规则默认（90 天，见“规则”）"))


class FilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=TransfersPerm.VIEW, help_text="")
    side = forms.ChoiceField(label=_("方向"), required=False,
                             choices=[("", _("转出和转入")), ("out", _("转出")), ("in", _("转入"))])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *TransferStatus.choices])
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *TransferKind.choices])
    in_transit = forms.ChoiceField(label=_("转接中"), required=False, choices=_BOOL)
    overdue = forms.ChoiceField(label=_("已逾期"), required=False, choices=_BOOL)
    q = forms.CharField(label=_("姓名或介绍信编号"), required=False, max_length=50)


class InitiateForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("转接类型"), choices=[c for c in TransferKind.choices
                                                           if c[0] != TransferKind.EXTERNAL_IN],
                             initial=TransferKind.INTERNAL)
    to_org_code = OrgPickerField(label=_("接收党支部"), required=False, purpose=DESTINATION_PURPOSE,
                                 help_text=_("系统内转接：输入名称搜索集团内的党支部，按上级组织区分同名支部"))
    outside_org_name = forms.CharField(label=_("接收的系统外党组织"), required=False, max_length=200,
                                       help_text=_("转出到系统外时填写"))
    letter_no = _letter_no()
    issued_on = forms.DateField(label=_("开具日期"), required=False, widget=DateInput,
                                help_text=_("填写编号和开具日期即开具介绍信；都不填则保存为草稿"))
    validity_days = _validity()
    notes = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("转接原因"), required=False, max_length=500)


class LetterForm(BootstrapForm):
    letter_no = _letter_no(required=True)
    issued_on = forms.DateField(label=_("开具日期"), widget=DateInput)
    validity_days = _validity()
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class ReceiveForm(BootstrapForm):
    received_on = forms.DateField(label=_("接收日期"), widget=DateInput)
    notes = forms.CharField(label=_("备注"), required=False, max_length=2000)


class CloseForm(BootstrapForm):
    on = forms.DateField(label=_("日期"), widget=DateInput)
    reason = forms.CharField(label=_("原因"), max_length=500)


class ExternalInForm(BootstrapForm):
    to_org_code = OrgPickerField(label=_("接收党支部"), perm=TransfersPerm.CHANGE, types=(OrgType.BRANCH,),
                                 active=True)
    outside_org_name = forms.CharField(label=_("转出的系统外党组织"), max_length=200)
    letter_no = _letter_no(required=True)
    issued_on = forms.DateField(label=_("介绍信开具日期"), widget=DateInput)
    received_on = forms.DateField(label=_("接收日期"), widget=DateInput)
    validity_days = _validity()
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, initial="汉族")
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=30)
    phone = forms.CharField(label=_("手机号码"), required=False, max_length=20)
    education = forms.ChoiceField(label=_("学历"), required=False, choices=[("", "—"), *Education.choices])
    job_title = forms.CharField(label=_("职务/岗位"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("人员类别"), choices=Category.choices, initial=Category.FULL)
    joined_on = forms.DateField(label=_("入党日期"), widget=DateInput)
    full_member_on = forms.DateField(label=_("转正日期"), required=False, widget=DateInput)
    notes = forms.CharField(label=_("备注"), required=False, max_length=2000)

    PERSON = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title",
              "category", "joined_on", "full_member_on")

    def service_fields(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(letter fields, person fields) for ``transfer_external_in``."""
        data = dict(self.cleaned_data)
        person = {name: data.pop(name) for name in self.PERSON}
        person["education"] = person["education"] or ""
        data.pop("to_org_code")
        return data, person


class StatusForm(BootstrapForm):
    transition = forms.ChoiceField(label=_("变更事项"), choices=StatusTransition.choices)
    effective_on = forms.DateField(label=_("生效日期"), widget=DateInput,
                                   help_text=_("失去联系：失去联系之日；停止党籍、恢复党籍、除名：决定日期"))
    decision_doc = forms.CharField(label=_("决定文号"), required=False, max_length=100,
                                   help_text=_("停止党籍、恢复党籍、除名须填写"))
    decided_by = forms.CharField(label=_("批准组织/批准人"), required=False, max_length=100)
    destination = forms.CharField(label=_("外出去向"), required=False, max_length=200, help_text=_("外出流动时填写"))
    expected_return = forms.DateField(label=_("预计返回日期"), required=False, widget=DateInput)
    certificate_no = forms.CharField(label=_("流动党员活动证编号"), required=False, max_length=50)
    reason = forms.CharField(label=_("原因"), required=False, max_length=500,
                             help_text=_("外出 6 个月以上确实无法转接组织关系的，写明原因"))

    def __init__(self, *args: Any, transitions: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if transitions is not None:  # offer what the machine allows now first, the rest stay possible to try
            allowed = [c for c in StatusTransition.choices if c[0] in transitions]
            self.fields["transition"].choices = allowed or StatusTransition.choices


class SearchForm(BootstrapForm):
    searched_on = forms.DateField(label=_("查找日期"), widget=DateInput)
    method = forms.CharField(label=_("查找方式"), max_length=200, help_text=_("如：电话、走访家属、联系原单位、登报"))
    result = forms.CharField(label=_("查找结果"), required=False, max_length=2000)

