"""Forms of the member pages: they parse input only; the register's rules are in the services and
come back as :class:`DomainError` field errors, shown next to the matching field."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.members.choices import ETHNICITIES, Category, Education, Gender, MembersPerm, MemberStatus
from dangjian.orgs.choices import OrgType
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = ["SERVICE_FIELD_MAP", "MemberFilterForm", "MemberForm"]

# Service field → form field, where the form takes a code instead of an object.
SERVICE_FIELD_MAP = {"org": "org_code", "party_group": "party_group_code", "unit": "unit_code"}

_BLANK = [("", "—")]


class MemberForm(BootstrapForm):
    """Register fields of one member (create and edit). On edit, a blank ID number or phone keeps
    the stored value, so the form never has to show them unmasked."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    education = forms.ChoiceField(label=_("学历"), choices=_BLANK + list(Education.choices), required=False)
    job_title = forms.CharField(label=_("职务/岗位"), max_length=100, required=False)
    unit_code = forms.CharField(label=_("工作单位代码"), max_length=40, required=False)
    hire_date = forms.DateField(label=_("参加工作日期"), required=False, widget=DateInput)
    category = forms.ChoiceField(label=_("人员类别"), choices=Category.choices)
    joined_on = forms.DateField(label=_("入党日期"), widget=DateInput)
    full_member_on = forms.DateField(label=_("转正日期"), required=False, widget=DateInput)
    org_code = OrgPickerField(label=_("所在党支部"), perm=MembersPerm.CHANGE, types=(OrgType.BRANCH,))
    party_group_code = forms.CharField(
        label=_("所在党小组（组织代码）"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"list": "group-options", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("党籍状态"), choices=MemberStatus.choices, required=False)
    reason = forms.CharField(label=_("事由"), max_length=500, required=False)

    PLAIN_FIELDS = (
        "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title",
        "hire_date", "category", "joined_on", "full_member_on", "status",
    )

    def __init__(self, *args, editing: bool = False, masked: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            masked = masked or {}
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前：%(v)s。留空则不修改。") % {"v": masked.get("id_number", "")}
            self.fields["phone"].help_text = _("当前：%(v)s。留空则不修改。") % {"v": masked.get("phone") or "—"}
        else:
            del self.fields["status"]

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.PLAIN_FIELDS if name in self.cleaned_data}
        if self.editing:
            for secret in ("id_number", "phone"):
                if not data.get(secret):
                    data.pop(secret, None)
            if not data.get("status"):
                data.pop("status", None)
        return data


class MemberFilterForm(BootstrapForm):
    """The member list's filters (GET). ``f`` marks a submitted form, so an unticked "include
    subordinate organisations" box can be told apart from the first visit (default: ticked)."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名、身份证号、身份证后4位或手机号")}))
    org = OrgPickerField(label=_("党组织"), required=False, perm=MembersPerm.VIEW, help_text="")
    subtree = forms.BooleanField(label=_("含下级组织"), required=False)
    status = forms.ChoiceField(label=_("党籍状态"), required=False, choices=_BLANK + list(MemberStatus.choices))
    category = forms.ChoiceField(label=_("人员类别"), required=False, choices=_BLANK + list(Category.choices))

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "f" not in data:
            data = data.copy()
            data["subtree"] = "on"
        super().__init__(data, *args, **kwargs)
