"""Pages of the orgs app: the lazy org tree, an org's page, its forms and the org chart.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. An object outside the actor's scope is "not found" (404), like a missing one.
Views are the page layer, so they may compose the member register's selectors (counts, seats,
first page of members) — the orgs *domain* modules never import ``members``.
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.errors import DomainError
from dangjian.core.parsing import parse_int
from dangjian.orgs.choices import OrgsPerm, OrgStatus, OrgType
from dangjian.orgs.forms import OrgDissolveForm, OrgForm, OrgMoveForm, child_type_choices
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import org_from_picker, org_pick_search
from dangjian.orgs.selectors import (
    CHART_MAX_NODES,
    branch_groups,
    org_ancestors,
    org_can,
    org_children,
    org_current_term,
    org_get,
    org_get_by_code,
    org_roots_for_actor,
    org_search,
    org_subtree_levels,
    org_units,
)
from dangjian.orgs.services import org_create, org_dissolve, org_move, org_update
from dangjian.orgs.terms import term_status
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.panels import annotate
from dangjian.ui.permissions import require_perm

__all__ = [
    "chart",
    "chart_data",
    "children",
    "create",
    "detail",
    "dissolve",
    "edit",
    "lookup",
    "move",
    "pick",
    "tree",
]

SEARCH_LIMIT = 50
LOOKUP_LIMIT = 20
# The chart shows the chosen root and two levels under it; deeper levels load on click.
CHART_LEVELS = 2
CHART_MAX_LEVELS = 4


def _with_counts(actor: Any, orgs: list[Organization]) -> tuple[list[Organization], bool]:
    """Lets the apps that count something per organisation annotate the nodes (the members app sets
    ``member_count`` in one aggregate query when the actor may see members at all)."""
    shown = annotate("orgs.nodes", actor, orgs) if orgs else {}
    return orgs, any(shown.values())


@require_perm(OrgsPerm.VIEW)
@require_GET
def tree(request):
    """组织树: the actor's top organisations; children load on expand; search by name or code."""
    actor = request.user
    q = request.GET.get("q", "").strip()
    results = org_search(actor=actor, q=q, limit=SEARCH_LIMIT) if q else []
    paths = org_ancestors(actor=actor, orgs=results) if results else {}
    for org in results:
        org.ancestor_list = paths.get(org.pk, [])
    context = {"q": q, "results": results, "search_limit": SEARCH_LIMIT}
    if request.htmx and request.htmx.target == "org-search-results":
        return render(request, "orgs/_search_results.html", context)
    roots, show_counts = _with_counts(actor, list(org_roots_for_actor(actor=actor)))
    context.update(nodes=roots, show_counts=show_counts)
    return render(request, "orgs/tree.html", context)


@require_perm(OrgsPerm.VIEW)
@require_GET
def children(request, pk: int):
    """The children of one node (HTMX partial): one query for the nodes, one for their member counts."""
    actor = request.user
    org = org_get(actor=actor, pk=pk)
    nodes, show_counts = _with_counts(actor, list(org_children(actor=actor, org=org)))
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "show_counts": show_counts, "parent": org})


@require_perm(OrgsPerm.VIEW)
@require_GET
def detail(request, pk: int):
    actor = request.user
    org = org_get(actor=actor, pk=pk)
    today = timezone.localdate()
    term = org_current_term(actor=actor, org=org)
    subs, show_counts = _with_counts(actor, list(org_children(actor=actor, org=org)))
    context = {
        "org": org,
        "ancestors": org_ancestors(actor=actor, orgs=[org])[org.pk],
        "term": term,
        "term_status": term_status(term, today) if term else None,
        "units": list(org_units(actor=actor, org=org)),
        "subs": subs,
        "show_counts": show_counts,
        "can_change": org_can(actor=actor, org=org, perm=OrgsPerm.CHANGE),
        "today": today,
        "is_active": org.status == OrgStatus.ACTIVE,
    }
    return render(request, "orgs/detail.html", context)


def _form_page(request, template: str, context: dict) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


@require_perm(OrgsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    """建立下级组织 under the org *pk*."""
    actor = request.user
    parent = org_get(actor=actor, pk=pk, perm=OrgsPerm.CHANGE)
    choices = child_type_choices(parent.org_type)
    form = OrgForm(request.POST or None, type_choices=choices,
                   initial={"org_type": choices[0][0] if choices else OrgType.BRANCH})
    if request.method == "POST" and form.is_valid():
        try:
            org = org_create(actor=actor, parent=parent, reason=form.cleaned_data["reason"],
                             **form.service_fields())
        except DomainError as exc:
            add_domain_errors(form, exc, {"parent": "org_type"})
        else:
            messages.success(request, _("已建立组织“%(name)s”") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/form.html", {
        "form": form, "parent": parent, "title": _("建立下级组织"), "cancel_url": reverse("orgs:detail", args=[pk]),
        "no_child_types": not choices,
    })


@require_perm(OrgsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    actor = request.user
    org = org_get(actor=actor, pk=pk, perm=OrgsPerm.CHANGE)
    initial = {name: getattr(org, name) for name in OrgForm.SERVICE_FIELDS}
    form = OrgForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = org_update(actor=actor, org=org, reason=form.cleaned_data["reason"], **form.service_fields())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/form.html", {
        "form": form, "org": org, "title": _("修改组织信息"), "cancel_url": reverse("orgs:detail", args=[pk]),
    })


@require_perm(OrgsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    """调整隶属关系: the org and its whole subtree go under a new parent chosen by code."""
    actor = request.user
    org = org_get(actor=actor, pk=pk, perm=OrgsPerm.CHANGE)
    form = OrgMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_parent = org_from_picker(actor, form, "parent_code")
        if new_parent is not None:
            try:
                org = org_move(actor=actor, org=org, new_parent=new_parent, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_errors(form, exc, {"parent": "parent_code"})
            else:
                messages.success(request, _("已将“%(name)s”移至“%(parent)s”之下")
                                 % {"name": org.name, "parent": new_parent.name})
                return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/move.html", {
        "form": form, "org": org, "ancestors": org_ancestors(actor=actor, orgs=[org])[org.pk],
    })


@require_perm(OrgsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def dissolve(request, pk: int):
    """撤销组织: refused by the service while active children or members remain."""
    actor = request.user
    org = org_get(actor=actor, pk=pk, perm=OrgsPerm.CHANGE)
    form = OrgDissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = org_dissolve(actor=actor, org=org, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已撤销“%(name)s”") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, "orgs/dissolve.html", {"form": form, "org": org})


@require_perm(OrgsPerm.VIEW)
@require_GET
def lookup(request):
    """``<option>``s for an org-code ``<datalist>`` (HTMX): visible orgs by name or code (or the children
    of ``parent``), optionally of one type."""
    actor = request.user
    org_type = request.GET.get("type") or None
    q = request.GET.get("q", "").strip()
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        # the children of one org (e.g. the party groups of the branch typed next to it)
        try:
            parent = org_get_by_code(actor=actor, code=parent_code)
        except Http404:
            found = []
        else:
            kids = (branch_groups(actor=actor, branch=parent) if org_type == OrgType.GROUP
                    else org_children(actor=actor, org=parent))
            found = [o for o in kids[: LOOKUP_LIMIT * 3]
                     if not q or q in o.name or o.code.upper().startswith(q.upper())]
    else:
        found = org_search(actor=actor, q=q, limit=LOOKUP_LIMIT * 3)
    if org_type:
        found = [o for o in found if o.org_type == org_type]
    return render(request, "orgs/_lookup_options.html", {"orgs": found[:LOOKUP_LIMIT]})


@require_perm(OrgsPerm.VIEW)
@require_GET
def pick(request):
    """The org picker's source (issue 9): JSON ``{"items": [{id, value, code, label, path, hint}]}`` of the orgs
    the actor may choose — by ``q`` (name fragment or code), narrowed by ``perm`` (the form's permission),
    ``type`` (comma-separated org types), ``active`` and ``purpose`` (a group-wide choice such as a
    transfer's receiving branch) — at most 20, each with its parent path."""
    g = request.GET
    items = org_pick_search(actor=request.user, q=g.get("q", ""), perm=g.get("perm") or None,
                            types=g.get("type") or None, active=g.get("active") == "1",
                            purpose=g.get("purpose") or None)
    return JsonResponse({"items": [i.as_json() for i in items]})


def _chart_root(request) -> Organization | None:
    raw = request.GET.get("root")
    if raw:
        return org_get(actor=request.user, pk=raw)
    return org_roots_for_actor(actor=request.user).first()


@require_perm(OrgsPerm.VIEW)
@require_GET
def chart(request):
    """组织图: an ECharts tree of a chosen root (default: the actor's top organisation)."""
    root = _chart_root(request)
    return render(request, "orgs/chart.html", {
        "root": root,
        "roots": list(org_roots_for_actor(actor=request.user)[:50]),
        "levels": CHART_LEVELS,
    })


def _int_param(request, name: str, default: int, lo: int, hi: int) -> int:
    value = parse_int(request.GET.get(name, default))
    return default if value is None else max(lo, min(hi, value))


@require_perm(OrgsPerm.VIEW)
@require_GET
def chart_data(request):
    """The chart's JSON: the root's visible subtree to ``levels`` levels; nodes cut off there carry
    ``lazy: true`` and are fetched again (as a new root) when clicked."""
    root = _chart_root(request)
    if root is None:
        return JsonResponse({"root": None, "truncated": False})
    levels = _int_param(request, "levels", CHART_LEVELS, 1, CHART_MAX_LEVELS)
    orgs = org_subtree_levels(actor=request.user, root=root, levels=levels)
    nodes: dict[str, dict] = {}
    step = Organization.steplen
    type_labels = dict(OrgType.choices)
    for org in orgs:
        node = {
            "id": org.pk,
            "name": org.short_name or org.name,
            "fullName": org.name,
            "code": org.code,
            "type": org.org_type,
            "typeLabel": str(type_labels.get(org.org_type, org.org_type)),
            "dissolved": org.status != OrgStatus.ACTIVE,
            "url": reverse("orgs:detail", args=[org.pk]),
            "children": [],
        }
        if org.numchild and org.depth == root.depth + levels:
            node["lazy"] = True
            node["collapsed"] = True
        nodes[org.path] = node
        parent_path = org.path[:-step]
        while parent_path and parent_path not in nodes and len(parent_path) > len(root.path):
            parent_path = parent_path[:-step]
        if org.pk != root.pk and parent_path in nodes:
            nodes[parent_path]["children"].append(node)
    return JsonResponse({
        "root": nodes.get(root.path),
        "truncated": len(orgs) >= CHART_MAX_NODES,
    }, json_dumps_params={"ensure_ascii": False})
