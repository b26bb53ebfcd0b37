"""Reads of member development: board order, overdue at its boundary, what is next and from when."""
import datetime as dt

import pytest

from dangjian.development.choices import ConversionOutcome, Stage, StepCode
from dangjian.development.selectors import pipeline_board, pipeline_list, pipeline_timeline, register_rows
from dangjian.development.services import step_record

pytestmark = pytest.mark.django_db
S = StepCode
D = dt.date


@pytest.fixture
def secretary(tree, user_factory):
    return user_factory("sec_a", "committee_secretary", tree["A"])


def test_board_column_puts_the_most_urgent_first_and_undated_last(pipeline_factory, advance, secretary):
    # given: one applicant still waiting for the talk (due 2022-04-01), one talked to (nothing due)
    talked = advance(pipeline_factory("A1", name="已谈话"), S.TALK)
    waiting = pipeline_factory("A2", name="待谈话")
    # when
    board = pipeline_board(actor=secretary, today=D(2022, 3, 20))
    # then
    column = next(c for c in board.columns if c.stage == Stage.APPLICANT)
    assert [p.pk for p in column.items] == [waiting.pk, talked.pk]
    assert (column.count, column.overdue) == (2, 0)
    assert [c.stage for c in board.columns] == ["applicant", "activist", "candidate", "probationary", "full"]


@pytest.mark.parametrize(
    ("_case", "today", "overdue"),
    [("day_before_deadline", D(2022, 3, 31), False), ("deadline", D(2022, 4, 1), False),
     ("day_after", D(2022, 4, 2), True)],
)
def test_overdue_means_past_the_deadline(pipeline_factory, secretary, _case, today, overdue):
    # given: talk due 2022-04-01
    pipeline = pipeline_factory("A1")
    # when
    listed = list(pipeline_list(actor=secretary, overdue=True, today=today))
    column = next(c for c in pipeline_board(actor=secretary, today=today).columns if c.stage == Stage.APPLICANT)
    # then
    assert (pipeline in listed) is overdue
    assert column.overdue == int(overdue)
    assert column.items[0].is_overdue is overdue


@pytest.mark.parametrize(
    ("_case", "today", "status"),
    [("before_one_year", D(2023, 3, 31), "waiting"), ("one_year", D(2023, 4, 1), "open")],
)
def test_timeline_says_when_the_development_object_becomes_possible(pipeline_factory, advance, secretary, _case,
                                                                    today, status):
    # given: activist since 2022-04-01, assessed 2022-10-01
    pipeline = advance(pipeline_factory("A1"), S.ACTIVIST_EDUCATION)
    # when
    timeline = pipeline_timeline(actor=secretary, pk=pipeline.pk, today=today)
    # then
    rows = {row.spec.code: row for _n, _label, rows in timeline.phases for row in rows}
    assert rows[S.CANDIDATE_CONFIRM].status == status
    assert rows[S.CANDIDATE_CONFIRM].next.possible_on == D(2023, 4, 1)
    assert rows[S.ACTIVIST_EDUCATION].next.due == D(2023, 4, 1)  # six months after the last assessment
    assert [len(rows) for _n, _label, rows in timeline.phases] == [2, 4, 5, 7, 7]


def test_after_an_extension_the_next_steps_are_a_new_conversion_round(pipeline_factory, advance, secretary):
    # given
    pipeline = advance(pipeline_factory("A1"), S.CONVERSION_MEETING, overrides={
        S.CONVERSION_MEETING: {"conversion_outcome": ConversionOutcome.EXTEND, "extension_months": 12}})
    step_record(actor=None, pipeline=pipeline, code=S.CONVERSION_APPROVAL, on=D(2024, 6, 10), approver="甲公司党委")
    # when
    timeline = pipeline_timeline(actor=secretary, pk=pipeline.pk, today=D(2025, 5, 1))
    # then
    assert [(n.code, n.possible_on, n.due) for n in timeline.plan.steps] == [
        (S.CONVERSION_APPLICATION, None, D(2025, 5, 20))]
    pipeline.refresh_from_db()
    assert (pipeline.probation_end, pipeline.next_step, pipeline.next_due) == (
        D(2025, 5, 20), S.CONVERSION_APPLICATION, D(2025, 5, 20))


def test_register_rows_fetch_people_once_per_batch(pipeline_factory, advance, secretary,
                                                   django_assert_num_queries):
    # given: three activists with a cultivation contact
    for _ in range(3):
        advance(pipeline_factory("A1"), S.CONTACTS)
    # when / then: the grants, then per batch (2 + 1 rows) the pipelines and their people
    with django_assert_num_queries(5):
        rows = list(register_rows(actor=secretary, org=None, stages=(Stage.ACTIVIST,), batch=2))
    assert [len(people["contact"]) for _p, _reveal, people in rows] == [1, 1, 1]
