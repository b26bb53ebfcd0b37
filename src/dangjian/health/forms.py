"""Forms of the health pages: they only parse input; the rules (parameter ranges included) live in the
services, whose :class:`DomainError` field errors are put back onto the matching field."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.parsing import parse_int
from dangjian.health.choices import FindingState, Severity
from dangjian.health.rules import Rule, all_rules
from dangjian.ui.forms import BootstrapForm

__all__ = ["FindingFilterForm", "RuleEditForm", "param_field_name"]


class FindingFilterForm(BootstrapForm):
    rule = forms.ChoiceField(label=_("规则"), required=False)
    org = forms.CharField(label=_("组织代码（含下级）"), max_length=40, required=False)
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("active", _("未消除")), *FindingState.choices, ("", _("全部"))])
    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=[("", _("全部")), *Severity.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部规则")), *((r.code, r.title) for r in all_rules())]


def param_field_name(name: str) -> str:
    return f"param_{name}"


class RuleEditForm(BootstrapForm):
    """One field per parameter of the rule (a list parameter as comma-separated integers), then the
    severity, whether it runs, the role to notify and the basis of the change. Ranges are the service's."""

    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    notify_role = forms.ChoiceField(label=_("通知角色"))
    reason = forms.CharField(label=_("修改依据（文件名称和文号）"), max_length=500)

    def __init__(self, *args: Any, rule: Rule, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(*args, **kwargs)
        params: dict[str, forms.Field] = {}
        for p in rule.params:
            help_text = _("范围 %(min)s–%(max)s%(unit)s，默认 %(d)s") % {
                "min": p.min, "max": p.max, "unit": p.unit,
                "d": ", ".join(map(str, p.default)) if p.many else p.default}
            if p.many:
                params[param_field_name(p.name)] = forms.CharField(label=p.label, help_text=help_text, max_length=60)
            else:
                params[param_field_name(p.name)] = forms.IntegerField(label=p.label, help_text=help_text)
        self.fields = {**params, **self.fields}
        self.fields["notify_role"].choices = roles
        for field in params.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for p in self.rule.params:
            name = param_field_name(p.name)
            if p.many and isinstance(data.get(name), str):
                parts = [x.strip() for x in data[name].replace("，", ",").split(",") if x.strip()]
                numbers = [parse_int(x, minimum=-(2**31), maximum=2**31 - 1) for x in parts]
                if None in numbers:
                    self.add_error(name, _("请填写以逗号分隔的整数"))
                else:
                    data[name] = numbers
        return data

    def params(self) -> dict[str, Any]:
        return {p.name: self.cleaned_data[param_field_name(p.name)] for p in self.rule.params}
