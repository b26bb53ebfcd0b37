"""The scan: run the enabled rules over a set of organisations and persist what they find.

Writes are set-based, per rule, in one transaction each:

1. upsert the findings the rule produced on their natural key ``(rule, org, subject_type, subject_id)``
   (``bulk_create(update_conflicts=True)``: ``INSERT … ON CONFLICT DO UPDATE`` on SQLite and
   PostgreSQL) — new rows start ``open`` with ``first_seen = last_seen = now``; existing rows keep their
   ``first_seen`` and state and get the new ``last_seen``, value and message;
2. re-open, with a fresh ``first_seen``, findings that had been resolved and are produced again;
3. resolve the rule's findings **of the organisations in scope** that this run did not produce
   (``last_seen`` older than the run) — so a re-check of a few orgs never touches the others.

Running a scan twice therefore never duplicates a row. ``now`` must increase from one scan to the
next (it does with the clock); it marks what this run saw.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.health.choices import FindingState
from dangjian.health.events import FINDINGS_CHANGED
from dangjian.health.models import Finding
from dangjian.health.rules import OrgScope, RawFinding, ScanContext
from dangjian.health.selectors import RuleSetting, rule_settings
from dangjian.orgs.models import Organization

__all__ = ["BATCH_SIZE", "RuleRun", "ScanResult", "affected_scope", "findings_scan"]

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
_KEY = ["rule", "org", "subject_type", "subject_id"]
_UPDATED = ["severity", "measured", "message", "details", "last_seen"]

Progress = Callable[[str, int, int], None]


@dataclass
class RuleRun:
    """What one rule did in one scan."""

    code: str
    produced: int = 0  # findings the rule reported (open now)
    new: int = 0  # of which not open before (first seen, or seen again after being resolved)
    reopened: int = 0  # of which had been resolved before
    resolved: int = 0  # findings of the scope the rule no longer reports
    seconds: float = 0.0
    skipped: str = ""  # "disabled" / "unavailable"
    error: str = ""


@dataclass
class ScanResult:
    scope: str
    started_at: Any
    runs: list[RuleRun] = field(default_factory=list)
    rollups: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(r.error for r in self.runs)

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(r, k) for r in self.runs) for k in ("produced", "new", "reopened", "resolved")}

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "started_at": self.started_at.isoformat(), "seconds": round(self.seconds, 3),
                "rollups": self.rollups, "totals": self.totals(),
                "rules": {r.code: {"produced": r.produced, "new": r.new, "reopened": r.reopened,
                                   "resolved": r.resolved, "skipped": r.skipped, "error": r.error}
                          for r in self.runs}}


def _measured(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.01"))


def _flush(code: str, setting: RuleSetting, batch: dict[tuple, RawFinding], now) -> None:
    rows = [
        Finding(rule=code, org_id=raw.org_id, subject_type=raw.subject_type, subject_id=raw.subject_id,
                severity=raw.severity or setting.severity, state=FindingState.OPEN, measured=_measured(raw.measured),
                message=raw.message[:300], details=raw.details, first_seen=now, last_seen=now)
        for raw in batch.values()
    ]
    Finding.objects.bulk_create(rows, batch_size=BATCH_SIZE, update_conflicts=True, unique_fields=_KEY,
                                update_fields=_UPDATED)


def _write(code: str, setting: RuleSetting, found: Iterable[RawFinding], ctx: ScanContext, run: RuleRun) -> None:
    batch: dict[tuple, RawFinding] = {}
    for raw in found:
        if raw.key not in batch:
            run.produced += 1
        batch[raw.key] = raw  # one row per key and batch: ON CONFLICT may not touch a row twice
        if len(batch) >= BATCH_SIZE:
            _flush(code, setting, batch, ctx.now)
            batch = {}
    if batch:
        _flush(code, setting, batch, ctx.now)


def _settle(code: str, ctx: ScanContext, run: RuleRun) -> None:
    """Re-open what came back, resolve what is gone (in the scope only), count what is new."""
    now = ctx.now
    run.reopened = Finding.objects.filter(rule=code, state=FindingState.RESOLVED, last_seen__gte=now).update(
        state=FindingState.OPEN, first_seen=now, resolved_at=None, acknowledged_by=None, acknowledged_at=None,
        acknowledged_note="")
    run.resolved = (Finding.objects.filter(ctx.scope.q("org__path", "org_id"), rule=code, last_seen__lt=now)
                    .exclude(state=FindingState.RESOLVED)
                    .update(state=FindingState.RESOLVED, resolved_at=now))
    run.new = Finding.objects.filter(rule=code, first_seen=now).count() if run.produced else 0


def _run_rule(setting: RuleSetting, ctx: ScanContext) -> RuleRun:
    run = RuleRun(setting.code)
    started = time.perf_counter()
    if not setting.enabled:
        run.skipped = "disabled"
    elif not setting.available:
        run.skipped = "unavailable"
    try:
        with transaction.atomic():
            if not run.skipped:
                _write(setting.code, setting, setting.rule.evaluate(ctx, setting.params), ctx, run)
            _settle(setting.code, ctx, run)  # a disabled rule's findings are resolved
    except Exception as exc:  # one broken rule does not stop the others; the run reports it
        log.exception("health rule %s failed", setting.code)
        run = RuleRun(setting.code, error=f"{type(exc).__name__}: {exc}"[:300])
    run.seconds = time.perf_counter() - started
    return run


def findings_scan(
    *,
    scope: OrgScope | None = None,
    codes: Iterable[str] | None = None,
    today=None,
    now=None,
    rollups: bool = True,
    audit: bool | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Runs the rules (all, or *codes*) over the orgs in *scope* (default: all) and persists the findings;
    then refreshes the monitoring rollups of those orgs and their ancestors.

    Runs as the system. Audit: ``health.scan`` with the counts for a full or subtree scan (the nightly job,
    ``dangjian health scan``); an event-driven re-check of a few orgs is not audited — the write that
    triggered it was. Event: ``health.findings_changed`` after commit (the notifications read the
    findings first seen in this run).
    """
    scope = scope or OrgScope.everything()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    ctx = ScanContext(scope=scope, today=today, now=now)
    wanted = set(codes) if codes is not None else None
    settings = [s for s in rule_settings() if wanted is None or s.code in wanted]
    result = ScanResult(scope=scope.describe(), started_at=now)
    started = time.perf_counter()
    total = len(settings) + (1 if rollups else 0)
    for index, setting in enumerate(settings):
        if progress:
            progress(setting.code, index, total)
        result.runs.append(_run_rule(setting, ctx))
    if rollups:
        from dangjian.health.services.rollup import rollups_refresh

        if progress:
            progress("rollups", len(settings), total)
        result.rollups = rollups_refresh(scope=scope, today=today, now=now)
    if progress:
        progress("done", total, total)
    result.seconds = time.perf_counter() - started
    if audit if audit is not None else scope.kind != "ids":
        with transaction.atomic():
            record(actor=None, action=AuditAction.HEALTH_SCANNED, after=result.as_dict(),
                   org_path=scope.path or "")
    with transaction.atomic():
        events.publish(FINDINGS_CHANGED, rule_codes=[r.code for r in result.runs],
                       org_ids=list(scope.ids) if scope.kind == "ids" else None, since=now.isoformat())
    return result


def affected_scope(org_ids: Iterable[int]) -> OrgScope | None:
    """The orgs a change at *org_ids* can affect: themselves and their ancestors (a general branch counts
    its branches' members; the rollups sum subtrees). None when no id is left."""
    ids = {int(i) for i in org_ids if i is not None}
    if not ids:
        return None
    step = Organization.steplen
    paths = list(Organization.objects.filter(pk__in=ids).values_list("path", flat=True))
    prefixes = {p[: step * d] for p in paths for d in range(1, len(p) // step)}
    if prefixes:
        ids |= set(Organization.objects.filter(path__in=prefixes).values_list("pk", flat=True))
    return OrgScope.of_ids(ids)
