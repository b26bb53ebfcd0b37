"""A rich progress display for the demo build (silent when the output is not a terminal)."""
from __future__ import annotations

from typing import Any

__all__ = ["BuildProgress"]

_LABELS = {"units": "企业单位", "orgs": "党组织", "members": "党员"}


class BuildProgress:
    def __init__(self, *, members: int, stream: Any = None, enabled: bool = True) -> None:
        self.members = members
        self.enabled = enabled
        self.stream = stream
        self._bar = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(TextColumn("{task.description:<6}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                                 console=Console(file=getattr(self.stream, "_out", None)))
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, stage: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._bar.add_task(_LABELS.get(stage, stage), total=total, rate="")
        elapsed = self._bar.tasks[task].elapsed or 0.0
        rate = f"{done / elapsed:>9,.0f}/s" if elapsed > 0 else ""
        self._bar.update(task, completed=done, rate=rate)
