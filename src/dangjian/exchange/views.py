"""Pages of data exchange: upload with a dry-run preview listing every error, then an all-or-nothing
commit; template downloads; exports of the member and organisation lists; the column mappings.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. Small files are checked and committed inside the request; larger ones run in the
django-tasks worker while the job page polls its progress with HTMX.
"""
from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.parsing import parse_id
from dangjian.core.scoping import resolver
from dangjian.exchange.choices import SYNC_MAX_BYTES, ExchangePerm, ImportKind, JobStatus
from dangjian.exchange.columns import mapping_for
from dangjian.exchange.forms import ImportForm, MemberExportForm, OrgExportForm, ProfileForm
from dangjian.exchange.importers import IMPORTERS
from dangjian.exchange.selectors import job_get, job_list, profile_get, profile_list
from dangjian.exchange.services import (
    export_members,
    export_orgs,
    job_claim_commit,
    job_create,
    job_run,
    profile_copy,
    profile_update,
)
from dangjian.exchange.tasks import run_import_job
from dangjian.exchange.workbooks import write_template
from dangjian.members.choices import MembersPerm
from dangjian.orgs.choices import OrgsPerm, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import org_pick_resolve
from dangjian.orgs.selectors import org_get_by_code, org_list
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm

__all__ = [
    "export_members_view",
    "export_orgs_view",
    "export_page",
    "index",
    "job",
    "job_commit",
    "job_progress",
    "profile_copy_view",
    "profile_edit",
    "template",
    "upload",
]

# whose scope limits the rows of each kind (and the branch codes a template offers)
KIND_PERM = {kind: importer.perm for kind, importer in IMPORTERS.items()}
TEMPLATE_ORG_CODES = 2000  # branch codes offered as a dropdown in a template


def _sync_limit() -> int:
    return int(getattr(settings, "DANGJIAN_EXCHANGE_SYNC_BYTES", SYNC_MAX_BYTES))


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _index_context(request, form: ImportForm) -> dict[str, Any]:
    actor = request.user
    return {
        "form": form,
        "jobs": job_list(actor=actor),
        "profiles": profile_list(actor=actor),
        "kinds": ImportKind.choices,
        "can_export": resolver().has_perm_anywhere(actor, ExchangePerm.EXPORT),
    }


@require_perm(ExchangePerm.IMPORT)
@require_GET
def index(request):
    """数据交换: upload form, templates, the actor's recent imports, the column mappings."""
    form = ImportForm(profiles=list(profile_list(actor=request.user)),
                      initial={"kind": request.GET.get("kind", ImportKind.MEMBERS)})
    return render(request, "exchange/index.html", _index_context(request, form))


def _run(job_id: int, *, commit: bool, size: int) -> None:
    if size <= _sync_limit():
        job_run(job_id=job_id, commit=commit)
    else:
        run_import_job.enqueue(job_id, commit)


@require_perm(ExchangePerm.IMPORT)
@require_POST
def upload(request):
    """Keeps the uploaded file as an import job and runs its dry run (in the request, or in the worker
    for a large file); the job page shows the preview."""
    actor = request.user
    profiles = list(profile_list(actor=actor))
    form = ImportForm(request.POST, request.FILES, profiles=profiles)
    if form.is_valid():
        data = form.cleaned_data
        profile = None
        if data.get("profile"):
            try:
                profile = profile_get(actor=actor, pk=data["profile"])
            except Http404:
                form.add_error("profile", _("未找到该交换方案"))
        default_org = None
        if data.get("org_code", "").strip():
            default_org, error = org_pick_resolve(actor=actor, text=data["org_code"], perm=KIND_PERM[data["kind"]])
            if default_org is None:
                form.add_error("org_code", error)
        if not form.errors:
            upload_file = data["file"]
            content = upload_file.read()
            try:
                job = job_create(actor=actor, kind=data["kind"], mode=data["mode"], file_name=upload_file.name,
                                 data=content, profile=profile, default_org=default_org)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                _run(job.pk, commit=False, size=job.size)
                return redirect("exchange:job", pk=job.pk)
    form.mark_invalid()
    return render(request, "exchange/index.html", _index_context(request, form), status=400)


@require_perm(ExchangePerm.IMPORT)
@require_GET
def job(request, pk: int):
    """导入预览 / 结果: status, counts, every error (row, column, message), the commit button."""
    item = job_get(actor=request.user, pk=pk)
    return render(request, "exchange/job.html", {"job": item, "mapping_name": item.profile.name if item.profile
                                                 else _("标准模板")})


@require_perm(ExchangePerm.IMPORT)
@require_GET
def job_progress(request, pk: int):
    """The progress bar of a running job (polled by HTMX); a finished job makes the page reload."""
    item = job_get(actor=request.user, pk=pk)
    response = render(request, "exchange/_progress.html", {"job": item})
    if not item.running:
        response["HX-Refresh"] = "true"
    return response


@require_perm(ExchangePerm.IMPORT)
@require_POST
def job_commit(request, pk: int):
    """Re-reads and re-checks the file, then writes every row or none (one transaction)."""
    item = job_get(actor=request.user, pk=pk)
    if not job_claim_commit(job_id=item.pk):
        messages.error(request, _("只有校验通过的导入才能提交（或已在提交中）"))
        return redirect("exchange:job", pk=item.pk)
    _run(item.pk, commit=True, size=item.size)
    item = job_get(actor=request.user, pk=pk)
    if item.status == JobStatus.COMMITTED:
        messages.success(request, _("已导入 %(n)s 行") % {"n": item.counts.get("rows", 0)})
    elif item.status == JobStatus.REJECTED:
        messages.error(request, _("提交时发现错误，未导入任何数据"))
    return redirect("exchange:job", pk=item.pk)


def _profile_param(request, actor: Any, kind: str, perm: str):
    ref = (request.GET.get("profile") or "").strip()
    if not ref:
        return None
    pk = parse_id(ref)
    profile = profile_get(actor=actor, pk=pk, perm=perm) if pk is not None else profile_get(actor=actor, code=ref,
                                                                                             perm=perm)
    if profile.kind != kind:
        raise Http404("profile of another kind")
    return profile


@require_perm(ExchangePerm.IMPORT)
@require_GET
def template(request, kind: str):
    """模板下载: the kind's template (standard, or a mapping's with ``?profile=``), with dropdowns."""
    if kind not in ImportKind.values:
        raise Http404("kind")
    actor = request.user
    profile = _profile_param(request, actor, kind, ExchangePerm.IMPORT)
    mapping = mapping_for(kind, profile)
    extra: dict[str, list[str]] = {}
    if kind in (ImportKind.MEMBERS, ImportKind.APPLICANTS):
        branches = org_list(actor=actor, perm=KIND_PERM[kind], org_type=OrgType.BRANCH, status="active")
        rows = list(branches.values_list("code", "name")[:TEMPLATE_ORG_CODES])
        extra = {"org": [c for c, _n in rows], "org_name": [n for _c, n in rows]}
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_template(mapping, out, extra_lists=extra)
    out.seek(0)
    name = f"{ImportKind(kind).label}导入模板-{mapping.name}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_perm(ExchangePerm.EXPORT)
@require_GET
def export_page(request):
    """导出: member list and org list exports with the list filters, in a mapping's layout."""
    actor = request.user
    return render(request, "exchange/export.html", {
        "member_form": MemberExportForm(initial={"subtree": True, "format": "xlsx"}, auto_id="member_%s"),
        "org_form": OrgExportForm(initial={"format": "xlsx"}, auto_id="orgs_%s"),
        "member_profiles": profile_list(actor=actor, kind=ImportKind.MEMBERS, perm=ExchangePerm.EXPORT),
        "org_profiles": profile_list(actor=actor, kind=ImportKind.ORGS, perm=ExchangePerm.EXPORT),
        "can_reveal": resolver().has_perm_anywhere(actor, MembersPerm.REVEAL),
    })


def _file_response(out, fmt: str, label: str) -> FileResponse:
    out.seek(0)
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
    return FileResponse(out, as_attachment=True, filename=f"{label}-{_stamp()}.{fmt}", content_type=content_type)


def _export_org(actor: Any, text: str, perm: str) -> Organization:
    """The org chosen in an export filter (picker: a code or a name); out of scope it is 404 like a missing one."""
    org, _error = org_pick_resolve(actor=actor, text=text, perm=perm)
    if org is None:
        raise Http404("not found")
    return org


@require_perm(ExchangePerm.EXPORT)
@require_GET
def export_members_view(request):
    """党员名册导出: the member list's filters and scope; masked unless asked and allowed (audited)."""
    actor = request.user
    form = MemberExportForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = None
    if (data.get("org") or "").strip():
        org = _export_org(actor, data["org"], MembersPerm.VIEW)
    profile = _profile_param(request, actor, ImportKind.MEMBERS, ExchangePerm.EXPORT)
    fmt = data.get("format") or "xlsx"
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    # as the member list's filter form: ``f`` marks a submitted form, so an unticked box means "this org only"
    subtree = bool(data.get("subtree")) or "f" not in request.GET
    export_members(actor=actor, out=out, fmt=fmt, mapping=mapping_for(ImportKind.MEMBERS, profile),
                   unmasked=bool(data.get("unmasked")), org=org, subtree=subtree, status=data.get("status") or None,
                   category=data.get("category") or None, q=data.get("q") or None)
    return _file_response(out, fmt, _("党员名册"))


@require_perm(ExchangePerm.EXPORT)
@require_GET
def export_orgs_view(request):
    """组织导出: the organisation list's filters and scope."""
    actor = request.user
    form = OrgExportForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = None
    if (data.get("org") or "").strip():
        org = _export_org(actor, data["org"], OrgsPerm.VIEW)
    profile = _profile_param(request, actor, ImportKind.ORGS, ExchangePerm.EXPORT)
    fmt = data.get("format") or "xlsx"
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    export_orgs(actor=actor, out=out, fmt=fmt, mapping=mapping_for(ImportKind.ORGS, profile), subtree_of=org,
                org_type=data.get("org_type") or None, status=data.get("status") or None, q=data.get("q") or None)
    return _file_response(out, fmt, _("党组织"))


@require_perm(ExchangePerm.IMPORT)
@require_http_methods(["GET", "POST"])
def profile_edit(request, pk: int):
    """交换方案: column titles, required marks and code lists of one mapping."""
    actor = request.user
    profile = profile_get(actor=actor, pk=pk)
    form = ProfileForm(request.POST or None, profile=profile, initial={"name": profile.name})
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=actor, profile=profile, name=form.cleaned_data["name"], columns=form.columns(),
                           reason=form.cleaned_data["reason"])
        except DomainError as exc:
            for e in exc.errors:
                row = e.row - 1 if e.row else None
                target = f"title_{row}" if row is not None and f"title_{row}" in form.fields and e.field == "title" \
                    else (f"codes_{row}" if row is not None and f"codes_{row}" in form.fields else None)
                form.add_error(target, e.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("exchange:profile", pk=profile.pk)
    status = 400 if request.method == "POST" else 200
    scopes = org_list(actor=actor, perm=ExchangePerm.IMPORT).exclude(org_type=OrgType.GROUP)[:50]
    return render(request, "exchange/profile.html", {"form": form, "profile": profile, "copy_orgs": scopes},
                  status=status)


@require_perm(ExchangePerm.IMPORT)
@require_POST
def profile_copy_view(request, pk: int):
    """复制为本单位方案: a unit's own editable copy of a mapping."""
    actor = request.user
    profile = profile_get(actor=actor, pk=pk)
    org = org_get_by_code(actor=actor, code=(request.POST.get("org_code") or "").strip(), perm=ExchangePerm.IMPORT)
    copy = profile_copy(actor=actor, profile=profile, org=org)
    messages.success(request, _("已复制为“%(n)s”") % {"n": copy.name})
    return redirect("exchange:profile", pk=copy.pk)

