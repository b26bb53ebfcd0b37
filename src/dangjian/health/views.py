"""Pages of the health app: the monitoring table (drill down by org, sortable, Excel export, ECharts
overview), the findings list with acknowledging, the rules and their settings.

Composition only: reads through selectors, writes through services, permissions declared with
``require_perm``. An org or finding outside the actor's scope is "not found" (404), like a missing one.
"""
from __future__ import annotations

import dataclasses
import io
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.declarations import label as code_label
from dangjian.core.errors import DomainError
from dangjian.core.pagination import keyset_page
from dangjian.core.spreadsheet import CONTENT_TYPES, XLSX, Cell, XlsxBook
from dangjian.health.choices import HealthPerm, Severity, Status
from dangjian.health.forms import FindingFilterForm, RuleEditForm
from dangjian.health.rules import all_rules, get_rule
from dangjian.health.selectors import (
    MonitorRow,
    MonitorTable,
    finding_can_acknowledge,
    finding_get,
    finding_list,
    monitor_table,
    role_choices,
    rule_setting,
    rule_settings,
)
from dangjian.health.services import finding_acknowledge, rule_update
from dangjian.health.services.config import RULESET
from dangjian.orgs.models import Organization
from dangjian.orgs.pickers import org_from_picker
from dangjian.orgs.selectors import org_ancestors, org_get_by_code
from dangjian.ui.permissions import require_perm
from dangjian.ui.rules import RuleRow, rule_rows, rule_views

__all__ = ["acknowledge", "findings", "monitor", "monitor_export", "rule_edit", "rules"]

PAGE_SIZE = 50
STATUS_CSS = {Status.GREEN: "success", Status.AMBER: "warning", Status.RED: "danger", Status.NONE: "secondary"}
SEVERITY_CSS = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "danger"}
STATUS_FILL = {Status.GREEN: "C6EFCE", Status.AMBER: "FFEB9C", Status.RED: "FFC7CE"}


def _org(actor: Any, code: str | None) -> Organization | None:
    code = (code or "").strip()
    return org_get_by_code(actor=actor, code=code, perm=HealthPerm.VIEW) if code else None


def _percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def _columns(table: MonitorTable) -> list[dict[str, str]]:
    cols = [
        {"key": "name", "label": _("组织")},
        {"key": "members", "label": _("党员（正式/预备）")},
        {"key": "structure", "label": _("组织设置")},
        *({"key": f"cadence:{k.code}", "label": k.name} for k in table.kinds),
        {"key": "dues", "label": _("党费收缴率")},
        {"key": "pipelines", "label": _("发展党员（逾期）")},
        {"key": "expired", "label": _("换届（逾期/将届满）")},
        {"key": "findings", "label": _("问题（严重/警告/提示）")},
    ]
    for col in cols:
        col["sort"] = ("-" if table.sort == col["key"] else "") + col["key"]
        col["active"] = table.sort.lstrip("-") == col["key"]
        col["desc"] = table.sort.startswith("-")
    return cols


class _Texts:
    """The translated strings of the table, looked up once per request (not once per cell)."""

    def __init__(self) -> None:
        self.ok = _("正常")
        self.issues = _("%(n)s 个组织有问题")
        self.short = _("%(a)s 个组织中 %(s)s 个未达标")
        self.labels = {status: str(label) for status, label in Status.choices}


def _cell(text: str, status: str, value: Any, texts: _Texts, title: str = "") -> dict[str, Any]:
    return {"text": text, "status": status, "value": value, "title": title, "css": STATUS_CSS[status],
            "label": texts.labels[status]}


def _cells(row: MonitorRow, texts: _Texts | None = None) -> list[dict[str, Any]]:
    """The table cells of a row after the name: text, colour, tooltip (also the Excel export's)."""
    texts = texts or _Texts()
    issues = row.structure_issues
    cells = [
        _cell(f"{row.members_total}（{row.members_full}/{row.members_probationary}）", Status.NONE,
              row.members_total, texts),
        _cell(texts.issues % {"n": issues} if issues else texts.ok, row.structure_status, issues, texts),
    ]
    for c in row.cadence:
        cells.append(_cell(_percent(c.rate), c.status, c.rate, texts, texts.short % {"a": c.applicable, "s": c.short}))
    rollup = row.rollup
    cells += [
        _cell(_percent(row.dues_rate), row.dues_status, row.dues_rate, texts,
              f"{rollup.dues_period} {rollup.dues_paid}/{rollup.dues_due}" if rollup else ""),
        _cell(f"{row.pipelines_open}（{row.pipelines_overdue}）", row.pipelines_status, row.pipelines_overdue, texts),
        _cell(f"{row.terms_expired}/{row.terms_expiring}", row.terms_status, row.terms_expired, texts),
        _cell(f"{row.findings_critical}/{row.findings_warning}/{row.findings_info}", row.findings_status,
              row.findings_total, texts),
    ]
    return cells


def _cells_html(cells: list[dict[str, Any]], labels: list[str], *, bold: bool = False) -> str:
    """The ``<td>`` of a row's cells, built here rather than in the template: a 60-row table of ~16 cells
    renders several times faster as plain strings (every text is escaped) than with template tags. Each
    cell carries its column's name (``data-label``): on a phone the rows are shown as cards, one labelled
    value per cell, instead of a table wider than the screen."""
    css = "text-end text-nowrap" + (" fw-semibold" if bold else "")
    parts = []
    for c, label in zip(cells, labels, strict=True):
        title = f' title="{escape(c["title"])}"' if c["title"] else ""
        dot = (f'<span class="badge rounded-pill text-bg-{c["css"]} me-1" aria-label="{escape(c["label"])}">'
               "&nbsp;</span>") if c["status"] != Status.NONE else ""
        parts.append(f'<td class="{css}" data-status="{c["status"]}" data-label="{escape(label)}"{title}>'
                     f'{dot}{escape(c["text"])}</td>')
    return mark_safe("".join(parts))  # every text escaped above; the rest is fixed markup


def _row_html(row: MonitorRow, cells: list[dict[str, Any]], labels: list[str], findings_url: str,
              findings_title: str) -> str:
    code, name = escape(row.org.code), escape(row.org.name)
    link = quote(row.org.code)
    if row.org.numchild:
        name = f'<a href="?org={link}" data-drill="{code}">{name}</a>'
    return mark_safe(  # the org's name and code escaped, the rest fixed markup
        f'<tr data-org="{code}"><th scope="row" class="fw-normal text-nowrap">{name} <a class="ms-1 text-muted" '
        f'href="{findings_url}?org={link}" title="{escape(findings_title)}"><i class="bi bi-list-ul"></i></a></th>'
        f"{_cells_html(cells, labels)}</tr>")


def _chart(table: MonitorTable) -> dict[str, Any]:
    """ECharts heat map data: open findings by rule (x) and org (y)."""
    codes = table.rules_seen
    titles = {r.code: str(r.title) for r in all_rules()}
    rows = table.rows[:60]  # a readable chart; the table lists every row
    data = [[x, y, row.by_rule.get(code, 0)] for y, row in enumerate(rows) for x, code in enumerate(codes)]
    return {"rules": [titles.get(c, c) for c in codes], "codes": codes, "orgs": [r.org.name for r in rows],
            "data": data, "max": max((d[2] for d in data), default=0)}


@require_perm(HealthPerm.VIEW)
@require_GET
def monitor(request):
    """组织健康监测表: the children of ``?org=CODE`` (default: the actor's top orgs) with their subtree's
    indicators, red/amber/green; click an org to drill down."""
    actor = request.user
    org = _org(actor, request.GET.get("org"))
    table = monitor_table(actor=actor, org=org, sort=request.GET.get("sort") or "name")
    ancestors = org_ancestors(actor=actor, orgs=[org], perm=HealthPerm.VIEW)[org.pk] if org else []
    base = {"org": org.code} if org else {}
    texts = _Texts()
    rows = [(row, _cells(row, texts)) for row in table.rows]
    findings_url, findings_title = reverse("health:findings"), _("问题清单")
    total = (table.total, _cells(table.total, texts)) if table.total else None
    columns = _columns(table)
    labels = [str(col["label"]) for col in columns[1:]]
    return render(request, "health/monitor.html", {
        "table": table, "org": org, "ancestors": ancestors, "columns": columns, "rows": rows,
        "rows_html": [_row_html(row, cells, labels, findings_url, findings_title) for row, cells in rows],
        "total": total, "total_html": _cells_html(total[1], labels, bold=True) if total else "",
        "chart": _chart(table), "export_url": reverse("health:monitor_export") + "?" + urlencode(
            {**base, "sort": table.sort}),
        "base_query": urlencode(base),
    })


@require_perm(HealthPerm.VIEW)
@require_GET
def monitor_export(request):
    """The monitoring table as an Excel workbook (the same rows, values and colours)."""
    actor = request.user
    org = _org(actor, request.GET.get("org"))
    table = monitor_table(actor=actor, org=org, sort=request.GET.get("sort") or "name")
    book = XlsxBook()
    ws = book.sheet(_("组织健康监测"), widths={1: 28})
    ws.append([Cell(c["label"], bold=True) for c in _columns(table)] + [Cell(_("组织代码"), bold=True)])
    rows = [*table.rows, *([table.total] if table.total else [])]
    texts = _Texts()
    for row in rows:
        name = row.org.name if row is not table.total else _("合计：%(o)s") % {"o": row.org.name}
        cells = _cells(row, texts)
        ws.append([name, *[Cell(c["text"], fill=STATUS_FILL.get(c["status"])) for c in cells], row.org.code])
    ws.append([])
    stamp = timezone.localtime(table.computed_at).strftime("%Y-%m-%d %H:%M") if table.computed_at else "—"
    ws.append([_("数据更新于 %(t)s") % {"t": stamp}])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[XLSX])
    name = f"health-monitor-{org.code if org else 'top'}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_perm(HealthPerm.VIEW)
@require_GET
def findings(request):
    """监测问题清单 in the actor's scope, filtered, keyset-paginated; acknowledge buttons where allowed."""
    actor = request.user
    data = request.GET.copy()
    data.setdefault("state", "active")
    form = FindingFilterForm(data)
    items: list[Any] = []
    next_cursor = None
    org = None
    if form.is_valid():
        org = org_from_picker(actor, form, "org")
    if form.is_valid():
        f = form.cleaned_data
        qs = finding_list(actor=actor, rule=f["rule"] or None, org=org, state=f["state"] or None,
                          severity=f["severity"] or None)
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
        items, next_cursor = page.items, page.next_cursor
    can_ack = finding_can_acknowledge(actor=actor, findings=items)
    titles = {r.code: r.title for r in all_rules()}
    params = {k: v for k, v in data.items() if k != "cursor" and v}
    return render(request, "health/findings.html", {
        "form": form, "org": org, "can_ack": can_ack, "severity_css": SEVERITY_CSS,
        "rows": [(f, titles.get(f.rule, f.rule), SEVERITY_CSS.get(f.severity, "secondary")) for f in items],
        "next_url": "?" + urlencode({**params, "cursor": next_cursor}) if next_cursor else None,
        "first_url": "?" + urlencode(params), "here": request.get_full_path(),
    })


@require_perm(HealthPerm.ACKNOWLEDGE)
@require_POST
def acknowledge(request, pk: int):
    """确认 one finding (audited), then back to the list the button was on."""
    finding = finding_get(actor=request.user, pk=pk, perm=HealthPerm.ACKNOWLEDGE)
    try:
        finding_acknowledge(actor=request.user, finding=finding, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, "；".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("已确认：%(m)s") % {"m": finding.message})
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("health:findings")
    return redirect(target)


def _rule_rows(request) -> list[RuleRow]:
    """The kit's rows with what a health rule adds: what it checks, whom it notifies, whether it runs."""
    settings = {s.code: s for s in rule_settings(actor=request.user)}
    roles = dict(role_choices(actor=request.user))
    rows = []
    for row in rule_rows(RULESET):
        s = settings[row.code]
        note = _("%(description)s 通知：%(role)s") % {"description": s.rule.description,
                                                     "role": roles.get(s.notify_role) or code_label("role", s.notify_role)}
        if not s.available:
            note = f"{note} {_('（数据来源未安装，暂不运行）')}"
        rows.append(dataclasses.replace(row, note=note))
    return rows


def _form_kwargs(request, code: str) -> dict[str, Any]:
    setting = rule_setting(actor=request.user, code=code) if get_rule(code) is not None else None
    return {"roles": role_choices(actor=request.user), "notify_role": setting.notify_role if setting else ""}


rules, rule_edit = rule_views(
    ruleset=RULESET, view_perm=HealthPerm.VIEW, update=rule_update, url="health:rules", title=_l("监测规则"),
    nav="health/_nav.html", rows=_rule_rows, form_class=RuleEditForm, form_kwargs=_form_kwargs,
    intro=_l("每条规则的参数默认取自法规规定（见依据），管理员可在规定范围内调整；规则适用于整个平台。"),
    saved=_l("规则已修改，将按新参数重新检查全部组织"),
)
