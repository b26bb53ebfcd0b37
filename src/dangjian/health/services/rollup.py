"""The monitoring rollup (``OrgRollup``): each organisation's indicators summed over its subtree.

Why a persisted rollup and not live aggregates: the monitoring table of the root of a 60,000-org tree
must answer within 100 ms, and any live aggregate over a million members (or a month's million dues
bills) costs several hundred milliseconds on its own. So every scan refreshes the rows of the orgs it
covered, and the table reads only the rows of the children it shows (see ``selectors.monitor_table``).

How: the organisation's *own* values come from one grouped query per indicator (``GROUP BY org_id``
over members, open pipelines, last month's dues bills, open findings), restricted to the scope (a full
scan reuses the member counts its rules already read); the subtree values are then summed bottom-up along
the materialised paths in Python (each org added to its parent, deepest level first). A full scan
recomputes every row; a subtree or event-driven scan its orgs and their ancestors, reading the stored rows
of untouched children. Only rows whose values changed are written (a digest of the values is stored).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from dangjian.core.scoping import path_range_q
from dangjian.health.choices import (
    COUNTED_STATUSES,
    OPEN_STATES,
    RULE_GROUPS,
    RollupKind,
    RuleCode,
)
from dangjian.health.models import Finding, OrgRollup
from dangjian.health.rules import SYSTEM, OrgScope, ScanContext, get_rule
from dangjian.health.services.bulk import json_text, upsert_rows
from dangjian.members.choices import Category
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization

__all__ = ["ROLLUP_FIELDS", "Indicators", "rollups_refresh"]

_MONEY = DecimalField(max_digits=16, decimal_places=2)
ROLLUP_FIELDS = (
    "orgs_active", "branches", "members_total", "members_full", "members_probationary", "pipelines_open",
    "dues_bills", "dues_settled", "dues_due", "dues_paid", "findings_info", "findings_warning",
    "findings_critical", "orgs_with_structure_findings",
)
_STRUCTURE = set(RULE_GROUPS["structure"])


@dataclass
class Indicators:
    """The indicator values of one org (own or subtree)."""

    values: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(ROLLUP_FIELDS, 0))
    by_rule: dict[str, int] = field(default_factory=dict)
    org_types: dict[str, int] = field(default_factory=dict)
    cadence: dict[str, int] = field(default_factory=dict)

    def add(self, other: Indicators) -> None:
        values = self.values
        for name, n in other.values.items():
            if n:  # most values of most orgs are 0
                values[name] += n
        for mine, theirs in ((self.by_rule, other.by_rule), (self.org_types, other.org_types),
                             (self.cadence, other.cadence)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n

    @classmethod
    def of_row(cls, row: OrgRollup) -> Indicators:
        return cls({name: getattr(row, name) for name in ROLLUP_FIELDS}, dict(row.by_rule), dict(row.org_types),
                   dict(row.cadence))


@dataclass(frozen=True)
class _Node:
    pk: int
    path: str
    depth: int
    org_type: str
    status: str


def _dues_period(today: dt.date) -> str:
    """The last complete month: the collection rate of the current month is still filling up."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


def _available(code: str) -> bool:
    rule = get_rule(code)
    return rule is not None and rule.available()


def _own(where, nodes: dict[int, _Node], today: dt.date,
         stats: dict[int, tuple[int, int, int]] | None = None) -> dict[int, Indicators]:
    """Own indicator values of *nodes*; ``where(path_lookup, id_lookup)`` restricts each query to them;
    *stats* are member counts per org already read (all, full, probationary)."""
    own = {pk: Indicators() for pk in nodes}
    for node in nodes.values():
        if node.status == OrgStatus.ACTIVE:
            ind = own[node.pk]
            ind.values["orgs_active"] = 1
            ind.values["branches"] = int(node.org_type == OrgType.BRANCH)
            ind.org_types[node.org_type] = 1

    if stats is not None:  # the full scan's own member counts (one read of the register per scan)
        members: Iterable = ((org_id, n, full, prob) for org_id, (n, full, prob) in stats.items())
    else:
        members = (Member.objects.filter(where("org__path", "org_id"), status__in=COUNTED_STATUSES).order_by()
                   .values("org_id").annotate(total=Count("pk"), full=Count("pk", filter=Q(category=Category.FULL)),
                                              prob=Count("pk", filter=Q(category=Category.PROBATIONARY)))
                   .values_list("org_id", "total", "full", "prob"))
    for org_id, total, full, prob in members:
        if org_id in own:
            own[org_id].values.update(members_total=total, members_full=full, members_probationary=prob)

    if _available(RuleCode.STEP_OVERDUE):
        from dangjian.development.choices import Stage
        from dangjian.development.selectors import pipeline_list

        open_stages = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY)
        pipelines = (pipeline_list(actor=SYSTEM, stages=open_stages)
                     .filter(where("applicant__org__path", "applicant__org_id")).order_by()
                     .values("applicant__org_id").annotate(n=Count("pk")).values_list("applicant__org_id", "n"))
        for org_id, n in pipelines:
            if org_id in own:
                own[org_id].values["pipelines_open"] = n

    if _available(RuleCode.DUES_ARREARS):
        from dangjian.dues.choices import BillStatus
        from dangjian.dues.selectors import bill_list

        period = _dues_period(today)
        bills = (bill_list(actor=SYSTEM, period=period).filter(where("org__path", "org_id")).order_by()
                 .values("org_id")
                 .annotate(n=Count("pk"), settled=Count("pk", filter=Q(status__in=[BillStatus.PAID, BillStatus.WAIVED])),
                           due=Coalesce(Sum("amount_due"), Value(Decimal(0)), output_field=_MONEY),
                           paid=Coalesce(Sum("paid_amount"), Value(Decimal(0)), output_field=_MONEY))
                 .values_list("org_id", "n", "settled", "due", "paid"))
        for org_id, n, settled, due, paid in bills:
            if org_id in own:
                own[org_id].values.update(dues_bills=n, dues_settled=settled, dues_due=due, dues_paid=paid)

    findings = (Finding.objects.filter(where("org__path", "org_id"), state__in=OPEN_STATES).order_by()
                .values("org_id", "rule", "severity").annotate(n=Count("pk")).values_list("org_id", "rule", "severity", "n"))
    for org_id, rule, severity, n in findings:
        if org_id not in own:
            continue
        ind = own[org_id]
        ind.by_rule[rule] = ind.by_rule.get(rule, 0) + n
        ind.values[f"findings_{severity}"] += n
        if rule in _STRUCTURE:
            ind.values["orgs_with_structure_findings"] = 1

    codes = _kind_codes()
    if codes:
        short = (Finding.objects.filter(where("org__path", "org_id"), rule=RuleCode.CADENCE_SHORTFALL,
                                        state__in=OPEN_STATES).order_by().values_list("org_id", "subject_id"))
        for org_id, kind_id in short:
            code = codes.get(kind_id)
            if org_id in own and code:
                own[org_id].cadence[code] = own[org_id].cadence.get(code, 0) + 1
    return own


def _kind_codes() -> dict[int, str]:
    """kind id → code of the meeting kinds with an enabled cadence rule (meetings app), or {}."""
    if not _available(RuleCode.CADENCE_SHORTFALL):
        return {}
    from dangjian.meetings.selectors.cadence import cadence_rules

    return {rule.kind_id: rule.kind.code for rule in cadence_rules(actor=SYSTEM)}


def _nodes(q: Q) -> dict[int, _Node]:
    rows = Organization.objects.filter(q).order_by().values_list("pk", "path", "depth", "org_type", "status")
    return {pk: _Node(pk, path, depth, org_type, status) for pk, path, depth, org_type, status in rows.iterator(5000)}


def _ancestor_ids(nodes: Iterable[_Node]) -> Q:
    step = Organization.steplen
    prefixes = {n.path[: step * d] for n in nodes for d in range(1, n.depth)}
    return Q(path__in=sorted(prefixes)) if prefixes else Q(pk__in=[])


def _digest(ind: Indicators, period: str) -> str:
    payload = repr((period, tuple(map(str, ind.values.values())), sorted(ind.by_rule.items()),
                    sorted(ind.org_types.items()), sorted(ind.cadence.items())))
    return hashlib.blake2b(payload.encode(), digest_size=8).hexdigest()


_COLUMNS = ("org_id", "kind", "computed_at", "by_rule", "org_types", "cadence", "digest", "dues_period",
            *ROLLUP_FIELDS)


def _save(subtree: dict[int, Indicators], now, period: str) -> int:
    """Writes the rows whose values changed (upsert on (org, kind)); returns how many."""
    stored = dict(OrgRollup.objects.filter(kind=RollupKind.SUBTREE, org_id__in=list(subtree)).order_by()
                  .values_list("org_id", "digest").iterator(chunk_size=5000)) if len(subtree) < 5000 else \
        dict(OrgRollup.objects.filter(kind=RollupKind.SUBTREE).order_by().values_list("org_id", "digest")
             .iterator(chunk_size=5000))
    rows = []
    for pk, ind in subtree.items():
        dg = _digest(ind, period)
        if stored.get(pk) == dg:
            continue
        rows.append((pk, RollupKind.SUBTREE, now, json_text(ind.by_rule), json_text(ind.org_types),
                     json_text(ind.cadence), dg, period, *(ind.values[name] for name in ROLLUP_FIELDS)))
    return upsert_rows(OrgRollup, _COLUMNS, rows, conflict=("org_id", "kind"), update=_COLUMNS[2:])


def rollups_refresh(*, scope: OrgScope, today: dt.date, now, ctx: ScanContext | None = None) -> int:
    """Recomputes the subtree rollup rows of the orgs in *scope* and of their ancestors; returns the
    number of rows written (those whose values changed). Rows of children outside the scope are read as
    stored. *ctx* is the scan's context: a full scan's member counts and organisations are reused."""
    scope_q = scope.q("path", "pk")
    stats = None
    if ctx is not None and scope.is_all:
        from dangjian.health.rules.orgs import member_stats, org_nodes

        step = Organization.steplen
        nodes = {n.pk: _Node(n.pk, n.path, len(n.path) // step, n.org_type,
                             OrgStatus.ACTIVE if n.active else OrgStatus.DISSOLVED) for n in org_nodes(ctx)}
        stats = member_stats(ctx)
    else:
        nodes = _nodes(scope_q)
    if not scope.is_all:
        nodes.update(_nodes(_ancestor_ids(list(nodes.values()))))
    if not nodes:
        return 0
    ids = list(nodes)

    def where(path_lookup: str, id_lookup: str) -> Q:
        if scope.is_all:
            return Q()
        if scope.kind == "subtree":  # the subtree by its path range, plus its ancestors by id
            return scope.q(path_lookup, id_lookup) | Q(**{f"{id_lookup}__in": [n.pk for n in nodes.values()
                                                                               if not n.path.startswith(scope.path)]})
        return Q(**{f"{id_lookup}__in": ids})

    own = _own(where, nodes, today, stats)
    subtree = own  # each org's own values, then its children's subtrees added (deepest level first)
    by_path = {n.path: n.pk for n in nodes.values()}
    step = Organization.steplen
    if not scope.is_all:
        # children outside the computed set: add their stored subtree rows
        parents = [n for n in nodes.values() if scope.kind == "ids" or not n.path.startswith(scope.path)]
        child_q = Q(pk__in=[])
        for n in parents:
            child_q |= path_range_q("path", n.path) & Q(depth=n.depth + 1)
        stored = (OrgRollup.objects.filter(kind=RollupKind.SUBTREE).filter(
            org__in=Organization.objects.filter(child_q).exclude(pk__in=ids)).select_related("org"))
        for row in stored:
            parent = by_path.get(row.org.path[:-step])
            if parent is not None:
                subtree[parent].add(Indicators.of_row(row))
    for node in sorted(nodes.values(), key=lambda n: -n.depth):
        parent = by_path.get(node.path[:-step]) if node.depth > 1 else None
        if parent is not None:
            subtree[parent].add(subtree[node.pk])
    with transaction.atomic():
        return _save(subtree, now, _dues_period(today))
