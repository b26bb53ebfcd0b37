"""Forms of the org pages: they only parse input (types, required); rules live in the services,
whose :class:`DomainError` field errors are put back onto the matching form field."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.orgs.choices import ALLOWED_PARENTS, OrgType

__all__ = [
    "BootstrapForm",
    "DateInput",
    "OrgDissolveForm",
    "OrgForm",
    "OrgMoveForm",
    "add_domain_errors",
    "child_type_choices",
]


class DateInput(forms.DateInput):
    """``<input type=date>``: the browser's picker, ISO value either way."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Adds Bootstrap classes to widgets, and ``is-invalid`` to fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def add_domain_errors(form: BootstrapForm, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Attach each service error to its form field (through *field_map* when names differ), else to the form."""
    field_map = field_map or {}
    for err in exc.errors:
        name = field_map.get(err.field or "", err.field)
        if name and name in form.fields:
            form.add_error(name, err.message)
        else:
            form.add_error(None, err.message)
    form.mark_invalid()


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
    parent_code = forms.CharField(
        label=_("新的上级组织代码"), max_length=40,
        help_text=_("输入组织代码或名称搜索，从列表中选择"),
        widget=forms.TextInput(attrs={"list": "parent-options", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("事由"), max_length=500, required=False)


class OrgDissolveForm(BootstrapForm):
    on = forms.DateField(label=_("撤销日期"), widget=DateInput)
    reason = forms.CharField(label=_("撤销原因"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
