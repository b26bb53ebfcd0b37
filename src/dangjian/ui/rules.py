"""The pages of the configurable-rules kit (``core.rules``): the edit form every app's rule page uses;
the list table is ``ui/includes/rules_table.html``."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.ui.forms import BootstrapForm, add_domain_errors

__all__ = ["RuleForm", "rule_edit_form", "rules_page"]


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


def rule_edit_form(request, *, rules: Iterable[Any], code: str, form_class: type[RuleForm],
                   update: Callable[..., Any], saved: str, success_url: str
                   ) -> tuple[Any, RuleForm, HttpResponse | None]:
    """The edit page's work for rule *code* of *rules*: 404 for an unknown code, the form with the
    rule's values, and on a valid POST the app's audited update (``update(actor=, code=, **fields)``);
    its field errors go back onto the form. Returns ``(rule, form, redirect)``; the redirect (to
    *success_url*, with the *saved* message) is None while the form is to be shown."""
    rule = next((r for r in rules if r.code == code), None)
    if rule is None:
        raise Http404("unknown rule")
    form = form_class(request.POST or None, initial=form_class.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            update(actor=request.user, code=code, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, saved)
            return rule, form, redirect(success_url)
    return rule, form, None


def rules_page(request, *, template: str, rules: Iterable[Any], ruleset: Any) -> HttpResponse:
    """The list page of a ruleset: its rules and whether the user may edit them."""
    return render(request, template, {"rules": rules, "can_configure": ruleset.can_configure(request.user)})
