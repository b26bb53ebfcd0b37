"""Reads of the health app; every read of findings or indicators takes the acting user (STYLE §3).

- the rules with their effective settings (platform-wide configuration, the same for every reader);
- findings in the actor's scope, filtered, for the list and the API;
- the monitoring table: the children of one org with their indicators, read from the rollup rows the
  scans keep (``OrgRollup``), so its cost does not depend on the size of the subtree below.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from dangjian.core.scoping import get_for_actor, path_range_q, platform_readable, platform_rows
from dangjian.health.choices import (
    OPEN_STATES,
    RULE_GROUPS,
    STATUS_THRESHOLDS,
    FindingState,
    HealthPerm,
    RollupKind,
    RuleCode,
    Status,
)
from dangjian.health.models import Finding, OrgRollup, RuleConfig, ScanRun
from dangjian.health.rules import Rule, all_rules, get_rule
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_children, org_roots_for_actor

__all__ = [
    "MONITOR_COLUMNS",
    "CadenceCell",
    "CadenceKind",
    "MonitorRow",
    "MonitorTable",
    "RuleSetting",
    "cadence_kinds",
    "finding_can_acknowledge",
    "finding_get",
    "finding_list",
    "monitor_table",
    "role_choices",
    "rule_setting",
    "rule_settings",
]


# --- rules and their settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSetting:
    """A registered rule with the values in force: the stored ``RuleConfig`` over the rule's defaults."""

    rule: Rule
    params: dict[str, Any]
    severity: str
    enabled: bool
    notify_role: str
    updated_at: dt.datetime | None = None

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def available(self) -> bool:
        return self.rule.available()

    @property
    def runs(self) -> bool:
        return self.enabled and self.available


def _setting(rule: Rule, row: RuleConfig | None) -> RuleSetting:
    if row is None:
        return RuleSetting(rule, rule.defaults(), rule.severity, True, rule.notify_role)
    defaults = rule.defaults()
    # stored values of parameters the rule still has (a parameter removed from the code is ignored)
    params = {**defaults, **{k: v for k, v in (row.params or {}).items() if k in defaults}}
    return RuleSetting(rule, params, row.severity, row.enabled, row.notify_role, row.updated_at)


def rule_settings(*, actor: Any, perm: str = HealthPerm.VIEW) -> list[RuleSetting]:
    """Every registered rule with its settings, in registry order (one query). Platform-wide
    configuration: all of it for an actor holding *perm* somewhere (the system: the scans), else none."""
    if not platform_readable(actor, perm):
        return []
    rows = {row.code: row for row in platform_rows(RuleConfig.objects.all(), actor, perm)}
    return [_setting(rule, rows.get(rule.code)) for rule in all_rules()]


def rule_setting(*, actor: Any, code: str, perm: str = HealthPerm.VIEW) -> RuleSetting | None:
    """One rule with its settings (None: no such rule, or *perm* held nowhere)."""
    rule = get_rule(code)
    if rule is None or not platform_readable(actor, perm):
        return None
    return _setting(rule, platform_rows(RuleConfig.objects.all(), actor, perm).filter(code=code).first())


def role_choices(*, actor: Any, perm: str = HealthPerm.CONFIGURE) -> list[tuple[str, str]]:
    """(code, name) of the roles a rule may notify (accounts' role table, readable by the configurer)."""
    from dangjian.accounts.models import Role

    return list(platform_rows(Role.objects.all(), actor, perm).order_by("pk").values_list("code", "name"))


# --- findings -----------------------------------------------------------------------------------------


def finding_list(
    *,
    actor: Any,
    perm: str = HealthPerm.VIEW,
    rule: str | None = None,
    org: Organization | None = None,
    state: str | None = None,
    severity: str | None = None,
) -> QuerySet[Finding]:
    """Findings of the orgs in the actor's scope; *org* includes its subtree. ``state="active"`` means
    open or acknowledged (everything not resolved)."""
    qs = Finding.objects.for_actor(actor, perm)
    if rule:
        qs = qs.filter(rule=rule)
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    if state == "active":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if severity:
        qs = qs.filter(severity=severity)
    return qs.select_related("org", "acknowledged_by")


def finding_get(*, actor: Any, pk: int, perm: str = HealthPerm.VIEW) -> Finding:
    """One finding of an org in the actor's scope for *perm*, else 404 (missing and out of scope alike)."""
    return get_for_actor(Finding.objects.select_related("org", "acknowledged_by"), actor, perm, pk=pk)


def finding_can_acknowledge(*, actor: Any, findings: list[Finding]) -> set[int]:
    """The ids among *findings* the actor may acknowledge (``health.acknowledge`` on their org), in one query."""
    ids = [f.pk for f in findings if f.state == FindingState.OPEN]
    if not ids:
        return set()
    return set(Finding.objects.for_actor(actor, HealthPerm.ACKNOWLEDGE).filter(pk__in=ids)
               .values_list("pk", flat=True))


# --- the monitoring table -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceKind:
    """A meeting kind with an enabled cadence rule, and the org types the rule applies to."""

    code: str
    name: str
    org_types: tuple[str, ...]


def cadence_kinds(*, actor: Any) -> list[CadenceKind]:
    """The meeting kinds with an enabled cadence rule, in the meetings app's order; empty while the
    meetings app is not installed (the column group is then left out)."""
    rule = get_rule(RuleCode.CADENCE_SHORTFALL)
    if rule is None or not rule.available():
        return []
    from dangjian.meetings.selectors.cadence import cadence_rules

    names: dict[str, str] = {}
    types: dict[str, list[str]] = {}
    for r in cadence_rules(actor=actor):
        names.setdefault(r.kind.code, r.kind.name)
        types.setdefault(r.kind.code, []).append(r.org_type)
    return [CadenceKind(code, name, tuple(types[code])) for code, name in names.items()]


def _ratio_status(share: float | None, thresholds: dict[str, float]) -> str:
    if share is None:
        return Status.NONE
    if share >= thresholds["green"]:
        return Status.GREEN
    if share >= thresholds["amber"]:
        return Status.AMBER
    return Status.RED


@dataclass
class CadenceCell:
    code: str
    applicable: int
    short: int

    @property
    def rate(self) -> float | None:
        return None if not self.applicable else (self.applicable - self.short) / self.applicable

    @property
    def status(self) -> str:
        return _ratio_status(self.rate, STATUS_THRESHOLDS["cadence"])


@dataclass
class MonitorRow:
    """One organisation of the table with its subtree's indicators and their colours."""

    org: Organization
    rollup: OrgRollup | None
    cadence: list[CadenceCell] = field(default_factory=list)

    def _v(self, name: str) -> Any:
        return getattr(self.rollup, name) if self.rollup is not None else 0

    def _rules(self, group: str) -> int:
        by_rule = self.rollup.by_rule if self.rollup is not None else {}
        return sum(by_rule.get(code, 0) for code in RULE_GROUPS[group])

    # members and structure
    @property
    def members_total(self) -> int:
        return self._v("members_total")

    @property
    def members_full(self) -> int:
        return self._v("members_full")

    @property
    def members_probationary(self) -> int:
        return self._v("members_probationary")

    @property
    def orgs_active(self) -> int:
        return self._v("orgs_active")

    @property
    def structure_issues(self) -> int:
        return self._v("orgs_with_structure_findings")

    @property
    def structure_status(self) -> str:
        if not self.orgs_active:
            return Status.NONE
        share = 1 - self.structure_issues / self.orgs_active
        return _ratio_status(share, STATUS_THRESHOLDS["structure"])

    # dues
    @property
    def dues_rate(self) -> Decimal | None:
        due = self._v("dues_due")
        if not due:
            return None
        return (Decimal(self._v("dues_paid")) / Decimal(due)).quantize(Decimal("0.0001"))

    @property
    def dues_status(self) -> str:
        rate = self.dues_rate
        return _ratio_status(None if rate is None else float(rate), STATUS_THRESHOLDS["dues"])

    # pipelines
    @property
    def pipelines_open(self) -> int:
        return self._v("pipelines_open")

    @property
    def pipelines_overdue(self) -> int:
        return self._rules("pipelines_overdue")

    @property
    def pipelines_status(self) -> str:
        if not self.pipelines_open:
            return Status.NONE if not self.pipelines_overdue else Status.RED
        share = 1 - min(self.pipelines_overdue, self.pipelines_open) / self.pipelines_open
        return _ratio_status(share, STATUS_THRESHOLDS["pipelines"])

    # terms
    @property
    def terms_expiring(self) -> int:
        return self._rules("terms_expiring")

    @property
    def terms_expired(self) -> int:
        return self._rules("terms_expired")

    @property
    def terms_status(self) -> str:
        if self.terms_expired:
            return Status.RED
        if self.terms_expiring:
            return Status.AMBER
        return Status.GREEN if self.rollup is not None else Status.NONE

    # findings
    @property
    def findings_critical(self) -> int:
        return self._v("findings_critical")

    @property
    def findings_warning(self) -> int:
        return self._v("findings_warning")

    @property
    def findings_info(self) -> int:
        return self._v("findings_info")

    @property
    def findings_total(self) -> int:
        return self.findings_critical + self.findings_warning + self.findings_info

    @property
    def findings_status(self) -> str:
        if self.findings_critical:
            return Status.RED
        if self.findings_warning:
            return Status.AMBER
        return Status.GREEN if self.rollup is not None else Status.NONE

    @property
    def by_rule(self) -> dict[str, int]:
        return dict(self.rollup.by_rule) if self.rollup is not None else {}


def _sum_rows(org: Organization, rows: list[MonitorRow], kinds: list[CadenceKind]) -> MonitorRow:
    """The total of *rows* as one row (the actor sees only some children of *org*)."""
    total = OrgRollup(org=org, kind=RollupKind.SUBTREE, by_rule={}, org_types={}, cadence={})
    for row in rows:
        if row.rollup is None:
            continue
        for name in ("orgs_active", "branches", "members_total", "members_full", "members_probationary",
                     "pipelines_open", "dues_bills", "dues_settled", "dues_due", "dues_paid", "findings_info",
                     "findings_warning", "findings_critical", "orgs_with_structure_findings"):
            setattr(total, name, getattr(total, name) + getattr(row.rollup, name))
        for code, n in row.rollup.by_rule.items():
            total.by_rule[code] = total.by_rule.get(code, 0) + n
        for field_name in ("org_types", "cadence"):
            mine = getattr(total, field_name)
            for key, n in getattr(row.rollup, field_name).items():
                mine[key] = mine.get(key, 0) + n
        total.computed_at = max(filter(None, [total.computed_at, row.rollup.computed_at]), default=None)
    return _row(org, total, kinds)


def _row(org: Organization, rollup: OrgRollup | None, kinds: list[CadenceKind]) -> MonitorRow:
    short = rollup.cadence if rollup is not None else {}
    types = rollup.org_types if rollup is not None else {}
    cells = [CadenceCell(k.code, sum(types.get(t, 0) for t in k.org_types), short.get(k.code, 0)) for k in kinds]
    return MonitorRow(org, rollup, cells)


# sort keys of the table: column name → value of a row (None sorts last)
MONITOR_COLUMNS: dict[str, Any] = {
    "name": lambda r: r.org.path,
    "members": lambda r: r.members_total,
    "full": lambda r: r.members_full,
    "probationary": lambda r: r.members_probationary,
    "structure": lambda r: r.structure_issues,
    "dues": lambda r: r.dues_rate,
    "pipelines": lambda r: r.pipelines_open,
    "overdue": lambda r: r.pipelines_overdue,
    "expiring": lambda r: r.terms_expiring,
    "expired": lambda r: r.terms_expired,
    "critical": lambda r: r.findings_critical,
    "warning": lambda r: r.findings_warning,
    "findings": lambda r: r.findings_total,
}


@dataclass
class MonitorTable:
    org: Organization | None  # the org whose children are listed (None: the actor's top orgs)
    rows: list[MonitorRow]
    total: MonitorRow | None
    kinds: list[CadenceKind]
    sort: str
    computed_at: dt.datetime | None

    @property
    def rules_seen(self) -> list[str]:
        """Rule codes with at least one open finding in any row, in registry order (the heat map's columns)."""
        seen = {code for row in self.rows for code, n in row.by_rule.items() if n}
        return [r.code for r in all_rules() if r.code in seen]


def _cadence_key(code: str):
    def key(row: MonitorRow):
        cell = next((c for c in row.cadence if c.code == code), None)
        return None if cell is None else cell.rate

    return key


def _sort_key(name: str):
    key = _cadence_key(name.split(":", 1)[1]) if name.startswith("cadence:") else MONITOR_COLUMNS[name]

    def wrapped(row: MonitorRow):
        value = key(row)
        return (value is None, value if value is not None else 0, row.org.path)

    return wrapped


def monitor_table(*, actor: Any, org: Organization | None = None, sort: str = "name") -> MonitorTable:
    """The children of *org* visible to the actor (``health.view``), or the actor's top-most orgs when
    *org* is None, each with its subtree's indicators from the rollup rows; the total row of *org*; sorted
    by a :data:`MONITOR_COLUMNS` key or ``cadence:<kind code>`` (``-key`` descending). A constant number of queries, whatever the
    size of the tree below (DESIGN "Scale": dashboards read rollups)."""
    desc = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in MONITOR_COLUMNS and not name.startswith("cadence:"):
        name, desc = "name", False
    if org is None:
        orgs = list(org_roots_for_actor(actor=actor, perm=HealthPerm.VIEW))
    else:
        orgs = list(org_children(actor=actor, org=org, perm=HealthPerm.VIEW))
    ids = [o.pk for o in orgs] + ([org.pk] if org is not None else [])
    rollups = {r.org_id: r for r in OrgRollup.objects.for_actor(actor, HealthPerm.VIEW)
               .filter(org_id__in=ids, kind=RollupKind.SUBTREE)} if ids else {}
    kinds = cadence_kinds(actor=actor)
    rows = [_row(o, rollups.get(o.pk), kinds) for o in orgs]
    rows.sort(key=_sort_key(name), reverse=desc)
    total = None
    if org is not None:
        total = _row(org, rollups[org.pk], kinds) if org.pk in rollups and org.numchild == len(orgs) \
            else _sum_rows(org, rows, kinds)
    # as of the last full scan (rows a later re-check changed are newer still)
    stamps = [r.rollup.computed_at for r in rows if r.rollup is not None]
    last_scan = ScanRun.objects.filter(scope="all").order_by("-started_at").values_list("started_at", flat=True).first()
    stamps += [last_scan] if last_scan else []
    return MonitorTable(org, rows, total, kinds, ("-" if desc else "") + name, max(stamps) if stamps else None)

