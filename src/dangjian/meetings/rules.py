"""The cadence rules (DOMAIN §4) as rules of the configurable-rules kit (``core.rules``).

The minimums stay rows of :class:`~dangjian.meetings.models.CadenceRule` (seeded from
``choices.DEFAULT_CADENCE``), which the compliance selector and the health scan read. Here each row is
a kit :class:`~dangjian.core.rules.Rule` with the code ``"<org type>.<kind code>"`` (e.g.
``branch.general_meeting``) and two parameters: the window (``unit``: month, quarter or year) and the
minimum held in each window (``min_count``). :class:`CadenceRuleStore` writes a change back onto the
row, so an edit is what the next compliance view and the next scan count against.
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.rules import ErrorCodes, Param, Rule
from dangjian.meetings.choices import DEFAULT_CADENCE, CadenceUnit
from dangjian.meetings.errors import MeetingsError
from dangjian.orgs.choices import OrgType

__all__ = ["MAX_MIN_COUNT", "RULE_ERRORS", "SCHEMA", "CadenceRuleStore", "cadence_code", "load_cadence_rules"]

# The most meetings of one kind a rule may require per window: one a week over a year. Above it a value
# is a typing mistake, not a regulation (the national minimums are 1 per month, quarter or year).
MAX_MIN_COUNT = 52

SCHEMA: tuple[Param, ...] = (
    Param("unit", _("周期"), CadenceUnit.QUARTER, None, None, choices=tuple(CadenceUnit.values),
          choice_labels=tuple(CadenceUnit.choices)),
    Param("min_count", _("每个周期最少召开次数"), 1, 1, MAX_MIN_COUNT, _("次")),
)

RULE_ERRORS = ErrorCodes(
    unknown=MeetingsError.RULE_PARAM_UNKNOWN, type=MeetingsError.RULE_PARAM_TYPE,
    range=MeetingsError.RULE_PARAM_RANGE, inconsistent=MeetingsError.RULE_PARAMS_INCONSISTENT,
    reason=MeetingsError.RULE_REASON_REQUIRED, unknown_rule=MeetingsError.RULE_UNKNOWN)

_BASIS = {(d.org_type, d.kind): d.basis for d in DEFAULT_CADENCE}


def cadence_code(org_type: str, kind_code: str) -> str:
    return f"{org_type}.{kind_code}"


def _rule(row: Any) -> Rule:
    org_type = OrgType(row.org_type).label if row.org_type in OrgType.values else row.org_type
    return Rule(
        cadence_code(row.org_type, row.kind.code), f"{org_type}：{row.kind.name}",
        {"unit": row.unit, "min_count": row.min_count}, row.citation, row.confidence, row.enabled,
        schema=SCHEMA, basis=_BASIS.get((row.org_type, row.kind.code), ""))


def load_cadence_rules() -> dict[str, Rule]:
    """Every cadence rule (the disabled ones too), by org type and the kinds' order: platform-wide
    regulation data, the same for everyone."""
    from dangjian.meetings.models import CadenceRule

    rows = CadenceRule.objects.select_related("kind").order_by("org_type", "kind__sort", "pk")
    return {rule.code: rule for rule in map(_rule, rows)}


class CadenceRuleStore:
    """The kit's store over the cadence rows: the parameters are the row's ``unit`` and ``min_count``."""

    fields = ("unit", "min_count", "enabled")

    def lock(self, code: str, current: Rule) -> Any:
        from dangjian.meetings.models import CadenceRule

        org_type, _sep, kind = code.partition(".")
        row = (CadenceRule.objects.select_for_update(of=("self",)).select_related("kind")
               .filter(org_type=org_type, kind__code=kind).first())
        if row is None:  # removed between the load and the lock
            raise DomainError.one(MeetingsError.RULE_UNKNOWN, "code", str(_("没有此规则")))
        return row

    def snapshot(self, row: Any) -> dict[str, Any]:
        return {f: getattr(row, f) for f in self.fields}

    def write(self, row: Any, *, params: dict[str, Any], settings: dict[str, Any]) -> None:
        row.unit, row.min_count = params["unit"], params["min_count"]
        if "enabled" in settings:
            row.enabled = settings["enabled"]
        row.save(update_fields=list(self.fields))
