"""Development pages: the board (kanban by stage, overdue marked, one query per column), the timeline,
the application and step forms with field-level errors, closing, the xlsx register, the rules."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.development.choices import Stage, StepCode
from dangjian.development.models import Applicant, Pipeline, Step
from dangjian.development.services import REGISTER_COLUMNS
from dangjian.development.tests.conftest import applicant_fields
from tests.fixtures import audit_count, make_id_number, signin

pytestmark = pytest.mark.django_db
S = StepCode
D = dt.date




def counts():
    return Applicant.objects.count(), Pipeline.objects.count(), Step.objects.count(), audit_count()


@pytest.fixture
def worker_a1(client, tree, user_factory):
    """党务工作者 at branch A1 (scope "org"): development.view/change there only."""
    return signin(client, user_factory("pw_a1", "party_worker", tree["A1"], scope="org"))


def column(html: str, stage: str) -> str:
    start = html.index(f'data-stage="{stage}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- board -----------------------------------------------------------------------------------------------


def test_board_shows_each_stage_with_overdue_marked_and_other_branches_hidden(client, pipeline_factory, advance,
                                                                              worker_a1):
    # given: an applicant whose talk is overdue, an activist, and an applicant of branch B
    late = pipeline_factory("A1", name="迟谈话")
    activist = advance(pipeline_factory("A1", name="积极分子甲"), S.ACTIVIST_EDUCATION)
    pipeline_factory("B1", name="乙支部申请人")
    # when
    response = client.get(reverse("development:board"))
    html = response.content.decode()
    # then
    assert response.status_code == 200
    assert "迟谈话" in column(html, Stage.APPLICANT)
    assert f'data-pipeline="{late.pk}" data-overdue' in html
    assert "积极分子甲" in column(html, Stage.ACTIVIST)
    assert activist.next_due == D(2023, 4, 1)  # the next 6-monthly assessment
    assert "乙支部申请人" not in html


def test_board_filters_by_org_code_and_refuses_codes_outside_scope(client, pipeline_factory, worker_a1):
    # given
    pipeline_factory("A1", name="甲申请人")
    pipeline_factory("B1", name="乙申请人")
    # when
    mine = client.get(reverse("development:board"), {"org": "A1"}).content.decode()
    theirs = client.get(reverse("development:board"), {"org": "B1"}).content.decode()
    # then
    assert "甲申请人" in mine
    assert 'data-field-error="org"' in theirs
    assert "乙申请人" not in theirs


def test_board_needs_one_query_per_column_whatever_the_number_of_cards(client, pipeline_factory, advance, tree,
                                                                        user_factory, django_assert_num_queries):
    # given
    signin(client, user_factory("sec_a", "committee_secretary", tree["A"]))
    advance(pipeline_factory("A1"), S.ACTIVIST_CONFIRM)
    pipeline_factory("A2")
    url = reverse("development:board")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    # when
    for code in ("A1", "A2"):
        for _ in range(3):
            advance(pipeline_factory(code), S.ACTIVIST_CONFIRM)
            pipeline_factory(code)
    # then
    with django_assert_num_queries(len(small)):
        client.get(url)
    board_queries = [q["sql"] for q in small.captured_queries if "development_pipeline" in q["sql"]]
    assert len(board_queries) == 3  # the totals, then the two non-empty columns


# --- timeline ------------------------------------------------------------------------------------------------


def test_timeline_lists_all_steps_with_next_and_overdue(client, pipeline_factory, advance, worker_a1):
    # given: activist since 2022-04-01, assessed once; candidate possible from 2023-04-01
    pipeline = advance(pipeline_factory("A1", name="王五"), S.ACTIVIST_EDUCATION)
    # when
    html = client.get(reverse("development:detail", args=[pipeline.pk])).content.decode()
    # then
    assert html.count("data-step=") == 25
    assert 'data-step="talk" data-status="done"' in html
    assert 'data-step="candidate_confirm" data-status="open"' in html
    assert 'data-step="activist_education" data-status="overdue"' in html
    assert 'data-step="introducers" data-status="later"' in html
    assert pipeline.applicant.id_number not in html
    assert pipeline.applicant.id_number_masked in html


def test_timeline_of_another_branch_is_not_found(client, pipeline_factory, worker_a1):
    # given
    theirs = pipeline_factory("B1")
    # when / then
    assert client.get(reverse("development:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("development:step", args=[theirs.pk, "talk"])).status_code == 404


def test_timeline_query_count_does_not_grow_with_steps(client, pipeline_factory, advance, worker_a1,
                                                       django_assert_num_queries):
    # given
    short = pipeline_factory("A1")
    long = advance(pipeline_factory("A1"), S.INTRODUCERS)
    client.get(reverse("development:detail", args=[short.pk]))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("development:detail", args=[short.pk]))
    # then
    with django_assert_num_queries(len(small)):
        client.get(reverse("development:detail", args=[long.pk]))


# --- forms ---------------------------------------------------------------------------------------------------


def _post_applicant(tree, **over):
    fields = applicant_fields(tree)
    data = {
        "name": fields["name"], "id_number": fields["id_number"], "gender": "", "birth_date": "",
        "ethnicity": "汉族", "phone": fields["phone"], "education": "bachelor", "job_title": "技术员",
        "unit_code": "", "org_code": "A1", "applied_on": "2022-03-01", "responsible": "王书记",
        "document_ref": "", "reason": "",
    }
    data.update(over)
    return data


def test_application_form_creates_the_pipeline(client, tree, worker_a1):
    # when
    response = client.post(reverse("development:create"), _post_applicant(tree))
    # then
    pipeline = Pipeline.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("development:detail", args=[pipeline.pk])
    assert (pipeline.applicant.birth_date, pipeline.applicant.gender, pipeline.stage) == (
        D(1995, 5, 17), "M", Stage.APPLICANT)


@pytest.mark.parametrize(
    ("_case", "over", "field"),
    [
        ("bad_id", {"id_number": "320102199505170713"}, "id_number"),
        ("other_branch", {"org_code": "B1"}, "org_code"),
        ("under_18", {"id_number": make_id_number(D(2010, 1, 1), 71, area="320102")}, "applied_on"),
        ("future", {"applied_on": "2099-01-01"}, "applied_on"),
    ],
)
def test_application_form_shows_field_errors_and_writes_nothing(client, tree, worker_a1, _case, over, field):
    # given
    before = counts()
    # when
    response = client.post(reverse("development:create"), _post_applicant(tree, **over))
    # then
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert counts() == before


def test_step_form_refuses_too_early_with_the_date_it_becomes_possible(client, pipeline_factory, advance,
                                                                       worker_a1):
    # given
    pipeline = advance(pipeline_factory("A1"), S.ACTIVIST_EDUCATION)
    url = reverse("development:step", args=[pipeline.pk, S.CANDIDATE_CONFIRM])
    data = {"on": "2023-03-31", "notice_start": "2023-03-20", "notice_end": "2023-03-24", "responsible": "王书记"}
    before = counts()
    # when
    refused = client.post(url, data)
    # then
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'data-field-error="on"' in html
    assert "2023-04-01 起方可列为发展对象" in html
    assert counts() == before
    # when the date is right
    done = client.post(url, {**data, "on": "2023-04-01"})
    assert done.status_code == 302
    pipeline.refresh_from_db()
    assert pipeline.stage == Stage.CANDIDATE


def test_step_form_for_introducers_offers_full_members_and_records_them(client, pipeline_factory, advance, people,
                                                                        worker_a1):
    # given
    pipeline = advance(pipeline_factory("A1"), S.CANDIDATE_CONFIRM)
    url = reverse("development:step", args=[pipeline.pk, S.INTRODUCERS])
    # when
    form = client.get(url).content.decode()
    response = client.post(url, {"on": "2023-04-06", "introducers": [people["full"][1].pk, people["full"][2].pk]})
    # then
    assert people["full"][1].name in form
    assert people["probationary"].name not in form
    assert response.status_code == 302
    assert sorted(Step.objects.get(code=S.INTRODUCERS).people.values_list("pk", flat=True)) == sorted(
        [people["full"][1].pk, people["full"][2].pk])


def test_meeting_form_prefills_the_entitled_members_and_refuses_votes_above_attendance(client, pipeline_factory,
                                                                                       advance, worker_a1):
    # given: four full members in A1 plus the probationary one (not entitled)
    pipeline = advance(pipeline_factory("A1"), S.APPLICATION_FORM)
    url = reverse("development:step", args=[pipeline.pk, S.ADMISSION_MEETING])
    before = counts()
    # when
    form = client.get(url).content.decode()
    response = client.post(url, {"on": "2023-05-20", "entitled": 4, "attending": 3, "written_opinions": 0,
                                 "votes_for": 3, "votes_against": 1, "votes_abstain": 0})
    # then
    assert 'name="entitled" value="4"' in form
    assert response.status_code == 400
    assert 'data-field-error="votes_for"' in response.content.decode()
    assert counts() == before


def test_close_form_ends_the_pipeline(client, pipeline_factory, worker_a1):
    # given
    pipeline = pipeline_factory("A1")
    # when
    response = client.post(reverse("development:close", args=[pipeline.pk]),
                           {"outcome": "withdrawn", "on": "2022-03-10", "reason": "本人撤回"})
    # then
    pipeline.refresh_from_db()
    assert response.status_code == 302
    assert (pipeline.stage, pipeline.closed_on) == (Stage.WITHDRAWN, D(2022, 3, 10))


# --- export --------------------------------------------------------------------------------------------------


def _rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(r) for r in workbook.active.iter_rows(values_only=True)]


def test_register_export_is_scoped_masked_and_audited(client, pipeline_factory, advance, worker_a1):
    # given: an activist and an applicant in A1, an activist in B1
    mine = advance(pipeline_factory("A1", name="甲积极分子"), S.CONTACTS)
    pipeline_factory("A1", name="甲申请人")
    advance(pipeline_factory("B1", name="乙积极分子"), S.ACTIVIST_CONFIRM)
    # when
    response = client.get(reverse("development:export"), {"unmasked": "1"})
    # then
    rows = _rows(response)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rows[0] == list(REGISTER_COLUMNS)
    assert [r[1] for r in rows[1:]] == ["甲积极分子"]
    assert rows[1][5] == mine.applicant.id_number_masked  # party workers hold no members.reveal
    assert rows[1][15] == "党员1"  # the cultivation contact
    assert (entry.action, entry.after) == ("development.export", {"count": 1, "revealed": 0,
                                                                  "stages": ["activist", "candidate"]})


def test_register_export_unmasked_with_reveal_permission(client, pipeline_factory, advance, tree, user_factory):
    # given
    signin(client, user_factory("sec_a", "committee_secretary", tree["A"]))
    mine = advance(pipeline_factory("A1"), S.ACTIVIST_CONFIRM)
    # when
    masked = _rows(client.get(reverse("development:export")))
    unmasked = _rows(client.get(reverse("development:export"), {"unmasked": "1"}))
    # then
    assert masked[1][5] == mine.applicant.id_number_masked
    assert unmasked[1][5] == mine.applicant.id_number
    assert AuditEntry.objects.order_by("-seq").first().after["revealed"] == 1


# --- rules ---------------------------------------------------------------------------------------------------


def test_rules_page_lists_citations_and_only_the_configure_role_may_edit(client, tree, user_factory):
    # given
    signin(client, user_factory("pw", "party_worker", tree["A1"]))
    # when
    page = client.get(reverse("development:rules")).content.decode()
    edit = client.get(reverse("development:rule_edit", args=["public_notice"]))
    # then
    assert page.count("data-rule=") == 19
    assert "待核实事项 3" in page
    assert edit.status_code == 403


def test_rule_form_changes_the_notice_to_seven_calendar_days(client, tree, user_factory):
    # given
    signin(client, user_factory("admin", "sysadmin", None, scope="all"))
    url = reverse("development:rule_edit", args=["public_notice"])
    # when
    steps = ["candidate_confirm", "prereview", "conversion_meeting"]
    form = client.get(url).context["form"]
    bad = client.post(url, {"param_days": "七", "param_unit": "working", "param_steps": steps, "severity": "block",
                            "enabled": "on", "reason": "规定"})
    ok = client.post(url, {"param_days": "7", "param_unit": "calendar", "param_steps": steps, "severity": "block",
                           "enabled": "on", "reason": "集团党委组织部 2026 年第 3 号通知"})
    # then: a field per parameter (a number, a choice, a list of steps), the value in error at its field
    from dangjian.development.models import DevelopmentRule

    assert list(form.fields) == ["param_days", "param_unit", "param_steps", "severity", "enabled",
                                 "reason"]
    assert bad.status_code == 400 and 'data-field-error="param_days"' in bad.content.decode()
    assert ok.status_code == 302
    rule = DevelopmentRule.objects.get(code="public_notice")
    assert (rule.params["days"], rule.params["unit"]) == (7, "calendar")


@pytest.mark.parametrize(("lang", "texts"), [("en", ["Member development", "Activist", "Register an application"]),
                                             ("zh-hans", ["发展党员", "入党积极分子", "登记入党申请"])])
def test_board_in_both_languages(client, worker_a1, lang, texts):
    client.cookies["django_language"] = lang
    html = client.get(reverse("development:board")).content.decode()
    assert [t in html for t in texts] == [True, True, True]
