"""The periodic schedule the workers share: sync the defaults, claim due entries, queue their tasks.

Claiming is a compare-and-set on ``next_run_at``: a worker moves a due entry's ``next_run_at`` to the
next run *only if it still holds the value the worker read*. One UPDATE per entry, atomic on SQLite and
PostgreSQL alike, so two workers that read the same due entry cannot both win. On PostgreSQL the
candidates are also read ``FOR UPDATE SKIP LOCKED``, so a worker skips entries another is claiming
instead of waiting for it (Django ignores the lock clause on SQLite, whose writers are serialised).
The task is queued in the same transaction as the claim (the database task backend writes to the
same database): a claim is never lost without its run, and a run never happens without its claim.
A missed run (all workers down) runs once when a worker returns, not once per missed period.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import Task

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError
from dangjian.integration.choices import ScheduleStatus
from dangjian.integration.cron import SpecError, next_run, parse_spec
from dangjian.integration.errors import IntegrationError
from dangjian.integration.models import ScheduledJob
from dangjian.integration.schedule import ScheduleEntry, default_schedule

__all__ = [
    "ScheduleRun",
    "schedule_claim_due",
    "schedule_job_update",
    "schedule_run_due",
    "schedule_run_now",
    "schedule_sync",
]

log = logging.getLogger(__name__)
CLAIM_BATCH = 20


@dataclass(frozen=True)
class ScheduleRun:
    name: str
    status: str
    task_id: str = ""
    error: str = ""


def schedule_sync(*, now: dt.datetime | None = None, entries: tuple[ScheduleEntry, ...] | None = None
                  ) -> list[str]:
    """Adds the default entries (or *entries*) that are missing (next run: the first after *now*); returns
    their names. Existing entries keep their settings. Safe when several workers start at once."""
    now = now or timezone.now()
    entries = default_schedule() if entries is None else entries
    existing = set(ScheduledJob.objects.filter(name__in=[e.name for e in entries]).values_list("name", flat=True))
    added = []
    for entry in entries:
        if entry.name in existing:
            continue
        try:
            with transaction.atomic():
                ScheduledJob.objects.create(name=entry.name, task_path=entry.task_path, spec=entry.spec,
                                            kwargs=entry.kwargs, description=entry.description,
                                            next_run_at=next_run(entry.spec, now))
            added.append(entry.name)
        except IntegrityError:  # another worker added it a moment ago
            continue
    return added


def _claim(job: ScheduledJob, *, now: dt.datetime, worker_id: str) -> dt.datetime | None:
    """Moves *job* to its next run if nobody else did since it was read; the new time, or None (lost)."""
    try:
        following = next_run(job.spec, now)
    except SpecError as exc:
        following = now + dt.timedelta(days=1)  # a broken spec does not spin; the error is recorded
        log.error("schedule %s: bad spec %r: %s", job.name, job.spec, exc)
    won = ScheduledJob.objects.filter(pk=job.pk, enabled=True, next_run_at=job.next_run_at).update(
        next_run_at=following, last_run_at=now, last_worker=worker_id[:64])
    return following if won == 1 else None


def schedule_claim_due(*, now: dt.datetime | None = None, worker_id: str = "", limit: int = CLAIM_BATCH
                       ) -> list[ScheduledJob]:
    """Claims the entries due at *now*; each is returned to exactly one caller however many call at once."""
    now = now or timezone.now()
    claimed: list[ScheduledJob] = []
    with transaction.atomic():
        due = list(ScheduledJob.objects.select_for_update(skip_locked=True)
                   .filter(enabled=True, next_run_at__lte=now).order_by("next_run_at", "pk")[:limit])
        for job in due:
            following = _claim(job, now=now, worker_id=worker_id)
            if following is not None:
                job.next_run_at, job.last_run_at, job.last_worker = following, now, worker_id[:64]
                claimed.append(job)
    return claimed


def _queue(job: ScheduledJob) -> ScheduleRun:
    try:
        task = import_string(job.task_path)
    except ImportError as exc:
        log.warning("schedule %s: task %s is not available (%s); skipped", job.name, job.task_path, exc)
        return ScheduleRun(job.name, ScheduleStatus.MISSING, error=f"not found: {exc}")
    if not isinstance(task, Task):
        return ScheduleRun(job.name, ScheduleStatus.MISSING, error=f"{job.task_path} is not a django-tasks task")
    try:
        result = task.enqueue(**(job.kwargs or {}))
    except Exception as exc:  # a bad kwargs set or a task that raises under the immediate backend
        log.exception("schedule %s: queueing %s failed", job.name, job.task_path)
        return ScheduleRun(job.name, ScheduleStatus.ERROR, error=f"{type(exc).__name__}: {exc}")
    return ScheduleRun(job.name, ScheduleStatus.QUEUED, task_id=str(result.id))


def _record_run(job: ScheduledJob, run: ScheduleRun) -> None:
    ScheduledJob.objects.filter(pk=job.pk).update(last_status=run.status, last_error=run.error[:2000],
                                                  last_task_id=run.task_id[:64])


def schedule_run_due(*, now: dt.datetime | None = None, worker_id: str = "") -> list[ScheduleRun]:
    """Claims every due entry and queues its task, claim and queueing in one transaction per batch.

    Permission: none (the worker, as the system). Audit: none of its own — the queued tasks audit
    what they change, attributed to the "task" channel by the worker."""
    now = now or timezone.now()
    runs: list[ScheduleRun] = []
    with transaction.atomic():
        for job in schedule_claim_due(now=now, worker_id=worker_id):
            with transaction.atomic():  # a savepoint: one bad entry does not undo the others' claims
                run = _queue(job)
            _record_run(job, run)
            runs.append(run)
    return runs


@transaction.atomic
def schedule_run_now(*, actor: Any, name: str) -> ScheduleRun:
    """Queues entry *name* at once (its regular next run is unchanged).
    Permission: a system-wide ``integration.configure`` (checked by the caller). Audit:
    ``integration.schedule_run``."""
    job = ScheduledJob.objects.select_for_update().filter(name=name).first()
    if job is None:
        raise DomainError.one(IntegrationError.JOB_UNKNOWN, "name", _("定时任务“%(name)s”不存在") % {"name": name})
    run = _queue(job)
    ScheduledJob.objects.filter(pk=job.pk).update(last_run_at=timezone.now(), last_status=run.status,
                                                  last_error=run.error[:2000], last_task_id=run.task_id[:64])
    record(actor=actor, action=AuditAction.SCHEDULE_RUN, target=job, after={"status": run.status, "error": run.error})
    return run


@transaction.atomic
def schedule_job_update(*, actor: Any, name: str, spec: str | None = None, enabled: bool | None = None,
                        now: dt.datetime | None = None) -> ScheduledJob:
    """Changes an entry's spec and/or switches it on or off; a new spec recomputes the next run.
    Permission: a system-wide ``integration.configure`` (checked by the caller). Audit:
    ``integration.schedule_update``."""
    now = now or timezone.now()
    job = ScheduledJob.objects.select_for_update().filter(name=name).first()
    if job is None:
        raise DomainError.one(IntegrationError.JOB_UNKNOWN, "name", _("定时任务“%(name)s”不存在") % {"name": name})
    before = {"spec": job.spec, "enabled": job.enabled, "next_run_at": job.next_run_at.isoformat()}
    fields = []
    if spec is not None and spec != job.spec:
        try:
            parse_spec(spec)
        except SpecError as exc:
            raise DomainError.one(IntegrationError.SPEC_INVALID, "spec", str(exc))
        job.spec = spec
        job.next_run_at = next_run(spec, now)
        fields += ["spec", "next_run_at"]
    if enabled is not None and enabled != job.enabled:
        job.enabled = enabled
        fields.append("enabled")
        if enabled and "next_run_at" not in fields:
            job.next_run_at = next_run(job.spec, now)
            fields.append("next_run_at")
    if fields:
        job.save(update_fields=fields)
        record(actor=actor, action=AuditAction.SCHEDULE_UPDATED, target=job, before=before,
               after={"spec": job.spec, "enabled": job.enabled, "next_run_at": job.next_run_at.isoformat()})
    return job
