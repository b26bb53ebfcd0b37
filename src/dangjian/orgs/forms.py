"""Forms of the org pages: they only parse input (types, required); rules live in the services,
whose :class:`DomainError` field errors are put back onto the matching form field."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.choices import ALLOWED_PARENTS, OrgsPerm, OrgType
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = ["OrgDissolveForm", "OrgForm", "OrgMoveForm", "child_type_choices"]


def child_type_choices(parent_type: str | None) -> list[tuple[str, str]]:
    """Org types that may sit under *parent_type* (DOMAIN §2, ``ALLOWED_PARENTS``)."""
    return [(t.value, t.label) for t in OrgType if parent_type in ALLOWED_PARENTS[t]]


class OrgForm(BootstrapForm):
    """Own fields of an organisation (create and edit)."""

    name = forms.CharField(label=_("名称"), max_length=200)
    short_name = forms.CharField(label=_("简称"), max_length=100, required=False)
    code = forms.CharField(label=_("组织代码"), max_length=40)
    org_type = forms.ChoiceField(label=_("组织类别"), choices=OrgType.choices)
    is_joint = forms.BooleanField(label=_("联合党支部"), required=False)
    established_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput)
    approval_doc = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    approval_date = forms.DateField(label=_("批准日期"), required=False, widget=DateInput)
    contact_person = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    region = forms.CharField(label=_("所在地区"), max_length=100, required=False)
    reason = forms.CharField(label=_("事由"), max_length=500, required=False)

    SERVICE_FIELDS = (
        "name", "short_name", "code", "org_type", "is_joint", "established_on", "approval_doc",
        "approval_date", "contact_person", "contact_phone", "region",
    )

    def __init__(self, *args, type_choices: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if type_choices is not None:
            self.fields["org_type"].choices = type_choices

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class OrgMoveForm(BootstrapForm):
    # any org in scope: the service explains why a type or a dissolved org cannot take the subtree
    parent_code = OrgPickerField(label=_("新的上级组织"), perm=OrgsPerm.CHANGE)
    reason = forms.CharField(label=_("事由"), max_length=500, required=False)


class OrgDissolveForm(BootstrapForm):
    on = forms.DateField(label=_("撤销日期"), widget=DateInput)
    reason = forms.CharField(label=_("撤销原因"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
