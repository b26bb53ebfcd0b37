"""Pages of the dues app: the calculator (any signed-in user), bills with the collection rate and
arrears per org (``dues.view``, scoped), a member's dues page with payment and profile forms, and the
finance reconciliation export.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. An org or member outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.scoping import report_out_of_scope, resolver
from dangjian.core.spreadsheet import CONTENT_TYPES, CSV, XLSX, TableWriter, csv_lines
from dangjian.dues.calc import arrears_rows, member_due
from dangjian.dues.choices import DuesCategory, DuesPerm
from dangjian.dues.forms import (
    ArrearsFilterForm,
    BillFilterForm,
    CalculatorForm,
    ExportForm,
    PaymentForm,
    ProfileForm,
)
from dangjian.dues.periods import parse_period, period_of
from dangjian.dues.rules import calculate, rule_book_in_force
from dangjian.dues.selectors import (
    RECONCILIATION_COLUMNS,
    arrears_list,
    bill_list,
    collection_rate,
    collection_rates,
    dues_can_change,
    dues_member_get,
    payment_list,
    profile_of,
    reconciliation_rows,
    relief_list,
)
from dangjian.dues.services import payment_record, profile_set, reconciliation_export_record
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_children, org_get_by_code
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm

__all__ = ["arrears", "bills", "calculator", "export", "member", "pay", "profile"]

PAGE_SIZE = 50


def _org(actor: Any, code: str | None) -> Organization | None:
    """The org of a code typed in a filter: outside the actor's ``dues.view`` scope it is 404 like a missing one."""
    code = (code or "").strip()
    return org_get_by_code(actor=actor, code=code, perm=DuesPerm.VIEW) if code else None


def _links(params: dict[str, Any], next_cursor: str | None) -> dict[str, str | None]:
    base = {k: v for k, v in params.items() if v}
    return {"first": "?" + urlencode(base), "next": "?" + urlencode({**base, "cursor": next_cursor})
            if next_cursor else None}


def _rule_rows(book) -> list[dict[str, Any]]:
    if book is None:
        return []
    labels = dict(DuesCategory.choices)
    return [{"category": labels[c], "brackets": book.brackets[c]} for c in book.categories()]


@require_perm(None)  # the calculator is for every signed-in member and staff
@require_GET
def calculator(request):
    """党费计算器: the monthly amount for a category and base under the rules in force."""
    form = CalculatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            result = calculate(data["category"], data["base"], on=data.get("on"))
        except DomainError as exc:
            add_domain_errors(form, exc)
    book = rule_book_in_force((form.cleaned_data.get("on") if form.is_bound and form.is_valid() else None)
                              or timezone.localdate())
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "dues/calculator.html", {"form": form, "result": result, "book": book,
                                                    "rules": _rule_rows(book),
                                                    "can_view": resolver().has_perm_anywhere(request.user,
                                                                                             DuesPerm.VIEW)},
                  status=status)


@require_perm(DuesPerm.VIEW)
@require_GET
def bills(request):
    """党费账单: one month's bills in an org's subtree, its collection rate and its sub-orgs' rates."""
    actor = request.user
    form = BillFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = _org(actor, data.get("org"))
    period = data.get("period") or str(period_of(timezone.localdate()))
    try:
        period = str(parse_period(period))
    except DomainError as exc:
        add_domain_errors(form, exc)
        period = str(period_of(timezone.localdate()))
    qs = bill_list(actor=actor, org=org, period=period, status=data.get("status") or None)
    page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    children = list(org_children(actor=actor, org=org, perm=DuesPerm.VIEW)[:200]) if org else []
    rates = collection_rates(actor=actor, orgs=children, period=period)
    return render(request, "dues/bills.html", {
        "form": form,
        "org": org,
        "period": period,
        "bills": page.items,
        "summary": collection_rate(actor=actor, org=org, period=period),
        "children": [(child, rates[child.pk]) for child in children],
        "links": _links({"org": org.code if org else "", "period": period, "status": data.get("status")},
                        page.next_cursor),
    })


@require_perm(DuesPerm.VIEW)
@require_GET
def arrears(request):
    """欠缴党费: members with open bills, the age of the oldest unpaid month and the alert level."""
    actor = request.user
    form = ArrearsFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    org = _org(actor, data.get("org"))
    as_of = data.get("as_of") or timezone.localdate()
    book = rule_book_in_force(as_of)
    qs = arrears_list(actor=actor, org=org, as_of=as_of, min_level=data.get("level") or None, book=book)
    page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    return render(request, "dues/arrears.html", {
        "form": form,
        "org": org,
        "as_of": as_of,
        "book": book,
        "rows": arrears_rows(page.items, as_of=as_of, book=book) if book else [],
        "links": _links({"org": org.code if org else "", "as_of": as_of.isoformat(), "level": data.get("level")},
                        page.next_cursor),
    })


def _xlsx(rows) -> bytes:
    out = io.BytesIO()
    sheet = TableWriter(out, XLSX, RECONCILIATION_COLUMNS, title="党费对账")
    for row in rows:
        sheet.append(row)
    sheet.close()
    return out.getvalue()


@require_perm(DuesPerm.VIEW)
@require_GET
def export(request):
    """对账导出 for finance: the payments received in a month (scoped), as CSV (streamed) or xlsx."""
    actor = request.user
    form = ExportForm(request.GET or None, initial={"month": str(period_of(timezone.localdate()))})
    if not (request.GET and form.is_valid()):
        return render(request, "dues/export.html", {"form": form}, status=400 if form.is_bound else 200)
    data = form.cleaned_data
    org = _org(actor, data.get("org"))
    try:
        month = str(parse_period(data["month"], field="month"))
    except DomainError as exc:
        add_domain_errors(form, exc)
        return render(request, "dues/export.html", {"form": form}, status=400)
    reconciliation_export_record(actor=actor, month=month, org=org, fmt=data["format"])
    rows = reconciliation_rows(actor=actor, month=month, org=org)
    name = f"dues-{month}{'-' + org.code if org else ''}"
    if data["format"] == "xlsx":
        response = HttpResponse(_xlsx(rows), content_type=CONTENT_TYPES[XLSX])
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(csv_lines(RECONCILIATION_COLUMNS, rows), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _member_context(actor: Any, member, *, payment_form=None, profile_form=None) -> dict[str, Any]:
    can_change = dues_can_change(actor=actor, member=member)
    profile = profile_of(actor=actor, member=member)
    today = timezone.localdate()
    due = None
    if profile is not None:
        try:
            due = member_due(member=member, profile=profile, on=today)
        except DomainError:
            due = None
    return {
        "member": member,
        "profile": profile,
        "due": due,
        "bills": list(bill_list(actor=actor, member=member).order_by("-period")[:24]),
        "payments": list(payment_list(actor=actor, member=member).order_by("-paid_on", "-pk")[:20]),
        "reliefs": list(relief_list(actor=actor, member=member).order_by("-valid_from")[:10]),
        "can_change": can_change,
        "payment_form": payment_form or (PaymentForm(initial={"paid_on": today}) if can_change else None),
        "profile_form": profile_form or (ProfileForm(initial={
            "category": profile.category if profile else DuesCategory.IN_SERVICE,
            "base": profile.declared_base if profile else "", "on": today}) if can_change else None),
    }


@require_perm(None)  # a member's own dues are always visible to them (STYLE §4); others need dues.view in scope
@require_GET
def member(request, pk: int):
    """A member's dues: profile, what is due now, bills, payments, hardship relief; staff forms."""
    actor = request.user
    target = dues_member_get(actor=actor, pk=pk)
    return render(request, "dues/member.html", _member_context(actor, target))


def _member_for_change(actor: Any, pk: int):
    target = dues_member_get(actor=actor, pk=pk)
    if not dues_can_change(actor=actor, member=target):
        report_out_of_scope(type(target), actor, DuesPerm.CHANGE, pk=target.pk)
        raise Http404("not found")
    return target


@require_perm(DuesPerm.CHANGE)
@require_POST
def pay(request, pk: int):
    """Records a payment (idempotent by channel + reference) and settles bills oldest first."""
    actor = request.user
    target = _member_for_change(actor, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_record(actor=actor, member=target, amount=data["amount"], reference=data["reference"],
                                     channel=data["channel"], paid_on=data["paid_on"],
                                     voluntary_extra=data.get("voluntary_extra") or 0, note=data.get("note", ""))
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已登记缴费 %(amount)s 元（流水号 %(ref)s）") % {
                "amount": payment.amount, "ref": payment.reference})
            return redirect("dues:member", pk=target.pk)
    return render(request, "dues/member.html", _member_context(actor, target, payment_form=form), status=400)


@require_perm(DuesPerm.CHANGE)
@require_POST
def profile(request, pk: int):
    """Sets the member's dues category and declares the monthly base."""
    actor = request.user
    target = _member_for_change(actor, pk)
    form = ProfileForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            profile_set(actor=actor, member=target, category=data["category"], base=data.get("base"),
                        on=data.get("on"), reason=data.get("reason", ""))
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("已更新党费档案"))
            return redirect("dues:member", pk=target.pk)
    return render(request, "dues/member.html", _member_context(actor, target, profile_form=form), status=400)

