"""The default schedule (定时任务): what the workers run periodically, by task path.

Each app declares its own entries (``SCHEDULE`` in ``<app>/declarations.py``, see core.declarations);
``DEFAULT_SCHEDULE`` is what the installed apps declared, in ``INSTALLED_APPS`` order. Entries name a
django-tasks task by its dotted path, so an app that renamed its task only makes its entry log
"missing" and skip — the schedule never imports the apps' tasks. Missing entries are added to the
``ScheduledJob`` table when a worker starts (``schedule_sync``); entries that exist keep what an
administrator set (``dangjian schedule``).
"""
from __future__ import annotations

from typing import Any

from dangjian.core.declarations import ScheduleEntry, registry

__all__ = ["DEFAULT_SCHEDULE", "ScheduleEntry", "default_schedule"]  # noqa: F822 (__getattr__)


def default_schedule() -> tuple[ScheduleEntry, ...]:
    """The entries every installed app declares."""
    return tuple(registry().schedule)


def __getattr__(name: str) -> Any:
    # read when asked for: the apps' declarations are collected once the app registry is ready
    if name == "DEFAULT_SCHEDULE":
        return default_schedule()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
