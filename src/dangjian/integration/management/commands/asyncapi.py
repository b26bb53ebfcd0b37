"""``dangjian asyncapi [--check] [--path FILE]``: write the outbound-event catalogue, or fail when it
drifted — the companion of ``dangjian openapi`` for the webhooks (issue 10 §7).

The committed ``asyncapi.json`` (beside ``openapi.json``) is the reviewed contract of the events the
webhooks send: regenerate it whenever an app declares, renames or changes an offered event, and review
the diff. ``--check`` exits 1 (printing a unified diff) when the generated document differs.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.integration.webhooks import render_asyncapi

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Write the event catalogue to asyncapi.json, or with --check fail when it differs from the file."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="do not write; exit 1 when the file is stale")
        parser.add_argument("--path", default=None,
                            help="file to write or check (default: <DANGJIAN_HOME>/asyncapi.json)")

    def handle(self, *args, check: bool, path: str | None, **opts):
        target = Path(path) if path else Path(settings.BASE_DIR) / "asyncapi.json"
        generated = render_asyncapi()
        if check:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current == generated:
                self.stdout.write(f"{target} is up to date")
                return
            diff = difflib.unified_diff(
                current.splitlines(keepends=True), generated.splitlines(keepends=True),
                fromfile=f"{target} (committed)", tofile="generated",
            )
            self.stdout.write("".join(diff))
            raise CommandError(f"{target} is out of date: run `dangjian asyncapi` and commit the result")
        target.write_text(generated, encoding="utf-8")
        self.stdout.write(f"wrote {target}")
