"""The rule engine's building blocks: parameters with ranges, the rule base class, the registry, the
organisations a scan covers and what a rule yields.

A rule is a Python class registered under a stable code. It evaluates a **set** of organisations at
once — one or a few aggregate queries for all orgs in scope, never a query per org — and yields
:class:`RawFinding` rows; the scan (``health.services.scan``) turns them into persisted findings.
Its numbers are :class:`Param` defaults citing DOMAIN.md that an administrator may change within the
parameter's range (stored in :class:`~dangjian.health.models.RuleConfig`).
"""
from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core.errors import FieldError
from dangjian.core.rules import ErrorCodes, Param, check_params
from dangjian.core.scoping import path_range_q
from dangjian.health.choices import Severity
from dangjian.health.errors import HealthError

__all__ = [
    "RULE_ERRORS",
    "SYSTEM",
    "OrgScope",
    "Param",
    "RawFinding",
    "Rule",
    "ScanContext",
    "all_rules",
    "get_rule",
    "register",
]


class _SystemActor:
    """The scan reads through other apps' selectors as the platform itself: every org, no user.

    The scope resolver gives a superuser the "all" grant; nothing is written under this actor (writes
    of the scan are attributed to ``actor=None``, the system, in the audit log)."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_anonymous = False

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = _SystemActor()


@dataclass(frozen=True)
class OrgScope:
    """The organisations one scan covers: all of them, one subtree (``dangjian health scan --org``), or
    a few ids (a re-check after a domain event)."""

    kind: str  # "all" | "subtree" | "ids"
    path: str | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def everything(cls) -> OrgScope:
        return cls("all")

    @classmethod
    def subtree(cls, path: str) -> OrgScope:
        return cls("subtree", path=path)

    @classmethod
    def of_ids(cls, ids) -> OrgScope:
        return cls("ids", ids=tuple(sorted({int(i) for i in ids})))

    @property
    def is_all(self) -> bool:
        return self.kind == "all"

    def q(self, path_lookup: str, id_lookup: str) -> Q:
        """The filter for a queryset reaching the organisation through *path_lookup* / *id_lookup*."""
        if self.kind == "subtree":
            return path_range_q(path_lookup, self.path)
        if self.kind == "ids":
            return Q(**{f"{id_lookup}__in": list(self.ids)})
        return Q()

    def describe(self) -> str:
        if self.kind == "subtree":
            return f"subtree {self.path}"
        if self.kind == "ids":
            return f"orgs {list(self.ids)}"
        return "all"


@dataclass
class ScanContext:
    """What every rule of one scan shares: the day, the instant, the organisations in scope."""

    scope: OrgScope
    today: dt.date
    now: dt.datetime
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RawFinding:
    """One problem a rule found: at ``org_id``, optionally about a subject (type + id), with the measured
    value and a message; ``severity`` overrides the rule's (an escalation), ``details`` adds machine-readable
    facts (a window, a level)."""

    org_id: int
    message: str
    measured: Decimal | int | None = None
    subject_type: str = ""
    subject_id: int = 0
    severity: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.org_id, self.subject_type, self.subject_id)


class Rule:
    """A health rule. Subclasses set the class attributes and implement :meth:`evaluate`."""

    code: ClassVar[str]
    title: ClassVar[str]
    citation: ClassVar[str]
    basis: ClassVar[str] = ""  # the citation in Chinese: the regulation's title and article
    params: ClassVar[tuple[Param, ...]] = ()
    severity: ClassVar[str] = Severity.WARNING
    notify_role: ClassVar[str] = "branch_secretary"
    # The selector a rule reads through in another app: ("module", "attribute"). When it cannot be
    # imported the rule stays registered but is not run (``available`` is False) and says why.
    requires: ClassVar[tuple[str, str] | None] = None
    description: ClassVar[str] = ""

    def defaults(self) -> dict[str, Any]:
        return {p.name: (list(p.default) if p.many else p.default) for p in self.params}

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def available(self) -> bool:
        if self.requires is None:
            return True
        module, attr = self.requires
        app_label = module.split(".")[1]
        if not apps.is_installed(f"dangjian.{app_label}"):
            return False
        try:
            return hasattr(importlib.import_module(module), attr)
        except ImportError:
            return False

    def unavailable_reason(self) -> str:
        if self.available():
            return ""
        module, attr = self.requires or ("", "")
        return _("数据来源 %(m)s.%(a)s 尚未提供，规则已登记但暂不运行") % {"m": module, "a": attr}

    def validate(self, params: dict[str, Any]) -> list[FieldError]:
        """Errors of a partial parameter change (unknown names, types, ranges)."""
        return check_params(self.params, params, codes=RULE_ERRORS)

    def check_consistency(self, params: dict[str, Any]) -> list[FieldError]:
        """Cross-parameter rules (e.g. minimum ≤ maximum), on the merged parameters."""
        return []

    def evaluate(self, ctx: ScanContext, params: dict[str, Any]) -> Iterator[RawFinding]:
        raise NotImplementedError


RULE_ERRORS = ErrorCodes(
    unknown=HealthError.PARAM_UNKNOWN, type=HealthError.PARAM_TYPE, range=HealthError.PARAM_OUT_OF_RANGE,
    inconsistent=HealthError.PARAM_INCONSISTENT, reason=HealthError.REASON_REQUIRED,
    unknown_rule=HealthError.UNKNOWN_RULE)

_REGISTRY: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: adds one instance of the rule under its code (codes are unique)."""
    if cls.code in _REGISTRY and type(_REGISTRY[cls.code]) is not cls:
        raise ValueError(f"duplicate health rule code {cls.code!r}")
    _REGISTRY[cls.code] = cls()
    return cls


def all_rules() -> list[Rule]:
    """Every registered rule, in registration order."""
    return list(_REGISTRY.values())


def get_rule(code: str) -> Rule | None:
    return _REGISTRY.get(code)
