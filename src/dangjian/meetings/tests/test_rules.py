"""The cadence rules through the rules kit (issue 8, point 5): editable by ``meetings.configure``,
validated (a value out of range is a field error and changes nothing), audited in the same
transaction; the list and edit pages and the API in the kit's one shape."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.meetings.models import CadenceRule
from dangjian.meetings.rules import load_cadence_rules
from dangjian.meetings.services import cadence_rule_update
from tests.fixtures import audit_count, db_state, signin

pytestmark = pytest.mark.django_db

LECTURE = "branch.party_lecture"


def _row(code: str = LECTURE) -> CadenceRule:
    org_type, _sep, kind = code.partition(".")
    return CadenceRule.objects.get(org_type=org_type, kind__code=kind)


def _errors(exc) -> list[tuple[str, str, str]]:
    return [(e.code, e.field, e.message) for e in exc.value.errors]


@pytest.fixture
def admin(user_factory):
    return user_factory("admin", "sysadmin", None, scope="all")


def test_the_cadence_rows_are_kit_rules_with_chinese_names_and_citations():
    rules = load_cadence_rules()
    lecture = rules[LECTURE]
    assert len(rules) == 9
    assert (lecture.title, lecture.params, lecture.confidence) == ("党支部：党课", {"unit": "quarter", "min_count": 1},
                                                                   "medium")
    assert lecture.basis.startswith("《中国共产党支部工作条例（试行）》(2018) 第十六条")
    assert lecture.citation.startswith("DOMAIN §4 Party lecture")
    assert [p.name for p in lecture.schema] == ["unit", "min_count"]


def test_a_change_is_written_and_audited_with_its_basis(admin):
    # when: a province asks for a party lecture every month, twice
    cadence_rule_update(actor=admin, code=LECTURE, params={"unit": "month", "min_count": 2}, reason="某省委组织部通知")
    # then
    row = _row()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (row.unit, row.min_count, row.enabled) == ("month", 2, True)
    assert (entry.action, entry.before, entry.after, entry.reason) == (
        "meetings.cadence_rule_update", {"unit": "quarter", "min_count": 1, "enabled": True},
        {"unit": "month", "min_count": 2, "enabled": True}, "某省委组织部通知")
    assert load_cadence_rules()[LECTURE].params == {"unit": "month", "min_count": 2}


def test_a_partial_change_keeps_the_other_parameter(admin):
    cadence_rule_update(actor=admin, code="branch.heart_talk", enabled=True, reason="集团规定")
    cadence_rule_update(actor=admin, code=LECTURE, params={"min_count": 3}, reason="集团规定")
    assert (_row().unit, _row().min_count) == ("quarter", 3)
    assert _row("branch.heart_talk").enabled is True


@pytest.mark.parametrize(("params", "reason", "expected"), [
    pytest.param({"min_count": 0}, "通知", [("meetings.rule_param_range", "params.min_count", "应在 1–52次 之间")],
                 id="below_range"),
    pytest.param({"min_count": 53}, "通知", [("meetings.rule_param_range", "params.min_count", "应在 1–52次 之间")],
                 id="above_range"),
    pytest.param({"min_count": "2"}, "通知", [("meetings.rule_param_type", "params.min_count", "应为整数")],
                 id="text"),
    pytest.param({"unit": "week"}, "通知",
                 [("meetings.rule_param_type", "params.unit", "应为以下值之一：month, quarter, year")], id="unit"),
    pytest.param({"days": 3}, "通知", [("meetings.rule_param_unknown", "params.days", "该规则没有此参数")],
                 id="unknown_param"),
    pytest.param({"min_count": 2}, " ", [("meetings.rule_reason_required", "reason", "请填写修改依据（文件名称和文号）")],
                 id="no_reason"),
    pytest.param({"min_count": 0, "unit": "week"}, "", [
        ("meetings.rule_param_type", "params.unit", "应为以下值之一：month, quarter, year"),
        ("meetings.rule_param_range", "params.min_count", "应在 1–52次 之间"),
        ("meetings.rule_reason_required", "reason", "请填写修改依据（文件名称和文号）"),
    ], id="all_at_once"),
])
def test_a_refused_change_names_its_field_and_changes_nothing(admin, params, reason, expected):
    # given
    before = db_state()
    # when
    with pytest.raises(DomainError) as exc:
        cadence_rule_update(actor=admin, code=LECTURE, params=params, reason=reason)
    # then
    assert sorted(_errors(exc)) == sorted(expected)
    assert db_state() == before


def test_an_unknown_rule_is_a_field_error(admin):
    before = db_state()
    with pytest.raises(DomainError) as exc:
        cadence_rule_update(actor=admin, code="branch.nope", params={"min_count": 2}, reason="通知")
    assert _errors(exc) == [("meetings.rule_unknown", "code", "没有此规则")]
    assert db_state() == before


def test_only_meetings_configure_may_change_a_rule(tree, user_factory):
    # given: the org department plans meetings but does not configure the platform's rules
    dept = user_factory("dept", "org_dept", tree["G"])
    before = db_state()
    # when / then
    with pytest.raises(PermissionDenied):
        cadence_rule_update(actor=dept, code=LECTURE, params={"min_count": 2}, reason="通知")
    assert db_state() == before


def test_the_audit_entry_is_in_the_same_transaction_as_the_change(admin):
    # given
    before = (list(CadenceRule.objects.order_by("pk").values_list("unit", "min_count")), audit_count())
    # when: the surrounding transaction fails after the service returned
    with pytest.raises(RuntimeError), transaction.atomic():
        cadence_rule_update(actor=admin, code=LECTURE, params={"min_count": 4}, reason="通知")
        raise RuntimeError
    # then: neither the change nor its audit entry remains
    assert (list(CadenceRule.objects.order_by("pk").values_list("unit", "min_count")), audit_count()) == before


# --- pages -------------------------------------------------------------------------------------------------


def test_rules_page_shows_names_and_regulations_and_edit_links_only_to_configure(client, tree, user_factory, admin):
    # given
    signin(client, user_factory("pw", "party_worker", tree["A1"], scope="org"))
    # when
    page = client.get(reverse("meetings:rules")).content.decode()
    edit = client.get(reverse("meetings:rule_edit", args=[LECTURE]))
    # then
    assert page.count("data-rule=") == 9
    assert "党支部：党课" in page and "《中国共产党支部工作条例（试行）》(2018) 第十六条" in page and "每季度" in page
    assert reverse("meetings:rule_edit", args=[LECTURE]) not in page
    assert edit.status_code == 403
    signin(client, admin)
    assert reverse("meetings:rule_edit", args=[LECTURE]) in client.get(reverse("meetings:rules")).content.decode()


def test_edit_page_has_a_field_per_parameter_and_saves(client, admin):
    signin(client, admin)
    url = reverse("meetings:rule_edit", args=[LECTURE])
    form = client.get(url).context["form"]
    assert (form.initial["param_unit"], form.initial["param_min_count"]) == ("quarter", 1)
    response = client.post(url, {"param_unit": "month", "param_min_count": "2", "enabled": "on", "reason": "通知"})
    assert response.status_code == 302
    assert (_row().unit, _row().min_count) == ("month", 2)


@pytest.mark.parametrize(("field", "value"), [
    pytest.param("param_min_count", "0", id="below_range"),
    pytest.param("param_min_count", "100", id="above_range"),
    pytest.param("param_min_count", "两", id="not_a_number"),
    pytest.param("param_unit", "week", id="unknown_unit"),
])
def test_edit_page_refuses_out_of_range_at_the_field(client, admin, field, value):
    signin(client, admin)
    before = db_state()
    data = {"param_unit": "quarter", "param_min_count": "1", "enabled": "on", "reason": "通知", field: value}
    response = client.post(reverse("meetings:rule_edit", args=[LECTURE]), data)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert db_state() == before


def test_unknown_rule_page_is_404(client, admin):
    signin(client, admin)
    assert client.get(reverse("meetings:rule_edit", args=["branch.nope"])).status_code == 404


# --- API ---------------------------------------------------------------------------------------------------


def test_api_lists_and_patches_in_the_kits_shape(api_client, admin):
    api = api_client(admin)
    listed = api.get("/meetings/rules").json()
    lecture = next(r for r in listed if r["code"] == LECTURE)
    assert lecture["param_schema"][1] == {"name": "min_count", "label": "每个周期最少召开次数", "default": 1, "min": 1,
                                          "max": 52, "unit": "次", "many": False, "choices": []}
    assert (lecture["severity"], lecture["params"]) == (None, {"unit": "quarter", "min_count": 1})
    changed = api.patch(f"/meetings/rules/{LECTURE}", {"params": {"min_count": 2}, "reason": "通知"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["params"] == {"unit": "quarter", "min_count": 2}


def test_api_refuses_out_of_range_with_a_field_error(api_client, admin):
    api = api_client(admin)
    before = db_state()
    response = api.patch(f"/meetings/rules/{LECTURE}", {"params": {"min_count": 0}, "reason": "通知"})
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("meetings.rule_param_range", "params.min_count")]
    assert db_state() == before
    assert api.patch("/meetings/rules/branch.nope", {"params": {"min_count": 2}, "reason": "通知"}).status_code == 404
