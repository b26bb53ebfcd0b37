"""Helpers of the meetings pages: org codes from forms, roll rows and their errors."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.core.parsing import parse_int
from dangjian.meetings.periods import parse_period, window_of
from dangjian.orgs.pickers import org_choice, org_pick_resolve
from dangjian.ui.forms import add_domain_errors
from dangjian.ui.pickers import show_choice

__all__ = ["default_times", "form_page", "month_from_form", "org_from_code", "split_row_errors", "with_row_errors"]


def form_page(request, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def org_from_code(actor: Any, form: Any, field: str, perm: str, code: str | None = None):
    """The org chosen in the form's org picker — a code or a name — (in the actor's scope for *perm*), else
    a field error; the page then shows the org's name and parent path (issue 9)."""
    code = (code if code is not None else form.cleaned_data.get(field) or "").strip()
    if not code:
        return None
    org, error = org_pick_resolve(actor=actor, text=code, perm=perm)
    if org is None:
        form.add_error(field, error)
        return None
    if field in form.fields:
        show_choice(form, field, org_choice(actor=actor, org=org))
    return org


def split_row_errors(exc: DomainError, prefix: str, row_keys: list[Any]) -> tuple[dict[Any, list[str]], DomainError | None]:
    """Errors on ``<prefix>.<i>.<x>`` go to row *i* (keyed by ``row_keys[i]``); the rest stay a DomainError."""
    rows: dict[Any, list[str]] = {}
    rest = []
    for err in exc.errors:
        parts = (err.field or "").split(".")
        index = parse_int(parts[1], minimum=0, maximum=len(row_keys) - 1) if len(parts) >= 2 else None
        if parts[0] == prefix and index is not None:
            rows.setdefault(row_keys[index], []).append(err.message)
        else:
            rest.append(err)
    return rows, (DomainError(rest) if rest else None)


def with_row_errors(form: Any, exc: DomainError, prefix: str, row_keys: list[Any],
                    field_map: dict[str, str] | None = None, shown: set[Any] | None = None) -> dict[Any, list[str]]:
    """Puts each row error on its row (when the row is *shown*; else on the form) and the others on the
    form's fields; returns the row errors by key."""
    rows, rest = split_row_errors(exc, prefix, row_keys)
    if rest is not None:
        add_domain_errors(form, rest, field_map)
    if shown is not None:
        for key in [k for k in rows if k not in shown]:
            for message in rows.pop(key):
                form.add_error(None, message)
    if rows and not form.non_field_errors():
        form.add_error(None, _("请检查下面标出的行"))
    form.mark_invalid()
    return rows


def default_times(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A meeting that just ended: from an hour ago (on the quarter hour) for an hour."""
    now = timezone.localtime(now)
    start = (now - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    start = start.replace(minute=start.minute - start.minute % 15)
    return start, start + dt.timedelta(hours=1)


def month_from_form(form):
    """The month typed in a filter form (``YYYY-MM``; a field error otherwise), else this month."""
    text = (form.cleaned_data.get("month") or "").strip() if hasattr(form, "cleaned_data") else ""
    if text:
        try:
            window = parse_period(text, field="month")
            if window.unit == "month":
                return window
        except DomainError:
            pass
        form.add_error("month", _("月份格式应为 YYYY-MM"))
    return window_of("month", timezone.localdate())
