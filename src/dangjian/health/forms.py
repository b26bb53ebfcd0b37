"""Forms of the health pages: they only parse input; the rules (parameter ranges included) live in the
services, whose :class:`DomainError` field errors are put back onto the matching field."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.health.choices import FindingState, HealthPerm, Severity
from dangjian.health.rules import all_rules
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm
from dangjian.ui.rules import RuleForm

__all__ = ["FindingFilterForm", "RuleEditForm"]


class FindingFilterForm(BootstrapForm):
    rule = forms.ChoiceField(label=_("规则"), required=False)
    org = OrgPickerField(label=_("党组织（含下级）"), required=False, perm=HealthPerm.VIEW, help_text="")
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("active", _("未消除")), *FindingState.choices, ("", _("全部"))])
    severity = forms.ChoiceField(label=_("严重程度"), required=False, choices=[("", _("全部")), *Severity.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("全部规则")), *((r.code, r.title) for r in all_rules())]


class RuleEditForm(RuleForm):
    """The rules kit's form (a field per parameter, the severity, enabled, the basis) with the role the
    rule's findings notify."""

    notify_role = forms.ChoiceField(label=_("通知角色"))

    def __init__(self, *args: Any, roles: list[tuple[str, str]], notify_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notify_role"].choices = roles
        self.initial.setdefault("notify_role", notify_role)
