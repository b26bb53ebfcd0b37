"""REST API of member development: list, board, timeline, application, steps with rule errors that say
when a step becomes possible, closing, rules; scope and bad input."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.development.choices import StepCode
from dangjian.development.models import Applicant, Pipeline, Step
from dangjian.development.tests.conftest import VOTES
from tests.fixtures import audit_count

pytestmark = pytest.mark.django_db
S = StepCode
D = dt.date


def counts():
    return Applicant.objects.count(), Pipeline.objects.count(), Step.objects.count(), audit_count()


@pytest.fixture
def worker(tree, user_factory, api_client):
    return api_client(user_factory("pw_a1", "party_worker", tree["A1"], scope="org"))


def _application(**over):
    body = {"name": "赵六", "id_number": "320102199505170712", "org": "A1", "applied_on": "2022-03-01",
            "phone": "13700002222"}
    body.update(over)
    return body


def test_application_then_steps_through_the_api(tree, worker):
    # when
    created = worker.post("/development/pipelines", _application())
    pid = created.json()["id"]
    talk = worker.post(f"/development/pipelines/{pid}/steps", {"code": "talk", "on": "2022-03-10",
                                                                "responsible": "王书记"})
    detail = worker.get(f"/development/pipelines/{pid}").json()
    # then
    assert created.status_code == 201, created.content
    assert created.json()["applicant"]["id_number"] == "3201**********0712"
    assert (created.json()["applicant"]["birth_date"], created.json()["applicant"]["gender"]) == ("1995-05-17", "M")
    assert talk.status_code == 201
    assert (talk.json()["code"], talk.json()["number"], talk.json()["warnings"]) == ("talk", 2, [])
    assert [s["code"] for s in detail["steps"]] == ["application", "talk"]
    assert [n["code"] for n in detail["next"]] == ["activist_confirm"]


def test_rule_error_names_field_rule_citation_and_possible_date(pipeline_factory, advance, worker):
    # given: activist since 2022-04-01
    pipeline = advance(pipeline_factory("A1"), S.ACTIVIST_EDUCATION)
    before = counts()
    # when
    response = worker.post(f"/development/pipelines/{pipeline.pk}/steps", {
        "code": "candidate_confirm", "on": "2023-03-31", "notice_start": "2023-03-20", "notice_end": "2023-03-24"})
    # then
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"], error["rule"], error["possible_on"]) == (
        "development.rule.candidate_min_cultivation", "on", "candidate_min_cultivation", "2023-04-01")
    assert "第十三条" in error["citation"]
    assert counts() == before


def test_votes_above_attendance_and_stray_data_are_refused(pipeline_factory, advance, worker):
    # given
    pipeline = advance(pipeline_factory("A1"), S.APPLICATION_FORM)
    url = f"/development/pipelines/{pipeline.pk}/steps"
    before = counts()
    # when
    votes = worker.post(url, {"code": "admission_meeting", "on": "2023-05-20", **VOTES, "votes_for": 9})
    stray = worker.post(url, {"code": "talk", "on": "2023-05-20", "training_days": 3})
    negative = worker.post(url, {"code": "admission_meeting", "on": "2023-05-20", **VOTES, "attending": -1})
    # then
    assert [(e["code"], e["field"]) for e in votes.json()["errors"]] == [
        ("development.votes_exceed_attendance", "votes_for")]
    assert [(e["code"], e["field"]) for e in stray.json()["errors"]] == [("development.invalid", "training_days")]
    assert [(e["code"], e["field"]) for e in negative.json()["errors"]] == [("validation.too_small", "attending")]
    assert counts() == before


def test_full_pipeline_through_the_api_makes_a_full_member(pipeline_factory, advance, worker, tree):
    # given
    pipeline = advance(pipeline_factory("A1"), S.CONVERSION_MEETING)
    # when
    response = worker.post(f"/development/pipelines/{pipeline.pk}/steps", {
        "code": "conversion_approval", "on": "2024-06-10", "approver": "甲公司党委"})
    detail = worker.get(f"/development/pipelines/{pipeline.pk}").json()
    # then
    assert response.status_code == 201
    assert (detail["stage"], detail["admission_meeting_on"], detail["full_on"]) == ("full", "2023-05-20", "2024-05-20")
    member = pipeline.applicant.__class__.objects.get(pk=pipeline.applicant_id).pipeline.member
    assert (member.category, member.full_member_on) == ("full", D(2024, 5, 20))


def test_placement_takes_a_party_group_code_of_the_branch(pipeline_factory, advance, worker, tree):
    # given
    pipeline = advance(pipeline_factory("A1"), S.ADMISSION_RECORD)
    url = f"/development/pipelines/{pipeline.pk}/steps"
    # when
    unknown = worker.post(url, {"code": "placement", "on": "2023-06-21", "party_group": "B1G1"})
    ok = worker.post(url, {"code": "placement", "on": "2023-06-21", "party_group": "A1G1"})
    # then
    assert [(e["code"], e["field"]) for e in unknown.json()["errors"]] == [("orgs.unknown_org", "party_group")]
    assert (ok.status_code, ok.json()["party_group"]) == (201, "A1G1")


def test_list_board_and_scope(pipeline_factory, advance, worker):
    # given
    mine = pipeline_factory("A1", name="甲申请人")
    theirs = pipeline_factory("B1", name="乙申请人")
    # when
    listed = worker.get("/development/pipelines").json()
    overdue = worker.get("/development/pipelines", overdue="true").json()
    board = worker.get("/development/board").json()
    foreign = worker.get(f"/development/pipelines/{theirs.pk}")
    step = worker.post(f"/development/pipelines/{theirs.pk}/steps", {"code": "talk", "on": "2022-03-10"})
    # then
    assert [p["id"] for p in listed["items"]] == [mine.pk]
    assert [p["id"] for p in overdue["items"]] == [mine.pk]  # the talk was due 2022-04-01
    applicants = next(c for c in board["columns"] if c["stage"] == "applicant")
    assert (applicants["count"], applicants["overdue"], [p["name"] for p in applicants["items"]]) == (1, 1, ["甲申请人"])
    assert (foreign.status_code, step.status_code) == (404, 404)


def test_application_refusals(tree, worker, member_factory):
    # given
    member = member_factory("A1")
    before = counts()
    # when
    registered = worker.post("/development/pipelines", _application(id_number=member.id_number))
    other_branch = worker.post("/development/pipelines", _application(org="B1"))
    young = worker.post("/development/pipelines", _application(id_number="320102200405170710",
                                                                applied_on="2022-05-16"))
    # then
    assert [(e["code"], e["field"]) for e in registered.json()["errors"]] == [
        ("development.already_member", "id_number")]
    assert [(e["code"], e["field"]) for e in other_branch.json()["errors"]] == [("orgs.unknown_org", "org")]
    assert [(e["code"], e["possible_on"]) for e in young.json()["errors"]] == [
        ("development.rule.min_age", "2022-05-17")]
    assert counts() == before


def test_rules_readable_by_viewers_editable_with_configure_only(tree, user_factory, api_client, worker):
    # given
    admin = api_client(user_factory("admin", "sysadmin", None, scope="all"))
    # when
    listed = worker.get("/development/rules").json()
    denied = worker.patch("/development/rules/public_notice", {"params": {"days": 7}, "reason": "x"})
    changed = admin.patch("/development/rules/public_notice", {"params": {"days": 7, "unit": "calendar"},
                                                               "reason": "集团规定"})
    bad = admin.patch("/development/rules/public_notice", {"params": {"days": -1}, "reason": "集团规定"})
    # then
    assert len(listed) == 19
    assert denied.status_code == 403
    assert (changed.status_code, changed.json()["params"]["days"], changed.json()["params"]["unit"]) == (
        200, 7, "calendar")
    assert [(e["code"], e["field"]) for e in bad.json()["errors"]] == [("development.rule_params_invalid", "params")]


def test_list_query_count_does_not_grow_with_rows(pipeline_factory, worker, django_assert_num_queries):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pipeline_factory("A1")
    worker.get("/development/pipelines")
    with CaptureQueriesContext(connection) as small:
        worker.get("/development/pipelines")
    for _ in range(5):
        pipeline_factory("A1")
    # when / then
    with django_assert_num_queries(len(small)):
        body = worker.get("/development/pipelines", limit=3).json()
    assert len(body["items"]) == 3 and body["next_cursor"]
