"""Pages of the member register: list, a member's page (masked ID and phone, audited reveal), and the
create / edit forms.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. A member outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.scoping import resolver
from dangjian.members.choices import MembersPerm
from dangjian.members.forms import SERVICE_FIELD_MAP, MemberFilterForm, MemberForm
from dangjian.members.models import Member
from dangjian.members.pickers import member_pick_search
from dangjian.members.selectors import can_reveal, member_can, member_get, member_list
from dangjian.members.services import member_create, member_reveal, member_update
from dangjian.orgs.pickers import org_choice, org_from_picker
from dangjian.orgs.selectors import branch_groups, org_get_by_code, unit_get_by_code
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.panels import annotate
from dangjian.ui.permissions import deny, require_perm
from dangjian.ui.pickers import show_choice

__all__ = ["create", "detail", "edit", "list_view", "pick", "reveal"]

PAGE_SIZE = 25
# How many earlier cursors the list keeps in its URL for the "previous page" link.
TRAIL_MAX = 30
REVEALABLE = ("id_number", "phone")


def _page_links(request, params: dict[str, Any], cursor: str, next_cursor: str | None) -> dict[str, str | None]:
    """Keyset paging links: "next" from the page's last key; "previous" from a short trail of the
    cursors already visited (carried in the URL, so nothing is stored on the server)."""
    trail = [c for c in request.GET.get("trail", "").split(".") if c] if cursor else []
    base = {k: v for k, v in params.items() if v not in (None, "", False)}

    def url(cur: str, tr: list[str]) -> str:
        query = dict(base)
        if cur and cur != "0":
            query["cursor"] = cur
            if tr:
                query["trail"] = ".".join(tr[-TRAIL_MAX:])
        return "?" + urlencode(query)

    prev_url = None
    if cursor:
        prev_url = url(trail[-1], trail[:-1]) if trail else url("", [])
    next_url = url(next_cursor, [*trail, cursor] if cursor else ["0"]) if next_cursor else None
    return {"first": url("", []) if cursor else None, "prev": prev_url, "next": next_url}


@require_perm(MembersPerm.VIEW)
@require_GET
def list_view(request):
    """党员名册: filters, search (name / full ID / last 4 / phone), keyset pages; masked IDs."""
    actor = request.user
    form = MemberFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = None
    org_missing = False
    if data.get("org"):
        org = org_from_picker(actor, form, "org")
        org_missing = org is None
    cursor = request.GET.get("cursor", "")
    if cursor == "0":
        cursor = ""
    if org_missing:
        items, next_cursor = [], None
    else:
        qs = member_list(actor=actor, org=org, subtree=data.get("subtree", True), status=data.get("status") or None,
                         category=data.get("category") or None, q=data.get("q") or None)
        page = keyset_page(qs, cursor=cursor or None, limit=PAGE_SIZE)
        items, next_cursor = page.items, page.next_cursor
    params = {"q": data.get("q"), "org": data.get("org"), "subtree": "on" if data.get("subtree") else "",
              "status": data.get("status"), "category": data.get("category"), "f": "1"}
    # the actions other apps offer on each row (发起转接, 党籍状态变更: issue 9, point 1), in one query each
    shown = annotate("members.rows", actor, items) if items else {}
    return render(request, "members/list.html", {
        "form": form,
        "org": org,
        "members": items,
        "row_actions": any(shown.values()),
        "links": _page_links(request, params, cursor, next_cursor),
        "can_create": _can_create(actor),
    })


@require_perm(MembersPerm.VIEW)
@require_GET
def pick(request):
    """The member picker's source (issue 9): JSON ``{"items": [{id, value, label, path, hint}]}`` of the
    members in the actor's scope (for ``perm``, the form's permission) matching ``q`` — a name fragment, the
    ID number or its last 4 —, at most 20, each with their branch and masked ID."""
    items = member_pick_search(actor=request.user, q=request.GET.get("q", ""), perm=request.GET.get("perm") or None)
    return JsonResponse({"items": [i.as_json() for i in items]})


def _can_create(actor: Any) -> bool:
    return resolver().has_perm_anywhere(actor, MembersPerm.CHANGE)


@require_perm(None)  # the member's own record is always visible to them (STYLE §4); others need members.view
@require_GET
def detail(request, pk: int):
    actor = request.user
    member = member_get(actor=actor, pk=pk)
    return render(request, "members/detail.html", _detail_context(actor, member, revealed={}))


def _detail_context(actor: Any, member: Member, revealed: dict[str, str]) -> dict[str, Any]:
    return {
        "member": member,
        "revealable": can_reveal(actor=actor, member=member),
        "can_change": member_can(actor=actor, member=member, perm=MembersPerm.CHANGE),
        "revealed": revealed,
    }


@require_perm(None)  # who may reveal is decided per member by ``can_reveal`` (members.reveal or own record)
@require_POST
def reveal(request, pk: int):
    """Shows one unmasked value (ID number or phone); every reveal is recorded (``members.reveal``)."""
    actor = request.user
    member = member_get(actor=actor, pk=pk)
    field = request.POST.get("field", "")
    if field not in REVEALABLE:
        return HttpResponseBadRequest("field")
    if not can_reveal(actor=actor, member=member):
        deny(actor, MembersPerm.REVEAL, request.path)
        raise PermissionDenied(MembersPerm.REVEAL)
    value = member_reveal(actor=actor, member=member, field=field, reason=request.POST.get("reason", ""))
    if request.htmx:
        return render(request, "members/_revealed.html", {"value": value, "field": field})
    return render(request, "members/detail.html", _detail_context(actor, member, revealed={field: value}))


def _resolve_codes(actor: Any, form: MemberForm) -> dict[str, Any]:
    """Org, party group and unit from the codes typed into the form; unknown codes become field errors.

    The branch must be in the actor's ``members.change`` scope. A group is looked up among that branch's
    groups, then among the orgs the actor can see (a group of another branch is then refused by the
    service); a group outside both is as unknown as a missing one.
    """
    out: dict[str, Any] = {}
    data = form.cleaned_data
    org = org_from_picker(actor, form, "org_code")
    if org is not None:
        out["org"] = org
    group_code = data.get("party_group_code", "").strip()
    out["party_group"] = None
    if group_code:
        if "org" in out:
            out["party_group"] = branch_groups(actor=actor, branch=out["org"], perm=MembersPerm.CHANGE).filter(
                code=group_code).first()
        if out["party_group"] is None:
            try:
                out["party_group"] = org_get_by_code(actor=actor, code=group_code, perm=MembersPerm.VIEW)
            except Http404:
                form.add_error("party_group_code", _("未找到该党小组代码"))
    unit_code = data.get("unit_code", "").strip()
    out["unit"] = None
    if unit_code:
        out["unit"] = unit_get_by_code(actor=actor, code=unit_code)
        if out["unit"] is None:
            form.add_error("unit_code", _("未找到该单位代码"))
    form.mark_invalid()
    return out


def _form_response(request, context: dict):
    return render(request, "members/form.html", context, status=400 if request.method == "POST" else 200)


@require_perm(MembersPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def create(request):
    """新增党员 in a branch of the actor's scope."""
    actor = request.user
    initial = {}
    if request.GET.get("org"):
        initial["org_code"] = request.GET["org"]
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        related = _resolve_codes(actor, form)
        if not form.errors:
            try:
                member = member_create(actor=actor, reason=form.cleaned_data["reason"], **form.service_fields(),
                                       **related)
            except DomainError as exc:
                add_domain_errors(form, exc, SERVICE_FIELD_MAP)
            else:
                messages.success(request, _("已新增党员“%(name)s”") % {"name": member.name})
                return redirect("members:detail", pk=member.pk)
    return _form_response(request, {"form": form, "title": _("新增党员"), "cancel_url": reverse("members:list")})


@require_perm(MembersPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    actor = request.user
    member = member_get(actor=actor, pk=pk, perm=MembersPerm.CHANGE)
    initial = {name: getattr(member, name) for name in MemberForm.PLAIN_FIELDS if name not in ("id_number", "phone")}
    initial.update(
        org_code=member.org.code,
        party_group_code=member.party_group.code if member.party_group_id else "",
        unit_code=member.unit.code if member.unit_id else "",
    )
    masked = {"id_number": member.id_number_masked, "phone": member.phone_masked}
    form = MemberForm(request.POST or None, initial=initial, editing=True, masked=masked)
    if request.method == "GET":
        show_choice(form, "org_code", org_choice(actor=actor, org=member.org))
    if request.method == "POST" and form.is_valid():
        related = _resolve_codes(actor, form)
        if not form.errors:
            try:
                member = member_update(actor=actor, member=member, reason=form.cleaned_data["reason"],
                                       **form.service_fields(), **related)
            except DomainError as exc:
                add_domain_errors(form, exc, SERVICE_FIELD_MAP)
            else:
                messages.success(request, _("已保存"))
                return redirect("members:detail", pk=member.pk)
    return _form_response(request, {
        "form": form, "member": member, "title": _("修改党员信息"),
        "cancel_url": reverse("members:detail", args=[member.pk]),
    })
