"""Typed, fail-fast access to the environment (12-factor; STYLE §12).

Every project-specific variable is prefixed ``DANGJIAN_``. An optional ``var/dangjian.env`` file
(``KEY=value`` lines, written by ``make run`` for a local install) supplies defaults that the real
environment overrides.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["env_bool", "env_int", "env_list", "env_str", "env_url", "load_env_file", "require"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_env_file(path: Path) -> None:
    """Put ``KEY=value`` lines of *path* into ``os.environ`` unless already set."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    if "://" not in value:
        raise ImproperlyConfigured(f"{name} must be a URL such as sqlite:///path or postgres://host/db")
    return value


def require(name: str, *, debug: bool, fallback: str) -> str:
    """A mandatory secret: required unless DEBUG, where a dev fallback is used with a warning."""
    value = os.environ.get(name)
    if value:
        return value
    if not debug:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")
    print(f"warning: {name} not set; using a development-only value", file=sys.stderr)  # noqa: T201
    return fallback
