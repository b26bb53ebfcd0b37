"""The configurable-rules kit: rule definitions with typed parameters, the effective values (defaults
plus the overrides an administrator stored), validation of a change, and the one audited service that
changes a rule (issue 8, point 5).

An app that has rules declares:

- its rules' defaults as :class:`Rule` values (code, title, parameters, citation of DOMAIN, severity)
  and each parameter's schema as a :class:`Param` (type, range, unit, default);
- a :class:`Ruleset`: where its overrides are stored (a :class:`RuleStore`, usually a
  :class:`ModelRuleStore` over the app's own table), the permission that configures them, the audit
  action and recorder, the error codes, the settings besides the parameters (severity, enabled, …)
  and the event published after a change.

:func:`rule_update` then checks the permission, validates the change (unknown parameter, wrong type,
out of range, inconsistent → field errors; nothing is written), writes the override and the audit entry
in one transaction and publishes the event on commit. The kit imports no domain app: the audit
recorder and the event are handed in by the app.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.scoping import resolver

__all__ = [
    "ErrorCodes",
    "ModelRuleStore",
    "Param",
    "Rule",
    "RuleDefaults",
    "RuleSet",
    "RuleStore",
    "Ruleset",
    "check_params",
    "effective_rules",
    "rule_update",
]

UNKNOWN, TYPE, RANGE, INCONSISTENT = "unknown", "type", "range", "inconsistent"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """One parameter of a rule: an integer within ``[min, max]`` (``max`` None: unbounded), a list of
    such integers (``many``), one of ``choices``, or a list of ``choices`` (``many``)."""

    name: str
    label: str = ""
    default: Any = None
    min: int | None = 0
    max: int | None = None
    unit: str = ""
    many: bool = False
    choices: tuple[str, ...] = ()
    # the words a page shows for each choice: ((value, label), ...); the value when missing
    choice_labels: tuple[tuple[str, str], ...] = ()

    def choice_label(self, value: Any) -> str:
        return str(dict(self.choice_labels).get(value, value))

    def describe(self) -> dict[str, Any]:
        default = list(self.default) if self.many else self.default
        return {"name": self.name, "label": str(self.label), "default": default, "min": self.min, "max": self.max,
                "unit": self.unit, "many": self.many}

    def _range(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max, "unit": self.unit}

    def _in_range(self, value: int) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def _range_message(self, *, each: bool) -> str:
        if self.max is None:
            return _("应为不小于 %(min)s 的整数") % self._range()
        if each:
            return _("每个数值应在 %(min)s–%(max)s%(unit)s 之间") % self._range()
        return _("应在 %(min)s–%(max)s%(unit)s 之间") % self._range()

    def check(self, value: Any) -> tuple[str, str] | None:
        """``(kind, message)`` when *value* does not fit, else None."""
        if self.choices:
            allowed = ", ".join(self.choices)
            if self.many:
                if not isinstance(value, list) or not all(isinstance(v, str) and v in self.choices for v in value):
                    return TYPE, _("应为以下值组成的列表：%(values)s") % {"values": allowed}
                return None
            if not isinstance(value, str) or value not in self.choices:
                return TYPE, _("应为以下值之一：%(values)s") % {"values": allowed}
            return None
        if self.many:
            if not isinstance(value, list) or not value or len(value) > 6 or not all(_is_int(v) for v in value):
                return TYPE, _("应为 1–6 个整数组成的列表")
            if len(set(value)) != len(value):
                return INCONSISTENT, _("列表中的数值不能重复")
            if not all(self._in_range(v) for v in value):
                return RANGE, self._range_message(each=True)
            return None
        if not _is_int(value):
            return TYPE, _("应为整数")
        if not self._in_range(value):
            return RANGE, self._range_message(each=False)
        return None


@dataclass(frozen=True)
class Rule:
    """One rule as the services see it: its defaults, or the stored override merged over them."""

    code: str
    title: str
    params: dict[str, Any]
    citation: str
    confidence: str = "high"
    enabled: bool = True
    severity: str = ""
    schema: tuple[Param, ...] = ()
    # the citation in words a reader knows: the regulation's Chinese title and article (``citation``
    # keeps the DOMAIN reference); empty: the citation is shown as it is
    basis: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.schema if p.name == name), None)


@dataclass
class RuleSet:
    """The effective rules for one service call (one query)."""

    rules: dict[str, Rule]
    defaults: Mapping[str, Rule] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Rule:
        return self.rules.get(code) or self.defaults[code]


@dataclass(frozen=True)
class RuleDefaults:
    """An app's rules as declared (*rules*: the defaults) with the table of their stored overrides
    (*model*: ``"app_label.ModelName"``, a row per changed rule with ``code``, ``params`` and the
    settings), the error codes and the cross-parameter check of a change."""

    rules: Mapping[str, Rule] | Iterable[Rule]
    model: str
    codes: ErrorCodes
    consistency: Callable[[Rule, dict[str, Any]], list[FieldError]] | None = None
    one_field: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.rules, Mapping):
            object.__setattr__(self, "rules", {rule.code: rule for rule in self.rules})

    def defaults(self) -> RuleSet:
        return RuleSet(dict(self.rules), self.rules)

    def load(self) -> RuleSet:
        """The effective rules: the defaults with the stored overrides (one query)."""
        from django.apps import apps

        return effective_rules(self.rules, apps.get_model(self.model).objects.filter(code__in=list(self.rules)))

    def problems(self, code: str, params: dict[str, Any]) -> list[str]:
        """The messages of what is wrong with *params* for rule *code* (types and ranges, then consistency)."""
        rule = self.rules[code]
        errors = check_params(rule.schema, params, codes=self.codes, one_field=self.one_field)
        if not errors and self.consistency is not None:
            errors = self.consistency(rule, {**rule.params, **params})
        return [e.message for e in errors]


def effective_rules(defaults: Mapping[str, Rule], rows: Iterable[Any]) -> RuleSet:
    """The defaults with the stored rows (code, params, enabled, and severity/title/citation when the
    table has them) merged over them; a stored parameter the rule no longer has is ignored."""
    stored = {}
    for row in rows:
        default = defaults.get(row.code)
        if default is None:
            continue
        params = {**default.params, **{k: v for k, v in (row.params or {}).items() if k in default.params}}
        stored[row.code] = Rule(
            row.code, getattr(row, "title", default.title), params, getattr(row, "citation", default.citation),
            getattr(row, "confidence", default.confidence), row.enabled, getattr(row, "severity", default.severity),
            default.schema, default.basis)
    return RuleSet({**defaults, **stored}, defaults)


@dataclass(frozen=True)
class ErrorCodes:
    """The error codes a ruleset answers with (each app keeps its own)."""

    unknown: str
    type: str
    range: str
    inconsistent: str
    reason: str
    unknown_rule: str = ""

    def of(self, kind: str) -> str:
        return {UNKNOWN: self.unknown, TYPE: self.type, RANGE: self.range, INCONSISTENT: self.inconsistent}[kind]


def check_params(schema: Iterable[Param], changes: dict[str, Any], *, codes: ErrorCodes,
                 one_field: bool = False) -> list[FieldError]:
    """Field errors of a partial parameter change: unknown names, then types and ranges. Each error
    names ``params.<name>``, or ``params`` (the name in the message) when *one_field*."""
    known = {p.name: p for p in schema}

    def error(kind: str, name: str, message: str) -> FieldError:
        if one_field:
            return FieldError(codes.of(kind), "params", f"{name}: {message}")
        return FieldError(codes.of(kind), f"params.{name}", message)

    errors = [error(UNKNOWN, name, _("该规则没有此参数")) for name in changes if name not in known]
    for name, value in changes.items():
        problem = known[name].check(value) if name in known else None
        if problem:
            errors.append(error(problem[0], name, problem[1]))
    return errors


class RuleStore(Protocol):
    """Where a ruleset keeps its overrides."""

    def lock(self, code: str, current: Rule) -> Any:
        """The row of *code*, locked for update (created from *current* when missing)."""

    def snapshot(self, row: Any) -> dict[str, Any]:
        """The audited values of *row*."""

    def write(self, row: Any, *, params: dict[str, Any], settings: dict[str, Any]) -> None:
        """Stores the merged *params* and the changed *settings* on *row*."""


@dataclass(frozen=True)
class ModelRuleStore:
    """Overrides in an app's own table: a row per rule with ``code``, ``params`` (JSON), the settings
    columns and ``updated_at``. *seed*: a rule without a row gets one on its first change, with the
    values ``seed(code)`` gives (without *seed* every rule has a row, seeded by a data migration)."""

    model: type[models.Model]
    fields: tuple[str, ...] = ("params", "enabled")
    seed: Callable[[str], dict[str, Any]] | None = None

    def lock(self, code: str, current: Rule) -> Any:
        qs = self.model.objects.select_for_update()
        if self.seed is None:
            return qs.get(code=code)
        return qs.get_or_create(code=code, defaults=self.seed(code))[0]

    def snapshot(self, row: Any) -> dict[str, Any]:
        return {f: getattr(row, f) for f in self.fields}

    def write(self, row: Any, *, params: dict[str, Any], settings: dict[str, Any]) -> None:
        row.params = params
        for name, value in settings.items():
            setattr(row, name, value)
        row.save(update_fields=[*self.fields, "updated_at"])


@dataclass(frozen=True)
class Ruleset:
    """One app's configurable rules: what :func:`rule_update` needs to change them.

    *load*: the effective rules (defaults with overrides) keyed by code. *settings*: the values besides
    the parameters that may change, each with a check returning a field error (or None) and a
    conversion. *consistency*: cross-parameter checks on the merged parameters → field errors.
    *record*: the audit recorder (``audit.services.record``); *changed*: the event class published after
    a change, constructed with the rule's ``code``.
    """

    name: str
    perm: str
    audit_action: str
    store: RuleStore
    load: Callable[[], Mapping[str, Rule]]
    codes: ErrorCodes
    record: Callable[..., Any]
    settings: Mapping[str, Callable[[Any], FieldError | None]] = field(default_factory=dict)
    consistency: Callable[[Rule, dict[str, Any]], list[FieldError]] | None = None
    changed: type[events.DomainEvent] | None = None
    one_field: bool = False
    # the words of each severity ((value, label), ...: a TextChoices' ``choices``); empty: no severity
    severities: tuple[tuple[str, str], ...] = ()

    def can_configure(self, actor: Any) -> bool:
        return resolver().has_perm_anywhere(actor, self.perm)


@transaction.atomic
def rule_update(*, actor: Any, ruleset: Ruleset, code: str, params: dict[str, Any] | None = None,
                reason: str = "", **settings: Any) -> Any:
    """Changes rule *code* of *ruleset*: some parameters (merged over the current ones) and settings
    (severity, enabled, …; None means unchanged), with the stated basis *reason*.

    Permission: the ruleset's configure permission (the rules are platform-wide); ``actor=None`` is the
    system. Nothing is written when a value is refused (each error names its field: ``params`` or
    ``params.<name>``, the setting, ``reason``). Audit: the ruleset's action, before/after, in the same
    transaction. Event: the ruleset's, on commit.
    """
    if actor is not None and not ruleset.can_configure(actor):
        raise PermissionDenied(ruleset.perm)
    current = ruleset.load().get(code)
    if current is None:
        raise DomainError.one(ruleset.codes.unknown_rule, "code", _("没有此规则"))
    errors: list[FieldError] = []
    if params is not None:
        if not isinstance(params, dict):
            errors.append(FieldError(ruleset.codes.type, "params", _("参数应为 JSON 对象")))
        else:
            errors += check_params(current.schema, params, codes=ruleset.codes, one_field=ruleset.one_field)
            if not errors and ruleset.consistency is not None:
                errors += ruleset.consistency(current, {**current.params, **params})
    changes = {name: value for name, value in settings.items() if value is not None}
    for name in changes:
        if name not in ruleset.settings:
            raise TypeError(f"{ruleset.name} rules have no setting {name!r}")
        problem = ruleset.settings[name](changes[name])
        if problem is not None:
            errors.append(problem)
    if not (reason or "").strip():
        errors.append(FieldError(ruleset.codes.reason, "reason", _("请填写修改依据（文件名称和文号）")))
    if errors:
        raise DomainError(errors)
    row = ruleset.store.lock(code, current)
    before = ruleset.store.snapshot(row)
    ruleset.store.write(row, params={**current.params, **(params or {})}, settings=changes)
    ruleset.record(actor=actor, action=ruleset.audit_action, target=row, before=before,
                   after=ruleset.store.snapshot(row), reason=reason)
    if ruleset.changed is not None:
        events.publish(ruleset.changed(code=code))
    return row
