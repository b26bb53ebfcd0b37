"""The scan: run the enabled rules over a set of organisations and persist what they find.

Per rule, in one transaction, set-based and writing only what changed:

1. read the rule's existing findings of the organisations in scope: natural key → (id, state, digest),
   one query;
2. go through what the rule produced: a key not there yet is inserted; a known key whose values
   (severity, measured value, message, details — compared through a digest) changed is upserted on the
   natural key ``(rule, org, subject_type, subject_id)`` (``INSERT … ON CONFLICT DO UPDATE`` on SQLite
   and PostgreSQL, see ``bulk.upsert_rows``; the row keeps its ``first_seen`` and state); a known key
   that had been resolved is re-opened with a fresh ``first_seen``;
3. resolve the findings **of the organisations in scope** the rule no longer produced (by id) — so a
   re-check of a few orgs never touches the others;
4. move ``last_seen`` of every finding still present to this run with one ``UPDATE``.

Running a scan twice therefore never duplicates a row, and a steady-state nightly scan rewrites only
the findings whose values changed. ``now`` must increase from one scan to the next (it does with the
clock); it marks what this run saw.
"""
from __future__ import annotations

import hashlib
import json
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
from dangjian.health.events import FindingsChanged
from dangjian.health.models import Finding, ScanRun
from dangjian.health.rules import SYSTEM, OrgScope, RawFinding, ScanContext
from dangjian.health.selectors import RuleSetting, rule_settings
from dangjian.health.services.bulk import json_text, upsert_rows
from dangjian.orgs.models import Organization

__all__ = ["BATCH_SIZE", "RuleRun", "ScanResult", "affected_scope", "findings_scan"]

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
_CHUNK = 5000  # ids per UPDATE … WHERE id IN (…)

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


def digest(severity: str, measured: Decimal | None, message: str, details: dict) -> str:
    payload = json.dumps([severity, None if measured is None else str(measured), message, details],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode(), digest_size=8).hexdigest()


def _existing(code: str, ctx: ScanContext) -> dict[tuple, tuple[int, str, str]]:
    rows = (Finding.objects.filter(ctx.scope.q("org__path", "org_id"), rule=code).order_by()
            .values_list("org_id", "subject_type", "subject_id", "pk", "state", "digest"))
    return {(org_id, st, sid): (pk, state, dg) for org_id, st, sid, pk, state, dg in rows.iterator(chunk_size=5000)}


_COLUMNS = ("rule", "org_id", "subject_type", "subject_id", "severity", "state", "measured", "message", "details",
            "digest", "first_seen", "last_seen", "acknowledged_note")


def _upsert(rows: list[tuple]) -> None:
    """New rows start open, seen now; a row that exists (a changed value, or another writer was first)
    keeps its first_seen and state and takes the new values (``ON CONFLICT`` on the natural key)."""
    upsert_rows(Finding, _COLUMNS, rows, conflict=("rule", "org_id", "subject_type", "subject_id"),
                update=("severity", "measured", "message", "details", "digest", "last_seen"))


def _by_ids(ids: list[int], **values: Any) -> None:
    for start in range(0, len(ids), _CHUNK):
        Finding.objects.filter(pk__in=ids[start:start + _CHUNK]).update(**values)


def _write(code: str, setting: RuleSetting, found: Iterable[RawFinding], ctx: ScanContext, run: RuleRun) -> None:
    now = ctx.now
    existing = _existing(code, ctx)
    seen: set[tuple] = set()
    pending: list[tuple] = []
    reopen: list[int] = []
    for raw in found:
        key = raw.key
        if key in seen:  # one row per key: the first report wins
            continue
        seen.add(key)
        severity = raw.severity or setting.severity
        measured, message = _measured(raw.measured), raw.message[:300]
        dg = digest(severity, measured, message, raw.details)
        old = existing.get(key)
        if old is None:
            run.new += 1
        else:
            pk, state, old_dg = old
            if state == FindingState.RESOLVED:
                reopen.append(pk)
            if old_dg == dg:
                continue
        pending.append((code, raw.org_id, raw.subject_type, raw.subject_id, severity, FindingState.OPEN, measured,
                        message, json_text(raw.details), dg, now, now, ""))
        if len(pending) >= BATCH_SIZE:
            _upsert(pending)
            pending = []
    if pending:
        _upsert(pending)
    run.produced = len(seen)
    gone = [pk for key, (pk, state, _dg) in existing.items() if key not in seen and state != FindingState.RESOLVED]
    _by_ids(gone, state=FindingState.RESOLVED, resolved_at=now)
    _by_ids(reopen, state=FindingState.OPEN, first_seen=now, last_seen=now, resolved_at=None, acknowledged_by=None,
            acknowledged_at=None, acknowledged_note="")
    run.resolved, run.reopened = len(gone), len(reopen)
    run.new += len(reopen)
    # everything still there was seen now (rows just written already were)
    (Finding.objects.filter(ctx.scope.q("org__path", "org_id"), rule=code, last_seen__lt=now)
     .exclude(state=FindingState.RESOLVED).update(last_seen=now))


def _run_rule(setting: RuleSetting, ctx: ScanContext) -> RuleRun:
    run = RuleRun(setting.code)
    started = time.perf_counter()
    if not setting.enabled:
        run.skipped = "disabled"
    elif not setting.available:
        run.skipped = "unavailable"
    try:
        with transaction.atomic():
            # a disabled (or unavailable) rule produces nothing: its findings are resolved
            found = setting.rule.evaluate(ctx, setting.params) if not run.skipped else ()
            _write(setting.code, setting, found, ctx, run)
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

    Runs as the system. A full or subtree scan (the nightly job, ``dangjian health scan``) is kept as a
    ``ScanRun`` and audited (``health.scan`` with the counts); an event-driven re-check of a few orgs is
    neither — the write that triggered it was audited. Event: ``health.findings_changed`` after commit (the notifications read the
    findings first seen in this run).
    """
    scope = scope or OrgScope.everything()
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    ctx = ScanContext(scope=scope, today=today, now=now)
    wanted = set(codes) if codes is not None else None
    settings = [s for s in rule_settings(actor=SYSTEM) if wanted is None or s.code in wanted]
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
        result.rollups = rollups_refresh(scope=scope, today=today, now=now, ctx=ctx)
    if progress:
        progress("done", total, total)
    result.seconds = time.perf_counter() - started
    if scope.kind != "ids":
        ScanRun.objects.create(started_at=now, finished_at=timezone.now(), scope=scope.describe(), ok=result.ok,
                               result=result.as_dict())
    if audit if audit is not None else scope.kind != "ids":
        with transaction.atomic():
            record(actor=None, action=AuditAction.HEALTH_SCANNED, after=result.as_dict(),
                   org_path=scope.path or "")
    with transaction.atomic():
        events.publish(FindingsChanged(rule_codes=tuple(r.code for r in result.runs), since=now.isoformat(),
                                      org_ids=tuple(scope.ids) if scope.kind == "ids" else ()))
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
