"""Pages of member development: the pipeline board, a person's timeline, the application form, one
form per step, closing, the register export and the rules.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. A pipeline outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.errors import DomainError
from dangjian.core.scoping import resolver
from dangjian.development.choices import DevelopmentPerm, Stage
from dangjian.development.forms import (
    SERVICE_FIELD_MAP,
    ApplicantForm,
    BoardFilterForm,
    CloseForm,
    StepForm,
)
from dangjian.development.rules import RuleCode, load_rules
from dangjian.development.selectors import (
    entitled_full_members,
    full_member_choices,
    pipeline_board,
    pipeline_get,
    pipeline_timeline,
)
from dangjian.development.services import (
    REGISTER_STAGES,
    applicant_create,
    applicant_update,
    pipeline_close,
    register_export,
    rule_update,
    step_record,
)
from dangjian.development.services.rules_admin import RULESET
from dangjian.development.steps import STEPS
from dangjian.orgs.pickers import org_choice, org_from_picker
from dangjian.orgs.selectors import branch_groups, org_can, unit_get_by_code
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice
from dangjian.ui.rules import rule_views

__all__ = ["board", "close", "create", "detail", "edit", "export", "rule_edit", "rules", "step"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form_page(request, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def _org_from_code(request, form, field: str, perm: str):
    """The org chosen in the form's org picker (a code or a name), in the actor's scope for *perm* (the
    field's own); else a field error."""
    return org_from_picker(request.user, form, field)


@require_perm(DevelopmentPerm.VIEW)
@require_GET
def board(request):
    """发展党员看板: one column per stage in the actor's scope (or an org's subtree), overdue first."""
    actor = request.user
    form = BoardFilterForm(request.GET)
    form.is_valid()
    org = _org_from_code(request, form, "org", DevelopmentPerm.VIEW)
    missing = bool(form.errors)
    board_data = pipeline_board(actor=actor, org=org, q=form.cleaned_data.get("q")) if not missing else None
    return render(request, "development/board.html", {
        "form": form, "org": org, "board": board_data, "missing": missing,
        "can_change": resolver().has_perm_anywhere(actor, DevelopmentPerm.CHANGE),
    })


@require_perm(DevelopmentPerm.VIEW)
@require_GET
def detail(request, pk: int):
    """时间线: the person, every step with its records, what is next and by when, overdue marked."""
    actor = request.user
    timeline = pipeline_timeline(actor=actor, pk=pk)
    pipeline = timeline.pipeline
    return render(request, "development/detail.html", {
        "timeline": timeline, "pipeline": pipeline, "applicant": pipeline.applicant,
        "can_change": org_can(actor=actor, org=pipeline.applicant.org, perm=DevelopmentPerm.CHANGE),
        "before_admission": pipeline.stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE),
    })


@require_perm(DevelopmentPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def create(request):
    """接收入党申请: the applicant and step 1."""
    actor = request.user
    initial = {"applied_on": timezone.localdate()}
    if request.GET.get("org"):
        initial["org_code"] = request.GET["org"]
    form = ApplicantForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = _org_from_code(request, form, "org_code", DevelopmentPerm.CHANGE)
        unit = unit_get_by_code(actor=actor, code=form.cleaned_data.get("unit_code") or "")
        if form.cleaned_data.get("unit_code") and unit is None:
            form.add_error("unit_code", _("未找到该单位代码"))
        if not form.errors:
            try:
                pipeline = applicant_create(actor=actor, org=org, unit=unit, reason=form.cleaned_data["reason"],
                                            **form.person_fields(), **form.application_fields())
            except DomainError as exc:
                add_domain_errors(form, exc, SERVICE_FIELD_MAP)
            else:
                messages.success(request, _("已接收“%(name)s”的入党申请") % {"name": pipeline.applicant.name})
                return redirect("development:detail", pk=pipeline.pk)
        form.mark_invalid()
    return _form_page(request, "development/applicant_form.html", {
        "form": form, "title": _("登记入党申请"), "cancel_url": reverse("development:board"), "creating": True,
    })


@require_perm(DevelopmentPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """修改申请人信息 (before admission; afterwards the member register is the record)."""
    actor = request.user
    pipeline = pipeline_get(actor=actor, pk=pk, perm=DevelopmentPerm.CHANGE)
    a = pipeline.applicant
    initial = {name: getattr(a, name) for name in ApplicantForm.PERSON_FIELDS}
    initial.update(org_code=a.org.code, unit_code=a.unit.code if a.unit else "", id_number="")
    form = ApplicantForm(request.POST or None, initial=initial, editing=True)
    form.fields["id_number"].required = False
    form.fields["id_number"].help_text = _("当前：%(v)s。留空则不修改。") % {"v": a.id_number_masked}
    if request.method == "GET":
        show_choice(form, "org_code", org_choice(actor=actor, org=a.org))
    if request.method == "POST" and form.is_valid():
        org = _org_from_code(request, form, "org_code", DevelopmentPerm.CHANGE)
        unit = unit_get_by_code(actor=actor, code=form.cleaned_data.get("unit_code") or "")
        if form.cleaned_data.get("unit_code") and unit is None:
            form.add_error("unit_code", _("未找到该单位代码"))
        if not form.errors:
            fields = form.person_fields()
            if not fields["id_number"]:
                del fields["id_number"]
            for name in ("gender", "birth_date"):
                if not fields[name]:
                    del fields[name]
            try:
                applicant_update(actor=actor, applicant=a, org=org, unit=unit, reason=form.cleaned_data["reason"],
                                 **fields)
            except DomainError as exc:
                add_domain_errors(form, exc, SERVICE_FIELD_MAP)
            else:
                messages.success(request, _("已保存"))
                return redirect("development:detail", pk=pipeline.pk)
        form.mark_invalid()
    return _form_page(request, "development/applicant_form.html", {
        "form": form, "pipeline": pipeline, "title": _("修改申请人信息"),
        "cancel_url": reverse("development:detail", args=[pk]),
    })


@require_perm(DevelopmentPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def step(request, pk: int, code: str):
    """记录步骤: the form of one of the 25 steps; the service decides whether it may be done now."""
    actor = request.user
    pipeline = pipeline_get(actor=actor, pk=pk, perm=DevelopmentPerm.CHANGE)
    if code not in STEPS or code == "application":
        raise Http404("unknown step")
    org = pipeline.applicant.org
    spec = STEPS[code]
    members = full_member_choices(actor=actor, org=org) if {"contacts", "introducers"} & set(spec.fields) else []
    groups = list(branch_groups(actor=actor, branch=org)) if "party_group" in spec.fields else []
    initial: dict[str, Any] = {"on": timezone.localdate()}
    if "entitled" in spec.fields:
        initial["entitled"] = entitled_full_members(actor=actor, org=org)
    form = StepForm(request.POST or None, request.FILES or None, code=code, members=members, groups=groups,
                    notice=load_rules()[RuleCode.PUBLIC_NOTICE], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = step_record(actor=actor, pipeline=pipeline, code=code, **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已记录：%(s)s") % {"s": spec.title})
            for warning in recorded.warnings:
                messages.warning(request, warning["message"])
            return redirect("development:detail", pk=pipeline.pk)
    return _form_page(request, "development/step_form.html", {
        "form": form, "pipeline": pipeline, "spec": spec, "title": spec.title,
        "cancel_url": reverse("development:detail", args=[pk]),
    })


@require_perm(DevelopmentPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def close(request, pk: int):
    """终止发展程序 (withdrawn by the applicant, or stopped by the branch) before admission."""
    actor = request.user
    pipeline = pipeline_get(actor=actor, pk=pk, perm=DevelopmentPerm.CHANGE)
    form = CloseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            pipeline_close(actor=actor, pipeline=pipeline, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("发展程序已终止"))
            return redirect("development:detail", pk=pipeline.pk)
    return _form_page(request, "development/close_form.html", {
        "form": form, "pipeline": pipeline, "title": _("终止发展程序"),
        "cancel_url": reverse("development:detail", args=[pk]),
    })


@require_perm(DevelopmentPerm.VIEW)
@require_GET
def export(request):
    """入党积极分子/发展对象名册 (xlsx): the actor's scope or an org's subtree; masked unless asked and
    permitted per branch (``members.reveal``). Audited."""
    actor = request.user
    form = BoardFilterForm(request.GET)
    form.is_valid()
    org = _org_from_code(request, form, "org", DevelopmentPerm.VIEW)
    if form.errors:
        raise Http404("unknown org")
    stage = request.GET.get("stage", "")
    stages = (stage,) if stage in REGISTER_STAGES else REGISTER_STAGES
    out = tempfile.TemporaryFile()  # FileResponse closes it
    register_export(actor=actor, out=out, org=org, stages=stages, unmasked=request.GET.get("unmasked") == "1")
    out.seek(0)
    name = f"development-register-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


rules, rule_edit = rule_views(
    ruleset=RULESET, view_perm=DevelopmentPerm.VIEW, update=rule_update, url="development:rules",
    title=_l("发展党员规则"), parent=("development:board", _l("发展党员")),
    intro=_l("全国默认值（DOMAIN §5），可按上级规定从严调整。“禁止”类规则不满足时不能办理该步骤，“提醒”类只作提示。"),
    saved=_l("规则已修改，进行中的发展程序的期限将重新计算"),
)

