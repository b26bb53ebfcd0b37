"""The API half of the configurable-rules kit (``core.rules``): one shape for every app's rules.

An app's ``api.py`` declares only its ruleset, its permissions and its words::

    rule_operations(router, ruleset=RULESET, view_perm=AppPerm.VIEW, update=app_rule_update,
                    list_summary=..., list_description=..., update_summary=..., update_description=...)

which adds ``GET /rules`` (``<app>_rules_list``: every rule, :class:`RuleOut`) and
``PATCH /rules/{code}`` (``<app>_rules_update``: :class:`RuleIn`, needing the ruleset's configure
permission; an unknown code is 404; a refused value is a 422 naming its field and changes nothing).
A ruleset with more settings than ``enabled`` (severity, notify_role …) passes its own input schema
(a :class:`RuleIn` with those fields) and, with more to show, its own output schema and converter.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from ninja import Field, P, PathEx, Schema
from pydantic import ConfigDict

from dangjian.core.rules import Param, Rule, Ruleset

__all__ = ["RuleIn", "RuleOut", "RuleParamOut", "param_out", "rule_operations", "rule_out"]


class RuleParamOut(Schema):
    """One parameter of a rule: an integer within [min, max], one of choices, or a list of either."""

    name: str
    label: str
    unit: str = Field(..., description="数值的单位（如 天、个月、人）")
    default: Any
    min: int | None = Field(..., description="整数参数的最小值（null：无下限或非整数参数）")
    max: int | None = Field(..., description="整数参数的最大值（null：无上限或非整数参数）")
    many: bool = Field(..., description="true：值为列表（整数或可选值）")
    choices: list[str] = Field(..., description="可选值（空：整数参数）")


class RuleOut(Schema):
    """A rule in words and numbers: its current parameters with their schema, and where it comes from."""

    code: str
    title: str
    params: dict[str, Any]
    param_schema: list[RuleParamOut]
    severity: str | None = Field(..., description="处理方式或严重程度（null：此类规则没有）")
    enabled: bool
    citation: str = Field(..., description="依据（DOMAIN.md 条目）")
    basis: str = Field(..., description="依据的文件名称和条款（中文；空：同 citation）")
    confidence: str


class RuleIn(Schema):
    """A change of a rule: some of its parameters, whether it applies, and the basis (always)."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Any] | None = Field(None, description="只需给出要修改的参数；每个参数须在其范围内")
    enabled: bool | None = None
    reason: str = Field(..., min_length=1, max_length=500, description="修改依据（文件名称和文号）")


def param_out(p: Param) -> dict[str, Any]:
    choices = bool(p.choices)
    return {**p.describe(), "min": None if choices else p.min, "max": None if choices else p.max,
            "unit": str(p.unit), "choices": list(p.choices)}


def rule_out(rule: Rule, ruleset: Ruleset) -> dict[str, Any]:
    return {"code": rule.code, "title": str(rule.title), "params": rule.params,
            "param_schema": [param_out(p) for p in rule.schema],
            "severity": rule.severity if ruleset.severities else None, "enabled": rule.enabled,
            "citation": rule.citation, "basis": rule.basis, "confidence": rule.confidence}


def rule_operations(router: Any, *, ruleset: Ruleset, view_perm: str, update: Callable[..., Any],
                    list_summary: str, list_description: str, update_summary: str, update_description: str,
                    into: type[RuleIn] = RuleIn, out: type[RuleOut] = RuleOut,
                    convert: Callable[[Rule, Ruleset], dict[str, Any]] = rule_out) -> None:
    """Adds the two rule operations of *ruleset* to *router* (a ``core.api.Router``), with the
    operation ids ``<ruleset.name>_rules_list`` and ``<ruleset.name>_rules_update``."""
    name = ruleset.name

    def rules_list(request):
        return [convert(rule, ruleset) for rule in ruleset.load().values()]

    def rules_update(request, payload, code):
        if code not in ruleset.load():
            raise Http404("unknown rule")
        update(actor=request.auth, code=code, **payload.model_dump(exclude_unset=True))
        return convert(ruleset.load()[code], ruleset)

    # real annotations (this module's are strings): ninja reads the input schema and the path from them
    rules_update.__annotations__ = {"payload": into, "code": PathEx[str, P(max_length=60)]}
    rules_list.__name__, rules_update.__name__ = f"{name}_rules_list", f"{name}_rules_update"
    for view in (rules_list, rules_update):  # the operations belong to the app whose router they are on
        view.__qualname__ = view.__name__
        view.__module__ = f"dangjian.{router.app}.api"
    router.get("/rules", perm=view_perm, response=list[out], operation_id=f"{name}_rules_list",
               summary=list_summary, description=list_description)(rules_list)
    router.patch("/rules/{code}", perm=ruleset.perm, response=out, operation_id=f"{name}_rules_update",
                 summary=update_summary, description=update_description)(rules_update)
