"""The operation log page (操作日志): scoped to the actor's subtree, filtered, keyset-paged by ``seq``.

Composition only: reads through selectors; permission declared with ``require_perm``.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.audit.choices import AuditAction, audit_target_types
from dangjian.audit.forms import AuditFilterForm
from dangjian.audit.paging import audit_page
from dangjian.audit.selectors import AUDIT_VIEW, audit_entries
from dangjian.ui.panels import annotate
from dangjian.ui.permissions import require_perm

__all__ = ["log"]

PAGE_SIZE = 50
TRAIL_MAX = 30


def _pretty(data) -> str:
    if data in (None, {}, []):
        return ""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


@require_perm(AUDIT_VIEW)
@require_GET
def log(request):
    actor = request.user
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    cursor = request.GET.get("cursor", "")
    if valid:
        qs = audit_entries(actor=actor, action=data.get("action") or None, actor_name=data.get("actor") or None,
                           target_type=data.get("target_type") or None, date_from=data.get("date_from"),
                           date_to=data.get("date_to"))
        page = audit_page(qs, cursor=cursor or None, limit=PAGE_SIZE)
        entries, next_cursor = page.items, page.next_cursor
    else:
        entries, next_cursor = [], None
    annotate("audit.entries", actor, entries)  # the orgs app names each entry's organisation (org_obj)
    labels = dict(AuditAction.choices)
    for entry in entries:
        entry.action_label = labels.get(entry.action, entry.action)
        entry.before_json = _pretty(entry.before)
        entry.after_json = _pretty(entry.after)
    params = {k: v for k, v in request.GET.items() if k in form.fields and v}
    trail = [c for c in request.GET.get("trail", "").split(".") if c] if cursor else []

    def url(cur: str, tr: list[str]) -> str:
        query = dict(params)
        if cur and cur != "0":
            query["cursor"] = cur
            if tr:
                query["trail"] = ".".join(tr[-TRAIL_MAX:])
        return "?" + urlencode(query)

    links = {
        "first": url("", []) if cursor else None,
        "prev": (url(trail[-1], trail[:-1]) if trail else url("", [])) if cursor else None,
        "next": url(next_cursor, [*trail, cursor or "0"]) if next_cursor else None,
    }
    return render(request, "audit/log.html", {
        "form": form, "entries": entries, "links": links, "target_types": audit_target_types(),
    })
