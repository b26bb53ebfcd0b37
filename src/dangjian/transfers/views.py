"""Pages of organisation-relationship transfers (组织关系转接) and of a member's status (党籍状态): the
list in scope with in-transit and overdue letters highlighted, the initiate form from a member, the
arrival from outside, a transfer with the actions of each side, the member's history with the status
machine, and the rules.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. A transfer or member outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.scoping import resolver
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import org_choice, org_from_picker, org_pick_resolve
from dangjian.orgs.selectors import org_can
from dangjian.transfers.choices import (
    DESTINATION_PURPOSE,
    IN_TRANSIT_STATUSES,
    TRANSFERABLE_MEMBER_STATUSES,
    StatusTransition,
    TransfersPerm,
)
from dangjian.transfers.deadlines import is_overdue
from dangjian.transfers.forms import (
    FIELD_MAP,
    CloseForm,
    ExternalInForm,
    FilterForm,
    InitiateForm,
    LetterForm,
    ReceiveForm,
    SearchForm,
    StatusForm,
)
from dangjian.transfers.selectors import (
    destination_get,
    member_history,
    transfer_actions,
    transfer_get,
    transfer_list,
    transfer_member_get,
    transfer_summary,
)
from dangjian.transfers.services import (
    contact_search_record,
    member_status_change,
    transfer_cancel,
    transfer_external_in,
    transfer_initiate,
    transfer_issue_letter,
    transfer_receive,
    transfer_return,
    transfer_rule_update,
)
from dangjian.transfers.services.rules_admin import RULESET
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice
from dangjian.ui.rules import rule_views

__all__ = [
    "cancel", "create", "detail", "external_in", "letter", "list_view", "member", "receive", "return_letter",
    "rule_edit", "rules", "search", "status",
]

PAGE_SIZE = 50
VIEW, CHANGE = TransfersPerm.VIEW, TransfersPerm.CHANGE


def _today():
    return timezone.localdate()


def _page(request, template: str, context: dict[str, Any], *, invalid: bool = False) -> HttpResponse:
    return render(request, template, context, status=400 if invalid else 200)


def _scoped_org(request, form, field: str):
    """The org chosen in a picker field (a code or a name), among those the field offers; else a field error."""
    return org_from_picker(request.user, form, field)


def _destination(request, form) -> tuple[Organization | None, bool]:
    """(the receiving branch chosen — by the picker among the group's branches, or by any org's exact code,
    which the service then judges (dissolved, not a branch) —, whether the field is in error)."""
    text = (form.cleaned_data.get("to_org_code") or "").strip()
    if not text:
        return None, False
    org, error = org_pick_resolve(actor=request.user, text=text, purpose=DESTINATION_PURPOSE)
    if org is None and (org := destination_get(actor=request.user, code=text)) is None:
        form.add_error("to_org_code", error)
        return None, True
    show_choice(form, "to_org_code", org_choice(actor=request.user, org=org, purpose=DESTINATION_PURPOSE))
    return org, False


@require_perm(VIEW)
@require_GET
def list_view(request):
    """组织关系转接: transfers in or out of the actor's scope (or an org's subtree), newest last, with
    drafts, letters in transit, overdue letters (highlighted) and letters waiting to be received."""
    actor = request.user
    form = FilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = _scoped_org(request, form, "org")
    today = _today()
    rows, summary, links = [], None, {}
    if not form.errors:
        qs = transfer_list(actor=actor, org=org, side=data.get("side") or None, status=data.get("status") or None,
                           kind=data.get("kind") or None, in_transit=bool(data.get("in_transit")),
                           overdue=bool(data.get("overdue")), q=(data.get("q") or "").strip() or None, today=today)
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
        rows = [(t, is_overdue(t, today), t.status in IN_TRANSIT_STATUSES) for t in page.items]
        summary = transfer_summary(actor=actor, org=org, today=today)
        params = {k: v for k, v in data.items() if v}
        links = {"first": "?" + urlencode(params),
                 "next": "?" + urlencode({**params, "cursor": page.next_cursor}) if page.next_cursor else None}
    return _page(request, "transfers/list.html", {
        "form": form, "org": org, "rows": rows, "summary": summary, "links": links, "today": today,
        "can_change": resolver().has_perm_anywhere(actor, CHANGE),
    }, invalid=bool(form.errors))


@require_perm(CHANGE)
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    """发起组织关系转接 for one member of the actor's branch (inside the group or out of it)."""
    actor = request.user
    member = transfer_member_get(actor=actor, pk=pk, perm=CHANGE)
    form = InitiateForm(request.POST or None, initial={"issued_on": _today()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("to_org_code")
        to_org, missing = _destination(request, form)
        if not missing:
            try:
                transfer = transfer_initiate(actor=actor, member=member, to_org=to_org, **data)
            except DomainError as exc:
                add_domain_errors(form, exc, FIELD_MAP)
            else:
                messages.success(request, _("已发起组织关系转接") if transfer.issued_on else _("已保存草稿"))
                return redirect("transfers:detail", pk=transfer.pk)
    return _page(request, "transfers/form.html", {
        "form": form, "member": member, "title": _("发起转接"), "submit": _("提交"),
    }, invalid=request.method == "POST")


@require_perm(CHANGE)
@require_http_methods(["GET", "POST"])
def external_in(request):
    """接收系统外转入的组织关系: register the arriving member at a branch in the actor's scope."""
    actor = request.user
    form = ExternalInForm(request.POST or None, initial={"received_on": _today()})
    if request.method == "POST" and form.is_valid():
        to_org = _scoped_org(request, form, "to_org_code")
        if to_org is not None:
            letter, person = form.service_fields()
            try:
                transfer = transfer_external_in(actor=actor, to_org=to_org, member=person, **letter)
            except DomainError as exc:
                add_domain_errors(form, exc, FIELD_MAP)
            else:
                messages.success(request, _("已登记转入党员“%(n)s”") % {"n": transfer.member.name})
                return redirect("transfers:detail", pk=transfer.pk)
    return _page(request, "transfers/form.html", {
        "form": form, "title": _("登记系统外转入"), "submit": _("登记"),
    }, invalid=request.method == "POST")


def _detail(request, pk: int, *, forms_: dict[str, Any] | None = None, invalid: bool = False) -> HttpResponse:
    actor = request.user
    transfer = transfer_get(actor=actor, pk=pk)
    today = _today()
    forms_ = forms_ or {}
    actions = transfer_actions(actor=actor, transfer=transfer)
    return _page(request, "transfers/detail.html", {
        "transfer": transfer, "actions": actions, "overdue": is_overdue(transfer, today),
        "in_transit": transfer.status in IN_TRANSIT_STATUSES,
        "receive_form": forms_.get("receive") or ReceiveForm(initial={"received_on": today}),
        "return_form": forms_.get("return") or CloseForm(initial={"on": today}, prefix="ret"),
        "cancel_form": forms_.get("cancel") or CloseForm(initial={"on": today}, prefix="can"),
        "letter_form": forms_.get("letter") or LetterForm(initial={"issued_on": today}),
        "can_see_member": org_can(actor=actor, org=transfer.member.org, perm=VIEW),
    }, invalid=invalid)


@require_perm(VIEW)
@require_GET
def detail(request, pk: int):
    """一次转接: the letter, both ends, the dates, and the actions the actor's side may take."""
    return _detail(request, pk)


def _act(request, pk: int, name: str, form, run, done: str) -> HttpResponse:
    transfer = transfer_get(actor=request.user, pk=pk, perm=CHANGE)
    if form.is_valid():
        try:
            run(transfer, form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc, FIELD_MAP)
        else:
            messages.success(request, done)
            return redirect("transfers:detail", pk=pk)
    return _detail(request, pk, forms_={name: form}, invalid=True)


@require_perm(CHANGE)
@require_POST
def receive(request, pk: int):
    """接收: inside the group the receiving branch; out of the group the sending branch records the receipt."""
    return _act(request, pk, "receive", ReceiveForm(request.POST),
                lambda t, d: transfer_receive(actor=request.user, transfer=t, **d), _("已接收组织关系"))


@require_perm(CHANGE)
@require_POST
def return_letter(request, pk: int):
    """退回介绍信 with the reason."""
    return _act(request, pk, "return", CloseForm(request.POST, prefix="ret"),
                lambda t, d: transfer_return(actor=request.user, transfer=t, **d), _("已退回介绍信"))


@require_perm(CHANGE)
@require_POST
def cancel(request, pk: int):
    """撤销 by the sending branch."""
    return _act(request, pk, "cancel", CloseForm(request.POST, prefix="can"),
                lambda t, d: transfer_cancel(actor=request.user, transfer=t, **d), _("已撤销转接"))


@require_perm(CHANGE)
@require_POST
def letter(request, pk: int):
    """开具（重开）介绍信 by the sending branch."""
    return _act(request, pk, "letter", LetterForm(request.POST),
                lambda t, d: transfer_issue_letter(actor=request.user, transfer=t, **d), _("已开具介绍信"))


def _member_page(request, pk: int, *, status_form=None, search_form=None, invalid: bool = False) -> HttpResponse:
    actor = request.user
    member_ = transfer_member_get(actor=actor, pk=pk)
    history = member_history(actor=actor, member=member_)
    can_change = org_can(actor=actor, org=member_.org, perm=CHANGE)
    labels = dict(StatusTransition.choices)
    return _page(request, "transfers/member.html", {
        "member": member_, "history": history, "can_change": can_change, "today": _today(),
        "can_initiate": can_change and history.open_transfer is None
        and member_.status in TRANSFERABLE_MEMBER_STATUSES,
        "possible_on": [(labels[t], day) for t, day in history.outlook.possible_on.items()],
        "until": [(labels[t], day) for t, day in history.outlook.until.items()],
        "status_form": status_form or StatusForm(initial={"effective_on": _today()},
                                                 transitions=history.outlook.transitions),
        "search_form": search_form or SearchForm(initial={"searched_on": _today()}),
    }, invalid=invalid)


@require_perm(VIEW)
@require_GET
def member(request, pk: int):
    """党员组织关系与党籍状态: branches over time, transfers, status changes and searches, what is possible
    next and from when; the status-change and search forms for the member's branch."""
    return _member_page(request, pk)


@require_perm(CHANGE)
@require_POST
def status(request, pk: int):
    """变更党籍状态 (one move of the DOMAIN §6 machine)."""
    actor = request.user
    member_ = transfer_member_get(actor=actor, pk=pk, perm=CHANGE)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            change = member_status_change(actor=actor, member=member_, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc, {"searches": "__all__"})
        else:
            messages.success(request, _("已办理：%(t)s") % {"t": change.get_transition_display()})
            return redirect("transfers:member", pk=pk)
    return _member_page(request, pk, status_form=form, invalid=True)


@require_perm(CHANGE)
@require_POST
def search(request, pk: int):
    """记录查找失联党员."""
    actor = request.user
    member_ = transfer_member_get(actor=actor, pk=pk, perm=CHANGE)
    form = SearchForm(request.POST)
    if form.is_valid():
        try:
            contact_search_record(actor=actor, member=member_, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc, {"member": "__all__"})
        else:
            messages.success(request, _("已记录查找情况"))
            return redirect("transfers:member", pk=pk)
    return _member_page(request, pk, search_form=form, invalid=True)


rules, rule_edit = rule_views(
    ruleset=RULESET, view_perm=VIEW, update=transfer_rule_update, url="transfers:rules",
    title=_l("组织关系转接规则"), nav="transfers/_nav.html",
    intro=_l("默认值取自 DOMAIN §6；介绍信有效期为地方实践（可信度低），请按上级规定调整。"),
    saved=_l("规则已修改；已开具的介绍信保持原有效期"),
)

