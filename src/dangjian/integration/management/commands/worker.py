"""``dangjian worker``: runs queued background tasks (django-tasks-db) and the periodic schedule.

Run one or more next to the web processes; several workers may share one PostgreSQL (each task and
each scheduled run is claimed by exactly one). SIGTERM / Ctrl-C stop it after the current task.
"""
from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from dangjian.integration import conf
from dangjian.integration.worker import Worker


class Command(BaseCommand):
    help = "Run background tasks from the database queue and the periodic schedule."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="queues to process, comma-separated, or *")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds to wait when the queue is empty")
        parser.add_argument("--tick", type=float, default=None,
                            help="seconds between schedule checks (default DANGJIAN_WORKER_TICK_SECONDS or 15)")
        parser.add_argument("--no-schedule", action="store_true", help="run queued tasks only, not the schedule")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument("--worker-id", default=None, help="unique id of this worker (default: random)")
        parser.add_argument("--backend", default="default", help="the task backend alias (a database backend)")

    def handle(self, *args, queue_name, interval, tick, no_schedule, batch, max_tasks, worker_id, backend, **opts):
        try:
            configured = task_backends[backend]
        except Exception as exc:
            raise CommandError(f"unknown task backend {backend!r}: {exc}")
        if not isinstance(configured, DatabaseBackend):
            raise CommandError(f"task backend {backend!r} is {type(configured).__name__}; "
                               "the worker needs django_tasks_db.DatabaseBackend (settings.TASKS)")
        if interval < 0 or (max_tasks is not None and max_tasks < 1):
            raise CommandError("--interval must be >= 0 and --max-tasks >= 1")
        level = logging.WARNING if opts["verbosity"] == 0 else logging.INFO
        for name in ("dangjian.integration", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
        queues = queue_name.split(",")
        worker = Worker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name=backend,
            max_tasks=max_tasks,
            worker_id=(worker_id or get_random_string(32))[:64],
            schedule=conf.schedule_enabled() and not no_schedule,
            tick=tick if tick is not None else conf.worker_tick_seconds(),
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            if worker.stopped_by_signal:
                # On the way out after a stop request: a late duplicate (``make run`` sends Ctrl-C to the
                # process group and then SIGTERM) must not kill the interpreter while it tears down.
                worker.ignore_signals()
            else:
                worker.reset_signals()
