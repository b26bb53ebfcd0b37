"""The configurable-rules kit (issue 8, point 5): one validation and one audited service serve the
development, transfers and health rules; a refused change names its field and changes nothing, and the
audit entry is written in the same transaction as the override."""
from __future__ import annotations

import dataclasses

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.core.rules import ErrorCodes, Param, check_params, rule_update
from dangjian.development.models import DevelopmentRule
from dangjian.development.services.rules_admin import RULESET as DEVELOPMENT
from dangjian.health.models import RuleConfig
from dangjian.health.services.config import RULESET as HEALTH
from dangjian.transfers.models import TransferRule
from dangjian.transfers.services.rules_admin import RULESET as TRANSFERS

CODES = ErrorCodes(unknown="t.unknown", type="t.type", range="t.range", inconsistent="t.inconsistent",
                   reason="t.reason")
SCHEMA = (Param("days", "天数", 5, 1, 30, "天"), Param("unit", "单位", "working", None, None,
                                                    choices=("working", "calendar")),
          Param("offsets", "提醒", (3, 1), 1, 12, "个月", many=True))


def _state():
    return (list(DevelopmentRule.objects.values_list("code", "params", "severity", "enabled")),
            list(TransferRule.objects.values_list("code", "params", "enabled")),
            list(RuleConfig.objects.values_list("code", "params", "severity", "enabled", "notify_role")),
            AuditEntry.objects.count())


@pytest.mark.parametrize(("changes", "expected"), [
    pytest.param({"days": 31}, [("t.range", "params.days", "应在 1–30天 之间")], id="above_range"),
    pytest.param({"days": 0}, [("t.range", "params.days", "应在 1–30天 之间")], id="below_range"),
    pytest.param({"days": "5"}, [("t.type", "params.days", "应为整数")], id="text"),
    pytest.param({"days": True}, [("t.type", "params.days", "应为整数")], id="bool"),
    pytest.param({"unit": "weeks"}, [("t.type", "params.unit", "应为以下值之一：working, calendar")], id="choice"),
    pytest.param({"offsets": [3, 3]}, [("t.inconsistent", "params.offsets", "列表中的数值不能重复")], id="dupes"),
    pytest.param({"offsets": [13]}, [("t.range", "params.offsets", "每个数值应在 1–12个月 之间")], id="list_range"),
    pytest.param({"weeks": 2}, [("t.unknown", "params.weeks", "该规则没有此参数")], id="unknown"),
    pytest.param({"days": 7, "unit": "calendar", "offsets": [6, 1]}, [], id="ok"),
])
def test_a_parameter_change_is_checked_against_the_schema(changes, expected):
    # when
    errors = check_params(SCHEMA, changes, codes=CODES)
    # then
    assert [(e.code, e.field, e.message) for e in errors] == expected


def test_one_field_puts_the_parameter_name_in_the_message():
    errors = check_params(SCHEMA, {"days": 31}, codes=CODES, one_field=True)
    assert [(e.code, e.field, e.message) for e in errors] == [("t.range", "params", "days: 应在 1–30天 之间")]


@pytest.mark.parametrize(("ruleset", "code", "params", "expected"), [
    pytest.param(DEVELOPMENT, "min_age", {"years": -1}, [("development.rule_params_invalid", "params")],
                 id="development_out_of_range"),
    pytest.param(DEVELOPMENT, "min_age", {"years": "十八"}, [("development.rule_params_invalid", "params")],
                 id="development_wrong_type"),
    pytest.param(DEVELOPMENT, "min_age", {"age": 18}, [("development.rule_params_invalid", "params")],
                 id="development_unknown"),
    pytest.param(TRANSFERS, "letter_validity", {"days": 3651}, [("transfers.rule_params_invalid", "params")],
                 id="transfers_out_of_range"),
    pytest.param(TRANSFERS, "letter_validity", {"days": 200}, [("transfers.rule_params_invalid", "params")],
                 id="transfers_above_max_days"),
    pytest.param(HEALTH, "org.branch_oversize", {"max_members": 501},
                 [("health.param_out_of_range", "params.max_members")], id="health_out_of_range"),
    pytest.param(HEALTH, "org.branch_oversize", {"max_members": 4.5},
                 [("health.param_type", "params.max_members")], id="health_wrong_type"),
    pytest.param(HEALTH, "org.branch_oversize", {"size": 3}, [("health.param_unknown", "params.size")],
                 id="health_unknown"),
])
def test_a_refused_change_names_its_field_and_changes_nothing(db, user_factory, ruleset, code, params, expected):
    # given
    admin = user_factory("admin", "sysadmin", None, scope="all")
    before = _state()
    # when
    with pytest.raises(DomainError) as exc:
        rule_update(actor=admin, ruleset=ruleset, code=code, params=params, reason="某省委组织部通知")
    # then
    assert [(e.code, e.field) for e in exc.value.errors] == expected
    assert _state() == before


@pytest.mark.parametrize(("ruleset", "code", "params", "row"), [
    pytest.param(DEVELOPMENT, "talk_deadline", {"months": 2}, lambda: DevelopmentRule.objects.get(code="talk_deadline"),
                 id="development"),
    pytest.param(TRANSFERS, "letter_validity", {"days": 60}, lambda: TransferRule.objects.get(code="letter_validity"),
                 id="transfers"),
    pytest.param(HEALTH, "org.branch_oversize", {"max_members": 40},
                 lambda: RuleConfig.objects.get(code="org.branch_oversize"), id="health"),
])
def test_a_change_is_stored_and_audited_with_its_basis(db, user_factory, ruleset, code, params, row):
    # given
    admin = user_factory("admin", "sysadmin", None, scope="all")
    # when
    rule_update(actor=admin, ruleset=ruleset, code=code, params=params, reason="某省委组织部通知")
    # then
    entry = AuditEntry.objects.filter(action=ruleset.audit_action).get()
    stored = row().params
    assert (entry.actor_id, entry.reason, {k: entry.after["params"][k] for k in params}) == (
        admin.pk, "某省委组织部通知", params)
    assert {k: stored[k] for k in params} == params


def test_the_override_is_rolled_back_when_the_audit_entry_cannot_be_written(db, user_factory):
    # given: an audit recorder that fails after the override was written
    admin = user_factory("admin", "sysadmin", None, scope="all")

    def failing_record(**kwargs):
        raise RuntimeError("audit store unavailable")

    broken = dataclasses.replace(TRANSFERS, record=failing_record)
    before = _state()
    # when
    with pytest.raises(RuntimeError):
        rule_update(actor=admin, ruleset=broken, code="letter_validity", params={"days": 60}, reason="通知")
    # then
    assert _state() == before


def test_changing_a_rule_needs_the_ruleset_permission(db, tree, user_factory):
    # given
    from django.core.exceptions import PermissionDenied

    secretary = user_factory("sec", "branch_secretary", tree["A1"])
    before = _state()
    # when / then
    with pytest.raises(PermissionDenied):
        rule_update(actor=secretary, ruleset=TRANSFERS, code="letter_validity", params={"days": 60}, reason="x")
    assert _state() == before
