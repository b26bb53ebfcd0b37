"""The pages of the configurable-rules kit (``core.rules``): the edit form every app's rule page uses;
the list table is ``ui/includes/rules_table.html``."""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.ui.forms import BootstrapForm

__all__ = ["RuleForm"]


class RuleForm(BootstrapForm):
    """A rule's parameters (a JSON object of the ones to change), whether it applies, and the basis of
    the change. An app whose rules have a severity adds a ``severity`` choice field."""

    params = forms.CharField(label=_("参数（JSON）"), widget=forms.Textarea(attrs={"rows": 4}))
    enabled = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("修改依据（文件名称和文号）"), max_length=500)

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        initial = {"params": json.dumps(rule.params, ensure_ascii=False), "enabled": rule.enabled}
        if "severity" in cls.base_fields:
            initial["severity"] = rule.severity
        return initial

    def clean_params(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["params"])
        except ValueError:
            raise forms.ValidationError(_("不是有效的 JSON")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("参数应为 JSON 对象"))
        return value
