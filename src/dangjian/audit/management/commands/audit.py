"""``dangjian audit verify``: re-check the whole operation-log chain."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.audit.models import AuditEntry
from dangjian.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Audit log tools: 'verify' re-checks the hash chain and names the first bad entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **opts):
        total = AuditEntry.objects.count()
        from rich.progress import Progress

        with Progress(transient=True, disable=not self.stdout.isatty()) as bar:
            task = bar.add_task("verifying", total=total)
            result = verify_chain(progress=lambda n: bar.update(task, completed=n))
        if not result.ok:
            raise CommandError(
                f"audit chain BROKEN at entry seq={result.bad_seq}: {result.problem} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"audit chain OK: {result.checked} entries verified")
