"""``dangjian schedule``: the periodic schedule the workers run.

    dangjian schedule                      list the entries (adds missing defaults first)
    dangjian schedule run NAME             queue NAME now (its next regular run is unchanged)
    dangjian schedule set NAME [--spec "30 2 * * *"] [--enable | --disable]

Changes are audited as the system (``integration.schedule_update`` / ``integration.schedule_run``).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core.context import Channel, RequestContext, use_context
from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.integration.selectors import schedule_list
from dangjian.integration.services import schedule_job_update, schedule_run_now, schedule_sync


class Command(BaseCommand):
    help = "List the periodic schedule, queue an entry now, or change an entry's spec / switch it on or off."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "run", "set"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--spec", help='"every 60s" or five cron fields, e.g. "30 2 * * *"')
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--enable", action="store_true")
        group.add_argument("--disable", action="store_true")

    def handle(self, *args, action, name, spec, enable, disable, **opts):
        with use_context(RequestContext(channel=Channel.CLI)):
            schedule_sync()
            if action == "list":
                self._list()
                return
            if not name:
                raise CommandError(f"schedule {action}: name the entry")
            try:
                if action == "run":
                    run = schedule_run_now(actor=SYSTEM, name=name)
                    self.stdout.write(f"{name}: {run.status}{(' ' + run.error) if run.error else ''}")
                    if run.error:
                        raise CommandError(run.error)
                else:
                    enabled = True if enable else (False if disable else None)
                    job = schedule_job_update(actor=SYSTEM, name=name, spec=spec, enabled=enabled)
                    self.stdout.write(f"{job.name}: {job.spec} enabled={job.enabled} "
                                      f"next={timezone.localtime(job.next_run_at):%Y-%m-%d %H:%M}")
            except DomainError as exc:
                raise CommandError("; ".join(e.message for e in exc.errors))

    def _list(self) -> None:
        for job in schedule_list(actor=SYSTEM):
            last = timezone.localtime(job.last_run_at).strftime("%Y-%m-%d %H:%M") if job.last_run_at else "-"
            self.stdout.write(
                f"{job.name:32} {'on ' if job.enabled else 'off'} {job.spec:18} "
                f"next {timezone.localtime(job.next_run_at):%Y-%m-%d %H:%M}  last {last} {job.last_status or '-'}"
                f"  {job.task_path}"
            )
