"""Input and output schemas of the health API (validation at the boundary, STYLE §11). Parameter values
are checked against each rule's parameter schema by the service, and come back as 422 field errors
(``params.<name>``) of the same shape as the schema's own."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.core.api import PageQuery
from dangjian.core.rules_api import RuleIn
from dangjian.core.rules_api import RuleOut as KitRuleOut
from dangjian.health.choices import FindingState, Severity

__all__ = [
    "AcknowledgeIn",
    "FindingFilters",
    "FindingOut",
    "FindingPageOut",
    "HealthRuleIn",
    "HealthRuleOut",
    "MonitorOut",
    "MonitorQuery",
]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class OrgRefOut(Schema):
    id: int
    code: str
    name: str


class SubjectOut(Schema):
    type: str = Field(..., description="member / term / meeting_kind / pipeline / transfer")
    id: int


class FindingOut(Schema):
    id: int
    rule: str = Field(..., examples=["org.too_few_full_members"])
    rule_title: str
    org: OrgRefOut
    subject: SubjectOut | None = Field(..., description="what the finding is about below the org (null: the org)")
    severity: Severity
    state: FindingState
    measured: float | None = Field(..., description="the measured value (members, seats, days, months …)")
    message: str
    details: dict[str, Any]
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    acknowledged_note: str


class FindingPageOut(Schema):
    items: list[FindingOut]
    next_cursor: str | None


class FindingFilters(PageQuery):
    rule: str | None = Field(None, max_length=60, description="规则代码，如 org.term_expired")
    org: str | None = Field(None, max_length=40, description="组织代码或 id（含下级组织）")
    state: Literal["open", "acknowledged", "resolved", "active"] | None = Field(
        None, description="active：待处理和已确认（未消除的）")
    severity: Severity | None = None


class AcknowledgeIn(_Input):
    note: str = Field("", max_length=200, description="确认说明（可选）")


class HealthRuleOut(KitRuleOut):
    """The rules kit's shape with what a health rule adds: what it checks, whether it runs, whom it notifies."""

    description: str
    available: bool = Field(..., description="false: the app the rule reads is not installed yet; it does not run")
    note: str
    notify_role: str
    updated_at: dt.datetime | None


class HealthRuleIn(RuleIn):
    """The rules kit's input with the health rules' settings: severity and the role to notify."""

    severity: Severity | None = None
    notify_role: str | None = Field(None, max_length=40, description="通知的角色代码，如 branch_secretary")


class MonitorQuery(Schema):
    org: str | None = Field(None, max_length=40, description="组织代码或 id：列出其下级组织（默认：您能看到的最上级组织）")
    sort: str = Field("name", max_length=20, description="排序列（name, members, dues, findings …；前加 - 为降序）")


class MonitorRowOut(Schema):
    org: OrgRefOut
    org_type: str
    has_children: bool
    members: dict[str, int] = Field(..., description="total, full, probationary")
    structure: dict[str, Any] = Field(..., description="orgs_active, orgs_with_findings, status")
    cadence: dict[str, dict[str, Any]] = Field(..., description="per meeting kind: applicable, short, rate, status")
    dues: dict[str, Any] = Field(..., description="period, due, paid, rate, status")
    pipelines: dict[str, Any] = Field(..., description="open, overdue, status")
    terms: dict[str, Any] = Field(..., description="expiring, expired, status")
    findings: dict[str, Any] = Field(..., description="critical, warning, info, by_rule, status")


class MonitorOut(Schema):
    org: OrgRefOut | None
    computed_at: dt.datetime | None
    sort: str
    kinds: list[dict[str, str]]
    total: MonitorRowOut | None
    rows: list[MonitorRowOut]
