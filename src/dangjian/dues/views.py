"""Pages of the dues app: the calculator (any signed-in user), bills with the collection rate and
arrears per org (``dues.view``, scoped), a member's dues page with payment and profile forms, and the
finance reconciliation export.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. An org or member outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.scoping import report_out_of_scope, resolver
from dangjian.core.spreadsheet import CONTENT_TYPES, CSV, XLSX, TableWriter, csv_lines
from dangjian.dues.calc import arrears_rows, member_due
from dangjian.dues.choices import DuesCategory, DuesPerm
from dangjian.dues.forms import (
    ArrearsFilterForm,
    BillFilterForm,
    BracketFormSet,
    CalculatorForm,
    ExportForm,
    PaymentForm,
    ProfileForm,
    RuleSetForm,
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
    dues_manages,
    dues_member_get,
    member_outstanding,
    my_member,
    payment_list,
    profile_of,
    reconciliation_rows,
    relief_list,
    rule_set_list,
)
from dangjian.dues.services import payment_record, profile_set, reconciliation_export_record, rule_set_add
from dangjian.dues.services.versions import rule_set_template
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import org_choice, org_pick_resolve
from dangjian.orgs.selectors import org_children
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.permissions import require_perm
from dangjian.ui.pickers import show_choice

__all__ = ["arrears", "bills", "calculator", "export", "home", "member", "mine", "pay", "profile", "rule_set_add_page",
           "rule_sets"]

PAGE_SIZE = 50


def _org(actor: Any, code: str | None, form: Any = None) -> Organization | None:
    """The org chosen in a filter (picker: a code or a name): outside the actor's ``dues.view`` scope it is
    404 like a missing one; the form then shows the org's name and parent path."""
    org, _error = org_pick_resolve(actor=actor, text=code or "", perm=DuesPerm.VIEW)
    if org is None and (code or "").strip():
        raise Http404("not found")
    if org is not None and form is not None:
        show_choice(form, "org", org_choice(actor=actor, org=org))
    return org


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
    org = _org(actor, data.get("org"), form)
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
    org = _org(actor, data.get("org"), form)
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
    org = _org(actor, data.get("org"), form)
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


def _member_context(actor: Any, member, *, payment_form=None, profile_form=None, mine: bool = False
                    ) -> dict[str, Any]:
    # on "my dues" the staff forms stay away, even for a manager looking at their own record
    can_change = not mine and dues_can_change(actor=actor, member=member)
    profile = profile_of(actor=actor, member=member)
    owed, owed_months = member_outstanding(actor=actor, member=member)
    today = timezone.localdate()
    due = None
    if profile is not None:
        try:
            due = member_due(member=member, profile=profile, on=today)
        except DomainError:
            due = None
    return {
        "member": member,
        "mine": mine,
        "profile": profile,
        "due": due,
        "owed": owed,
        "owed_months": owed_months,
        "bills": list(bill_list(actor=actor, member=member).order_by("-period")[:24]),
        "payments": list(payment_list(actor=actor, member=member).order_by("-paid_on", "-pk")[:20]),
        "reliefs": list(relief_list(actor=actor, member=member).order_by("-valid_from")[:10]),
        "can_change": can_change,
        # prefilled with what the open bills still owe (issue 9, point 8), the usual payment
        "payment_form": payment_form or (PaymentForm(initial={"paid_on": today, "amount": owed or ""})
                                         if can_change else None),
        "profile_form": profile_form or (ProfileForm(initial={
            "category": profile.category if profile else DuesCategory.IN_SERVICE,
            "base": profile.declared_base if profile else "", "on": today}) if can_change else None),
    }


@require_perm(DuesPerm.VIEW)
@require_GET
def home(request):
    """党费 in the menu: those who look after others' dues land on the bills, a plain member on their own."""
    return redirect("dues:bills" if dues_manages(actor=request.user) else "dues:mine")


@require_perm(None)  # one's own dues are always visible (STYLE §4), whatever else the account may do
@require_GET
def mine(request):
    """我的党费: what I owe, what I paid, and how my monthly amount is calculated."""
    target = my_member(actor=request.user)
    if target is None:
        return render(request, "dues/mine_none.html")
    return render(request, "dues/member.html", _member_context(request.user, target, mine=True))


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
            messages.success(request, _("已登记缴费 %(amount)s 元（流水号/收据号 %(ref)s）") % {
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



# ------------------------------------------------------------------------------------------ rule sets

_DOCUMENT_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")


def _document_numbers(citation: str) -> str:
    """The Chinese document numbers a citation names (中组发〔2008〕3号, …): what the page shows as the basis
    beside the version's Chinese name; the full citation stays in the fold-out."""
    return "、".join(dict.fromkeys(_DOCUMENT_NUMBER.findall(citation)))

@require_perm(DuesPerm.CONFIGURE)
@require_GET
def rule_sets(request):
    """党费标准: every version with its period of force, settings and brackets."""
    versions = list(rule_set_list(actor=request.user))
    today = timezone.localdate()
    current = next((v for v in versions if v.effective_from <= today
                    and (v.effective_to is None or v.effective_to >= today)), None)
    labels = dict(DuesCategory.choices)
    order = {c: i for i, c in enumerate(DuesCategory.values)}
    rows = []
    for version in versions:
        by_category: dict[str, list] = {}
        for bracket in sorted(version.brackets.all(), key=lambda b: (order.get(b.category, 99), b.lower is not None,
                                                                     b.lower or 0)):
            by_category.setdefault(bracket.category, []).append(bracket)
        rows.append({"version": version, "current": version is current, "document": _document_numbers(version.citation),
                     "categories": [{"label": labels.get(c, c), "brackets": b} for c, b in by_category.items()]})
    return render(request, "dues/rule_sets.html", {"rows": rows})


def _percent(rate) -> str:
    return "" if rate is None else format((rate * 100).normalize(), "f")


def _text(value) -> str:
    return "" if value is None else str(value)


def _version_initial(template: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    today = timezone.localdate()
    next_month = period_of(today).add(1).first_day
    settings = {k: v for k, v in template.items() if k != "brackets"}
    settings.update(effective_from=next_month, rounding_step=_text(settings.get("rounding_step")),
                    monthly_cap=_text(settings.get("monthly_cap")),
                    large_payment_threshold=_text(settings.get("large_payment_threshold")))
    rows = [{"category": b["category"], "lower": _text(b["lower"]), "upper": _text(b["upper"]),
             "rate_percent": _percent(b["rate"]), "fixed_amount": _text(b["fixed_amount"]),
             "fixed_min": _text(b["fixed_min"]), "fixed_max": _text(b["fixed_max"]), "citation": b["citation"]}
            for b in template["brackets"]]
    return settings, rows


_BRACKET_FORM_FIELD = {"rate": "rate_percent"}


def _put_errors(form, formset, forms_by_index: list, exc: DomainError) -> None:
    """Each service error onto its field: a setting on the form, ``brackets.<i>.<field>`` on row *i*."""
    for err in exc.errors:
        parts = (err.field or "").split(".")
        if parts[0] == "brackets" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(forms_by_index):
            row = forms_by_index[int(parts[1])]
            name = _BRACKET_FORM_FIELD.get(parts[2], parts[2])
            row.add_error(name if name in row.fields else None, err.message)
            row.mark_invalid()
        elif err.field in form.fields:
            form.add_error(err.field, err.message)
        else:
            form.add_error(None, err.message)
    form.mark_invalid()


@require_perm(DuesPerm.CONFIGURE)
@require_http_methods(["GET", "POST"])
def rule_set_add_page(request):
    """新增党费标准版本: prefilled from the version in force, so that only what changed is edited."""
    latest = rule_set_list(actor=request.user).first()
    settings, rows = _version_initial(rule_set_template(latest))
    if request.method == "POST":
        form = RuleSetForm(request.POST)
        formset = BracketFormSet(request.POST, prefix="brackets")
    else:
        form = RuleSetForm(initial=settings)
        formset = BracketFormSet(initial=rows, prefix="brackets")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        # rows left empty have no cleaned data; ticked rows are dropped
        kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        data = {**form.cleaned_data}
        reason = data.pop("reason", "")
        data["brackets"] = [{
            "category": f.cleaned_data["category"], "lower": f.cleaned_data["lower"], "upper": f.cleaned_data["upper"],
            "rate": f.cleaned_data["rate_percent"], "fixed_amount": f.cleaned_data["fixed_amount"],
            "fixed_min": f.cleaned_data["fixed_min"], "fixed_max": f.cleaned_data["fixed_max"],
            "citation": f.cleaned_data["citation"],
        } for f in kept]
        try:
            added = rule_set_add(actor=request.user, data=data, reason=reason)
        except DomainError as exc:
            _put_errors(form, formset, kept, exc)
        else:
            messages.success(request, _("已新增党费标准 %(v)s，自 %(d)s 起施行") % {
                "v": added.version, "d": added.effective_from.isoformat()})
            return redirect("dues:rule_sets")
    status = 400 if request.method == "POST" else 200
    return render(request, "dues/rule_set_form.html", {"form": form, "formset": formset, "latest": latest},
                  status=status)
