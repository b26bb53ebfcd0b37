"""Election and term pages: terms of an org and its sub-orgs with their status (current / expiring /
expired / postponed), recording an election (voter roll = full members), its result and the higher
org's approval, and an approved postponement. Permissions are the orgs ones (terms are the orgs domain)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.choices import ElectionsPerm
from dangjian.meetings.forms import (
    POSITION_CHOICES,
    ApproveForm,
    ElectionForm,
    ElectionsFilterForm,
    PostponeForm,
)
from dangjian.meetings.views.common import form_page, org_from_code, with_row_errors
from dangjian.orgs.pickers import org_choice, org_pick_resolve
from dangjian.orgs.selectors import org_can, org_children, org_parent
from dangjian.orgs.services import term_postpone as orgs_term_postpone
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice

__all__ = ["election_approve", "election_create", "election_detail", "elections", "term_postpone"]


@require_perm(ElectionsPerm.VIEW)
@require_GET
def elections(request):
    """换届: the current term of an org and of its sub-orgs with its status and reminders, and the
    recorded elections."""
    actor = request.user
    form = ElectionsFilterForm(request.GET)
    form.is_valid()
    code = (form.cleaned_data.get("org") or "").strip()
    org = org_from_code(actor, form, "org", ElectionsPerm.VIEW) if code else \
        sel.default_org_for(actor, ElectionsPerm.VIEW)
    if org is not None:
        show_choice(form, "org", org_choice(actor=actor, org=org))
    today = timezone.localdate()
    orgs = [org, *org_children(actor=actor, org=org, perm=ElectionsPerm.VIEW)[:200]] if org else []
    return render(request, "meetings/elections.html", {
        "org": org, "form": form, "today": today,
        "terms": sel.term_overview(actor=actor, orgs=[o for o in orgs if o.org_type != "group"], today=today),
        "elections": list(sel.election_list(actor=actor, org=org)[:50]) if org else [],
        "can_change": org is not None and org_can(actor=actor, org=org, perm=ElectionsPerm.CHANGE),
    })


def _election_rows(voters, posted: dict[int, dict[str, Any]], errors: dict[int, list[str]]) -> list[dict[str, Any]]:
    return [{"member": m, **posted.get(m.pk, {"votes": "", "elected": False, "position": ""}),
             "errors": errors.get(m.pk, [])} for m in voters]


@require_perm(ElectionsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def election_create(request):
    """登记换届选举: date, voters present, votes per candidate (the voter roll: full members only), who is
    elected to which position. Creates the new term and its committee seats."""
    actor = request.user
    data = request.POST if request.method == "POST" else request.GET
    code = (data.get("org") or "").strip()
    org = None
    if code:  # the picker's code, or a name typed without it
        org, _error = org_pick_resolve(actor=actor, text=code, perm=ElectionsPerm.CHANGE)
    elif (default := sel.default_org_for(actor, ElectionsPerm.CHANGE)) is not None:
        org = default
    voters = list(sel.voter_roll(actor=actor, org=org, perm=ElectionsPerm.CHANGE)[:500]) if org else []
    form = ElectionForm(request.POST or None, initial={"org": org.code if org else code,
                                                       "held_on": timezone.localdate()})
    if org is not None:
        show_choice(form, "org", org_choice(actor=actor, org=org))
    posted: dict[int, dict[str, Any]] = {}
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        keys, results = [], []
        for m in voters:
            votes = (request.POST.get(f"votes_{m.pk}") or "").strip()
            elected = request.POST.get(f"elected_{m.pk}") == "on"
            position = request.POST.get(f"position_{m.pk}") or ""
            posted[m.pk] = {"votes": votes, "elected": elected, "position": position}
            if votes or elected:
                keys.append(m.pk)
                results.append({"member": m.pk, "votes": votes, "elected": elected, "position": position})
        if form.is_valid():
            if org is None:
                org_from_code(actor, form, "org", ElectionsPerm.CHANGE)
            else:
                try:
                    election = svc.election_record(actor=actor, org=org, held_on=form.cleaned_data["held_on"],
                                                   attending=form.cleaned_data["attending"], results=results,
                                                   note=form.cleaned_data["note"])
                except DomainError as exc:
                    row_errors = with_row_errors(form, exc, "results", keys, shown={m.pk for m in voters})
                else:
                    messages.success(request, _("已登记选举，第%(n)s届委员会已产生") % {"n": election.term.number})
                    return redirect("meetings:election_detail", pk=election.pk)
    return form_page(request, "meetings/election_form.html", {
        "form": form, "org": org, "rows": _election_rows(voters, posted, row_errors), "entitled": len(voters),
        "positions": POSITION_CHOICES,
    })


@require_perm(ElectionsPerm.VIEW)
@require_GET
def election_detail(request, pk: int):
    """选举结果: voters, votes, the elected committee, the higher org's approval."""
    election = sel.election_get(actor=request.user, pk=pk)
    return render(request, "meetings/election_detail.html", _detail_context(request.user, election))


def _detail_context(actor: Any, election, form=None) -> dict[str, Any]:
    parent = org_parent(actor=actor, org=election.org, perm=ElectionsPerm.VIEW)
    return {"election": election, "results": sel.election_results(actor=actor, election=election),
            "can_approve": not election.is_approved and sel.election_can_approve(actor=actor, election=election),
            "form": form or ApproveForm(initial={"approved_by": parent.code if parent else "",
                                                 "approved_on": timezone.localdate()})}


@require_perm(ElectionsPerm.CHANGE)
@require_POST
def election_approve(request, pk: int):
    """上级批复: the higher org approves the elected secretary and deputy (date, document)."""
    election = sel.election_get(actor=request.user, pk=pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.election_approve(actor=request.user, election=election,
                                 approved_by=sel.ancestor_by_code(actor=request.user, org=election.org,
                                                                       code=data["approved_by"]),
                                 approved_on=data["approved_on"], approval_doc=data["approval_doc"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已登记上级批复"))
            return redirect("meetings:election_detail", pk=election.pk)
    return render(request, "meetings/election_detail.html", _detail_context(request.user, election, form), status=400)


@require_perm(ElectionsPerm.CHANGE)
@require_http_methods(["GET", "POST"])
def term_postpone(request, pk: int):
    """延期换届: the higher org's approval (≤ 12 months after the end, DOMAIN §3)."""
    term = sel.term_get(actor=request.user, pk=pk, perm=ElectionsPerm.CHANGE)
    parent = org_parent(actor=request.user, org=term.org, perm=ElectionsPerm.CHANGE)
    form = PostponeForm(request.POST or None, initial={"approved_by": parent.code if parent else "",
                                                       "approved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            orgs_term_postpone(actor=request.user, term=term, until=data["until"],
                               approved_by=sel.ancestor_by_code(actor=request.user, org=term.org,
                                                                code=data["approved_by"]),
                               approved_on=data["approved_on"], approval_doc=data["approval_doc"],
                               reason=data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已登记延期换届"))
            return redirect(f"{reverse('meetings:elections')}?org={term.org.code}")
    return form_page(request, "meetings/postpone.html", {"form": form, "term": term})

