"""The health rule registry (see ``base``) and the rules, one module per source of data.

Importing a rule module registers its rules; :func:`load` imports them all in the order the rules
are listed (``apps.HealthConfig.ready`` calls it).
"""
from __future__ import annotations

import importlib

from dangjian.health.rules import base
from dangjian.health.rules.base import (  # noqa: F401 (re-exported)
    RULE_ERRORS,
    SYSTEM,
    OrgScope,
    Param,
    RawFinding,
    Rule,
    ScanContext,
    all_rules,
    get_rule,
    register,
)

__all__ = [*base.__all__, "load"]  # the names of base, re-exported

MODULES = ("orgs", "meetings", "dues", "development", "transfers", "members")


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"dangjian.health.rules.{name}")
