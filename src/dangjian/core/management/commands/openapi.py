"""``dangjian openapi [--check] [--path FILE]``: write the API contract, or fail when it drifted (STYLE §10).

The committed ``openapi.json`` is the reviewed contract: regenerate it with this command whenever an
endpoint or schema changes, and review the diff. ``--check`` exits 1 (printing a unified diff) when
the generated document differs from the file, for CI and pre-commit.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.module_loading import import_string

__all__ = ["API_OBJECT", "Command", "render_schema"]

# The composed NinjaAPI lives in the top layer; a management command is an entry point, so it names it
# by path rather than importing upward from the kernel.
API_OBJECT = "dangjian.api.urls.api"


def render_schema() -> str:
    """The OpenAPI document exactly as committed: stable key order, UTF-8, trailing newline."""
    api = import_string(API_OBJECT)
    with translation.override(settings.LANGUAGE_CODE):
        schema: dict[str, Any] = api.get_openapi_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document to openapi.json, or with --check fail when it differs from the file."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="do not write; exit 1 when the file is stale")
        parser.add_argument("--path", default=None, help="file to write or check (default: <DANGJIAN_HOME>/openapi.json)")

    def handle(self, *args, check: bool, path: str | None, **opts):
        target = Path(path) if path else Path(settings.BASE_DIR) / "openapi.json"
        generated = render_schema()
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
            raise CommandError(f"{target} is out of date: run `dangjian openapi` and commit the result")
        target.write_text(generated, encoding="utf-8")
        self.stdout.write(f"wrote {target}")
