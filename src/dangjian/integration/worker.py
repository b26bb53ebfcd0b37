"""The worker loop behind ``dangjian worker``: django-tasks-db's queue plus the periodic schedule.

Each iteration (:meth:`Worker.run_once`):

1. every ``tick`` seconds, claim the due schedule entries and queue their tasks
   (``schedule_run_due``; a compare-and-set per entry, so several workers never queue one run twice);
2. take one ready task from the queue the way ``db_worker`` does — ``SELECT … FOR UPDATE SKIP LOCKED``
   on PostgreSQL, an exclusive transaction on SQLite, then mark it claimed by this worker — and run it.

Tasks and schedule ticks run with the audit context's channel set to "task" (and the task id as the
request id), so what they write is attributed to the worker. SIGTERM or SIGINT stops the loop after
the current task; a second signal at least two seconds after the first ends the current task too
(``make run`` sends Ctrl-C to the whole process group and then SIGTERM: that counts as one request).
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from types import FrameType

from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DbWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.integration.services import schedule_run_due, schedule_sync

__all__ = ["FORCE_AFTER_SECONDS", "Worker"]

log = logging.getLogger(__name__)
FORCE_AFTER_SECONDS = 2.0


def _refresh_connections() -> None:
    """Drops broken or expired connections between tasks (as Django does between requests); inside a
    transaction (a test's) there is nothing to refresh."""
    if not connection.in_atomic_block:
        close_old_connections()


class Worker(DbWorker):
    def __init__(self, *, schedule: bool = True, tick: float = 15.0, **kwargs) -> None:
        kwargs.setdefault("queue_names", ["default"])
        kwargs.setdefault("interval", 1.0)
        kwargs.setdefault("batch", False)
        kwargs.setdefault("backend_name", "default")
        kwargs.setdefault("startup_delay", False)
        kwargs.setdefault("max_tasks", None)
        kwargs.setdefault("excluded_queue_names", [])
        kwargs.setdefault("worker_id", get_random_string(32))
        super().__init__(**kwargs)
        self.schedule = schedule
        self.tick = tick
        self._next_tick = 0.0
        self._stop = threading.Event()
        self._first_signal_at: float | None = None

    # --- signals ---------------------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if self._first_signal_at is None:
            self._first_signal_at = now
            log.warning("Received %s - stopping after the current task", signal.strsignal(signum))
            self.running = False
            self._stop.set()
            return
        if now - self._first_signal_at < FORCE_AFTER_SECONDS:
            return  # the same stop request arriving twice (process group + wrapper)
        log.warning("Received %s again - terminating the current task", signal.strsignal(signum))
        self.reset_signals()
        sys.exit(1)

    @property
    def stopped_by_signal(self) -> bool:
        return self._first_signal_at is not None

    def ignore_signals(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)):
            if sig is not None:
                signal.signal(sig, signal.SIG_IGN)

    # --- one iteration -----------------------------------------------------------------------------

    def tick_schedule(self) -> list:
        """Queues the due schedule entries (when this worker runs the schedule and a tick is due)."""
        if not self.schedule or time.monotonic() < self._next_tick:
            return []
        self._next_tick = time.monotonic() + self.tick
        with use_context(RequestContext(channel=Channel.TASK)):
            try:
                return schedule_run_due(now=timezone.now(), worker_id=self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return []
                raise

    def _next_task(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # claimed: no other worker takes it
                return task_result
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def run_task(self, db_task_result: DBTaskResult) -> None:
        ctx = RequestContext(channel=Channel.TASK, request_id=str(db_task_result.id).replace("-", ""))
        with use_context(ctx):
            super().run_task(db_task_result)

    def run_once(self) -> bool:
        """One iteration: the schedule tick (when due) and at most one task. True when a task ran."""
        _refresh_connections()
        self.tick_schedule()
        task_result = self._next_task()
        if task_result is not None:
            self.run_task(task_result)
        _refresh_connections()
        return task_result is not None

    # --- the loop -------------------------------------------------------------------------------------

    def run(self) -> None:
        log.info("worker %s: queues=%s schedule=%s", self.worker_id, ",".join(self.queue_names), self.schedule)
        if self.schedule:
            schedule_sync()
        while self.running:
            ran = self.run_once()
            if self.batch and not ran:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and not ran:
                self._stop.wait(self.interval)
