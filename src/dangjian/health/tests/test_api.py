"""The health API: findings in the caller's scope with filters and keyset pages, the rules and changing
their parameters (ranges refused at the field), acknowledging, the monitoring table."""
from __future__ import annotations

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.health.choices import RuleCode
from dangjian.health.models import Finding, RuleConfig
from dangjian.health.rules import all_rules
from dangjian.health.tests.fixtures import add_members

pytestmark = pytest.mark.django_db
TOO_FEW = RuleCode.TOO_FEW_FULL_MEMBERS


@pytest.fixture
def scanned(tree, health):
    """Every branch too small, no secretaries anywhere; scanned."""
    add_members(tree["A1"], 2)
    health.scan(codes=[TOO_FEW, RuleCode.NO_SECRETARY])
    return tree


def test_branch_a_user_sees_only_branch_a_findings(scanned, user_factory, api_client):
    # given
    user = user_factory("a_sec", "branch_secretary", scanned["A"], scope="subtree")
    # when
    body = api_client(user).get("/health/findings").json()
    # then
    assert {item["org"]["code"] for item in body["items"]} == {"A", "A1", "A2"}
    assert body["next_cursor"] is None
    item = next(i for i in body["items"] if i["org"]["code"] == "A1" and i["rule"] == TOO_FEW)
    assert item["rule_title"] == "正式党员不足三人的党支部"
    assert (item["severity"], item["state"], item["measured"], item["subject"]) == ("warning", "open", 2.0, None)
    assert item["message"] == "正式党员 2 名，少于 3 名"


def test_filters_and_keyset_pages(scanned, user_factory, api_client):
    user = user_factory("g", "org_dept", scanned["G"], scope="subtree")
    client = api_client(user)
    assert {i["org"]["code"] for i in client.get("/health/findings", rule=TOO_FEW).json()["items"]} == {"A1", "A2", "B1"}
    assert {i["org"]["code"] for i in client.get("/health/findings", org="B").json()["items"]} == {"B", "B1"}
    assert client.get("/health/findings", state="resolved").json()["items"] == []
    first = client.get("/health/findings", limit=3).json()
    second = client.get("/health/findings", limit=3, cursor=first["next_cursor"]).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(ids) == 6


def test_unknown_rule_and_foreign_org_are_field_errors(scanned, user_factory, api_client):
    client = api_client(user_factory("a", "branch_secretary", scanned["A"]))
    response = client.get("/health/findings", rule="org.nope")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rule"
    foreign = client.get("/health/findings", org="B1")
    missing = client.get("/health/findings", org="NOPE")
    assert foreign.status_code == 422 and foreign.json() == missing.json()


def test_list_query_count_does_not_grow_with_rows(tree, health, user_factory, api_client,
                                                  django_assert_num_queries):
    from dangjian.health.services import finding_acknowledge

    user = user_factory("g", "org_dept", tree["G"])
    client = api_client(user)
    health.scan(codes=[TOO_FEW])
    client.get("/health/findings")  # warm the session
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get("/health/findings").json()["items"]) == 3
    add_members(tree["A1"], 1)
    health.scan(codes=[TOO_FEW, RuleCode.NO_SECRETARY])
    for f in Finding.objects.all()[:3]:
        finding_acknowledge(actor=None, finding=f)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get("/health/findings").json()["items"]) == 9


LIST_QUERIES = 6  # session, user, OTP device, MFA check, grants; the page (org and acknowledging user joined)


def test_rules_list_has_every_code_with_citation_and_param_schema(user_factory, tree, api_client):
    body = api_client(user_factory("w", "party_worker", tree["A1"])).get("/health/rules").json()
    assert [r["code"] for r in body] == [r.code for r in all_rules()]
    assert all(r["citation"].startswith("DOMAIN §") for r in body)
    expiring = next(r for r in body if r["code"] == RuleCode.TERM_EXPIRING)
    assert expiring["params"] == {"offsets_months": [6, 3, 1]}
    assert expiring["param_schema"] == [{"name": "offsets_months", "label": "提前提醒（月）", "default": [6, 3, 1],
                                         "min": 1, "max": 24, "unit": "个月", "many": True, "choices": []}]
    assert all(r["available"] for r in body)


def test_rule_update_is_audited(tree, user_factory, api_client):
    admin = user_factory("admin", "sysadmin", tree["G"])
    response = api_client(admin).patch(f"/health/rules/{RuleCode.BRANCH_OVERSIZE}",
                                       {"params": {"max_members": 40}, "severity": "info", "reason": "集团党建〔2025〕1号"})
    assert response.status_code == 200, response.content
    assert (response.json()["params"], response.json()["severity"]) == ({"max_members": 40}, "info")
    entry = AuditEntry.objects.get(action="health.rule_update")
    assert (entry.actor_id, entry.before["params"], entry.after["params"], entry.reason) == (
        admin.pk, {"max_members": 50}, {"max_members": 40}, "集团党建〔2025〕1号")


@pytest.mark.parametrize(("body", "field", "code"), [
    pytest.param({"params": {"max_members": 9}}, "params.max_members", "health.param_out_of_range", id="below_min"),
    pytest.param({"params": {"max_members": 501}}, "params.max_members", "health.param_out_of_range", id="above_max"),
    pytest.param({"params": {"max_members": "50"}}, "params.max_members", "health.param_type", id="text"),
    pytest.param({"params": {"max_members": True}}, "params.max_members", "health.param_type", id="bool"),
    pytest.param({"params": {"size": 3}}, "params.size", "health.param_unknown", id="unknown"),
    pytest.param({"severity": "urgent"}, "severity", "validation.invalid_choice", id="severity"),
    pytest.param({"notify_role": "nobody"}, "notify_role", "health.unknown_role", id="role"),
    pytest.param({"reason": ""}, "reason", "validation.too_short", id="reason"),
])
def test_rule_update_refuses_bad_values_at_their_field(tree, user_factory, api_client, body, field, code):
    admin = user_factory("admin", "sysadmin", tree["G"])
    before = list(RuleConfig.objects.values_list("code", "params", "severity", "enabled", "notify_role"))
    response = api_client(admin).patch(f"/health/rules/{RuleCode.BRANCH_OVERSIZE}", {"reason": "依据", **body})
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert list(RuleConfig.objects.values_list("code", "params", "severity", "enabled", "notify_role")) == before
    assert not AuditEntry.objects.filter(action="health.rule_update").exists()


@pytest.mark.parametrize(("code", "params", "field"), [
    pytest.param(RuleCode.COMMITTEE_SIZE, {"min_seats": 6}, "params.max_seats", id="min_above_max"),
    pytest.param(RuleCode.SHOULD_UPGRADE, {"general_branch_from": 100}, "params.committee_from", id="gb_not_below"),
    pytest.param(RuleCode.TERM_EXPIRING, {"offsets_months": [3, 3]}, "params.offsets_months", id="duplicates"),
    pytest.param(RuleCode.TERM_EXPIRING, {"offsets_months": [25]}, "params.offsets_months", id="list_range"),
    pytest.param(RuleCode.TERM_EXPIRING, {"offsets_months": []}, "params.offsets_months", id="empty_list"),
])
def test_rule_update_checks_parameters_together(tree, user_factory, api_client, code, params, field):
    admin = user_factory("admin", "sysadmin", tree["G"])
    response = api_client(admin).patch(f"/health/rules/{code}", {"params": params, "reason": "依据"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_unknown_rule_is_404(tree, user_factory, api_client):
    admin = user_factory("admin", "sysadmin", tree["G"])
    assert api_client(admin).patch("/health/rules/org.nope", {"reason": "x"}).status_code == 404


def test_acknowledge(scanned, user_factory, api_client):
    # given
    user = user_factory("a1", "branch_secretary", scanned["A1"], scope="org")
    finding = Finding.objects.get(rule=TOO_FEW, org=scanned["A1"])
    # when
    response = api_client(user).post(f"/health/findings/{finding.pk}/acknowledge", {"note": "正在发展新党员"})
    # then
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["acknowledged_by"]) == ("acknowledged", "a1")
    entry = AuditEntry.objects.get(action="health.finding_acknowledge")
    assert (entry.actor_id, entry.org_path, entry.target_id, entry.after["note"]) == (
        user.pk, scanned["A1"].path, str(finding.pk), "正在发展新党员")
    # again: no second entry
    assert api_client(user).post(f"/health/findings/{finding.pk}/acknowledge", {}).status_code == 200
    assert AuditEntry.objects.filter(action="health.finding_acknowledge").count() == 1


def test_acknowledge_resolved_or_foreign(scanned, health, user_factory, api_client):
    user = user_factory("a1", "branch_secretary", scanned["A1"], scope="org")
    client = api_client(user)
    foreign = Finding.objects.get(rule=TOO_FEW, org=scanned["B1"])
    response = client.post(f"/health/findings/{foreign.pk}/acknowledge", {})
    assert response.status_code == 404
    assert client.post("/health/findings/987654321/acknowledge", {}).json() == response.json()
    add_members(scanned["A1"], 1)
    health.scan(codes=[TOO_FEW])
    resolved = Finding.objects.get(rule=TOO_FEW, org=scanned["A1"])
    response = client.post(f"/health/findings/{resolved.pk}/acknowledge", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "state"
    assert not AuditEntry.objects.filter(action="health.finding_acknowledge").exists()


def test_monitor(scanned, health, user_factory, api_client):
    health.scan()
    user = user_factory("a", "committee_secretary", scanned["A"])
    body = api_client(user).get("/health/monitor").json()
    assert body["org"] is None
    assert [r["org"]["code"] for r in body["rows"]] == ["A"]
    body = api_client(user).get("/health/monitor", org="A", sort="-members").json()
    assert [r["org"]["code"] for r in body["rows"]] == ["A1", "A2"]
    a1 = body["rows"][0]
    assert a1["members"] == {"total": 2, "full": 2, "probationary": 0}
    assert a1["findings"]["by_rule"][TOO_FEW] == 1
    assert body["total"]["members"]["total"] == 2
    assert api_client(user).get("/health/monitor", org="B").status_code == 422
