"""The pages of the configurable-rules kit (``core.rules``): the list of a ruleset's rules in words a
reader knows, and the edit form built from a rule's parameter schema — one field per parameter (a
number with its range, a choice, a list of numbers or of choices), the severity when the ruleset has
severities, whether the rule applies and the basis of the change. A rule whose parameters the schema
does not describe is edited as a JSON object (the fallback). Ranges and consistency are the service's
(``core.rules.rule_update``): its field errors come back onto the parameter's field.

An app's two rule pages are declared in one call (the list needs the app's view permission, the edit
page the ruleset's configure permission)::

    rules, rule_edit = rule_views(ruleset=RULESET, view_perm=AppPerm.VIEW, update=app_rule_update,
                                  url="app:rules", title=_("……规则"), intro=_("…"), saved=_("…"))

with ``path("rules/", views.rules, name="rules")`` and ``path("rules/<str:code>/", views.rule_edit,
name="rule_edit")`` in its URLs.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.errors import DomainError
from dangjian.core.parsing import parse_int
from dangjian.core.rules import Param, Rule, Ruleset
from dangjian.ui.forms import BootstrapForm, add_domain_errors
from dangjian.ui.permissions import require_perm

__all__ = ["RuleForm", "RuleRow", "param_field_name", "rule_edit_form", "rule_edit_page", "rule_rows", "rule_views",
           "rules_page"]

_INT32 = 2**31 - 1


def param_field_name(name: str) -> str:
    return f"param_{name}"


def _show(param: Param, value: Any) -> str:
    """A parameter's value in words: choices by their labels, lists joined, the unit after a number."""
    if param.choices:
        values = value if param.many else [value]
        return "、".join(param.choice_label(v) for v in values)
    if param.many:
        return ", ".join(map(str, value)) + (str(param.unit) if param.unit else "")
    return f"{value}{param.unit}"


def _described(rule: Rule) -> bool:
    """Whether the schema describes every parameter (else the form falls back to JSON)."""
    return {p.name for p in rule.schema} == set(rule.params)


@dataclass(frozen=True)
class RuleRow:
    """One rule as the list page shows it."""

    rule: Rule
    params: list[tuple[str, str]]  # (label, value in words)
    severity: str  # the severity's label, "" without severities
    note: str = ""  # what the app adds under the name (a description, who is notified …)

    @property
    def code(self) -> str:
        return self.rule.code


def rule_rows(ruleset: Ruleset) -> list[RuleRow]:
    labels = dict(ruleset.severities)
    rows = []
    for rule in ruleset.load().values():
        if _described(rule):
            params = [(str(p.label or p.name), _show(p, rule.params[p.name])) for p in rule.schema]
        else:
            params = [(name, json.dumps(value, ensure_ascii=False)) for name, value in rule.params.items()]
        rows.append(RuleRow(rule, params, str(labels.get(rule.severity, rule.severity)) if labels else ""))
    return rows


class RuleForm(BootstrapForm):
    """The edit form of one rule of a ruleset (see the module). ``values()`` gives the keyword arguments
    of the app's update service: ``params``, ``enabled``, ``reason`` and the extra fields a subclass adds
    (``severity`` is added for a ruleset with severities)."""

    enabled = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("修改依据（文件名称和文号）"), max_length=500)

    def __init__(self, *args: Any, rule: Rule, ruleset: Ruleset, **kwargs: Any) -> None:
        self.rule, self.ruleset = rule, ruleset
        kwargs.setdefault("initial", self.initial_for(rule, ruleset))
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        if _described(rule):
            for p in rule.schema:
                fields[param_field_name(p.name)] = self._param_field(p)
        else:
            fields["params"] = forms.CharField(label=_("参数（JSON）"), widget=forms.Textarea(attrs={"rows": 4}))
        if ruleset.severities:
            fields["severity"] = forms.ChoiceField(label=_("处理方式"), choices=ruleset.severities)
        for field in fields.values():  # the base class styled the declared fields only
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()
        self.fields = {**fields, **self.fields}
        self.fields["reason"] = self.fields.pop("reason")  # the basis last, after a subclass's settings

    @staticmethod
    def _param_field(p: Param) -> forms.Field:
        label = p.label or p.name
        default = _show(p, list(p.default) if p.many else p.default)
        if p.choices:
            choices = [(c, p.choice_label(c)) for c in p.choices]
            if p.many:
                return forms.MultipleChoiceField(label=label, choices=choices, help_text=_("默认：%(d)s") % {
                    "d": default}, widget=forms.SelectMultiple(attrs={"size": min(len(choices), 6)}))
            return forms.ChoiceField(label=label, choices=choices, help_text=_("默认：%(d)s") % {"d": default})
        if p.max is None:
            help_text = _("不小于 %(min)s%(unit)s，默认 %(d)s") % {"min": p.min, "unit": p.unit, "d": default}
        else:
            help_text = _("范围 %(min)s–%(max)s%(unit)s，默认 %(d)s") % {
                "min": p.min, "max": p.max, "unit": p.unit, "d": default}
        if p.many:
            return forms.CharField(label=label, help_text=help_text, max_length=60)
        attrs = {"inputmode": "numeric"}
        attrs.update({k: v for k, v in (("min", p.min), ("max", p.max)) if v is not None})
        # no min/max validation here: a value out of range is the service's field error
        return forms.IntegerField(label=label, help_text=help_text, widget=forms.NumberInput(attrs=attrs))

    @classmethod
    def initial_for(cls, rule: Rule, ruleset: Ruleset) -> dict[str, Any]:
        initial: dict[str, Any] = {"enabled": rule.enabled}
        if _described(rule):
            for p in rule.schema:
                value = rule.params[p.name]
                if p.many and not p.choices:
                    value = ", ".join(map(str, value))
                initial[param_field_name(p.name)] = value
        else:
            initial["params"] = json.dumps(rule.params, ensure_ascii=False)
        if ruleset.severities:
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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for p in self.rule.schema:
            name = param_field_name(p.name)
            if p.many and not p.choices and isinstance(data.get(name), str):
                parts = [x.strip() for x in data[name].replace("，", ",").split(",") if x.strip()]
                numbers = [parse_int(x, minimum=-_INT32, maximum=_INT32) for x in parts]
                if None in numbers:
                    self.add_error(name, _("请填写以逗号分隔的整数"))
                else:
                    data[name] = numbers
        return data

    def params(self) -> dict[str, Any]:
        if "params" in self.fields:
            return self.cleaned_data["params"]
        return {p.name: self.cleaned_data[param_field_name(p.name)] for p in self.rule.schema}

    def values(self) -> dict[str, Any]:
        """The keyword arguments of the update service."""
        fields = {k: v for k, v in self.cleaned_data.items() if k != "params" and not k.startswith("param_")}
        return {"params": self.params(), **fields}

    def add_service_errors(self, exc: DomainError) -> None:
        """The service's field errors onto the fields: ``params.<name>`` onto the parameter's field, and
        ``params`` with a message ``"<name>: …"`` (a ruleset checking all parameters as one field) too."""
        names = {p.name for p in self.rule.schema}
        field_map = {f"params.{n}": param_field_name(n) for n in names}
        rest = []
        for err in exc.errors:
            name, _sep, message = err.message.partition(": ")
            if err.field == "params" and "params" not in self.fields and name in names:
                self.add_error(param_field_name(name), message)
            else:
                rest.append(err)
        if rest:
            add_domain_errors(self, DomainError(rest), field_map)
        self.mark_invalid()


def _find(ruleset: Ruleset, code: str) -> Rule:
    rule = ruleset.load().get(code)
    if rule is None:
        raise Http404("unknown rule")
    return rule


def rule_edit_form(request, *, ruleset: Ruleset, code: str, update: Callable[..., Any], saved: str,
                   success_url: str, form_class: type[RuleForm] = RuleForm,
                   form_kwargs: dict[str, Any] | None = None) -> tuple[Rule, RuleForm, HttpResponse | None]:
    """The edit page's work for rule *code* of *ruleset*: 404 for an unknown code, the form with the
    rule's values, and on a valid POST the app's audited update (``update(actor=, code=, **values)``);
    its field errors go back onto the form. Returns ``(rule, form, redirect)``; the redirect (to
    *success_url*, with the *saved* message) is None while the form is to be shown."""
    rule = _find(ruleset, code)
    form = form_class(request.POST or None, rule=rule, ruleset=ruleset, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            update(actor=request.user, code=code, **form.values())
        except DomainError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, saved)
            return rule, form, redirect(success_url)
    return rule, form, None


def rule_edit_page(request, *, ruleset: Ruleset, code: str, update: Callable[..., Any], saved: str,
                   list_url: str, list_title: str, form_class: type[RuleForm] = RuleForm,
                   form_kwargs: dict[str, Any] | None = None, note: str = "") -> HttpResponse:
    """The whole edit page (``ui/rule_form.html``): 400 while a posted form has errors."""
    rule, form, done = rule_edit_form(request, ruleset=ruleset, code=code, update=update, saved=saved,
                                      success_url=list_url, form_class=form_class, form_kwargs=form_kwargs)
    if done:
        return done
    return render(request, "ui/rule_form.html", {
        "form": form, "rule": rule, "list_url": list_url, "list_title": list_title, "note": note,
    }, status=400 if request.method == "POST" else 200)


def rules_page(request, *, template: str, ruleset: Ruleset, context: dict[str, Any] | None = None,
               rows: Iterable[RuleRow] | None = None) -> HttpResponse:
    """The list page of a ruleset: its rules in words (``rows``, see :func:`rule_rows`) and whether the
    user may edit them (``can_configure``)."""
    return render(request, template, {
        "rows": list(rows) if rows is not None else rule_rows(ruleset), "show_severity": bool(ruleset.severities),
        "can_configure": ruleset.can_configure(request.user), **(context or {}),
    })


def rule_views(*, ruleset: Ruleset, view_perm: str, update: Callable[..., Any], url: str, title: str, intro: str,
               saved: str, note: str = "", nav: str = "", parent: tuple[str, str] | None = None, head: str = "",
               rows: Callable[[Any], list[RuleRow]] | None = None, form_class: type[RuleForm] = RuleForm,
               form_kwargs: Callable[[Any, str], dict[str, Any]] | None = None) -> tuple[Callable, Callable]:
    """The list page (``ui/rules.html``, needing *view_perm*) and the edit page (the ruleset's configure
    permission) of *ruleset*. *url*: the list's URL name (the edit page's is the same with ``_edit``
    after ``rule``: ``app:rules`` → ``app:rule_edit``). *nav*: the app's navigation include (shown with
    ``active="rules"``) or *parent*: ``(URL name, label)`` of the breadcrumb above; *head*: an include
    for the head block. *rows*: the list's rows from the request (default :func:`rule_rows`);
    *form_kwargs*: the form's extra arguments from the request and a rule code."""
    edit_url = url.removesuffix("rules") + "rule_edit"

    @require_perm(view_perm)
    @require_GET
    def rules(request):
        return rules_page(request, template="ui/rules.html", ruleset=ruleset,
                          rows=rows(request) if rows is not None else None, context={
                              "title": title, "intro": intro, "nav": nav, "head": head, "edit_url": edit_url,
                              "parent_url": reverse(parent[0]) if parent else "", "parent": parent[1] if parent else ""})

    @require_perm(ruleset.perm)
    @require_http_methods(["GET", "POST"])
    def rule_edit(request, code: str):
        return rule_edit_page(request, ruleset=ruleset, code=code, update=update, saved=str(saved),
                              list_url=reverse(url), list_title=str(title), form_class=form_class,
                              form_kwargs=form_kwargs(request, code) if form_kwargs is not None else None, note=str(note))

    rules.__doc__ = f"{title}: every rule in words, its parameters, severity and regulation."
    rule_edit.__doc__ = f"{title}: change one rule (platform-wide; audited with the stated basis)."
    return rules, rule_edit
