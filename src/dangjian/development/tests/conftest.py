"""Fixtures of the development tests: applicants and pipelines built through the services, step by
step, on a fixed calendar of past dates (so "not in the future" always holds)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.development.choices import ConversionOutcome, StepCode
from dangjian.development.steps import STEPS
from tests.fixtures import make_id_number

S = StepCode
BIRTH = dt.date(1995, 5, 17)
APPLIED = dt.date(2022, 3, 1)

# The happy path: one date per step (DOMAIN §5 minimums respected with a little room).
CALENDAR: dict[str, dt.date] = {
    S.TALK: dt.date(2022, 3, 15),
    S.ACTIVIST_CONFIRM: dt.date(2022, 4, 1),
    S.ACTIVIST_RECORD: dt.date(2022, 4, 5),
    S.CONTACTS: dt.date(2022, 4, 6),
    S.ACTIVIST_EDUCATION: dt.date(2022, 10, 1),
    S.CANDIDATE_CONFIRM: dt.date(2023, 4, 3),
    S.CANDIDATE_RECORD: dt.date(2023, 4, 5),
    S.INTRODUCERS: dt.date(2023, 4, 6),
    S.POLITICAL_REVIEW: dt.date(2023, 4, 10),
    S.TRAINING: dt.date(2023, 4, 12),
    S.BRANCH_REVIEW: dt.date(2023, 4, 20),
    S.PREREVIEW: dt.date(2023, 5, 8),
    S.APPLICATION_FORM: dt.date(2023, 5, 10),
    S.ADMISSION_MEETING: dt.date(2023, 5, 20),
    S.COMMITTEE_TALK: dt.date(2023, 5, 25),
    S.ADMISSION_APPROVAL: dt.date(2023, 6, 15),
    S.ADMISSION_RECORD: dt.date(2023, 6, 20),
    S.PLACEMENT: dt.date(2023, 6, 21),
    S.OATH: dt.date(2023, 7, 1),
    S.PROBATION_EDUCATION: dt.date(2023, 12, 1),
    S.CONVERSION_APPLICATION: dt.date(2024, 4, 20),
    S.CONVERSION_MEETING: dt.date(2024, 5, 20),
    S.CONVERSION_APPROVAL: dt.date(2024, 6, 10),
    S.ARCHIVE: dt.date(2024, 6, 20),
}
NOTICES = {
    S.CANDIDATE_CONFIRM: (dt.date(2023, 3, 20), dt.date(2023, 3, 24)),
    S.PREREVIEW: (dt.date(2023, 4, 24), dt.date(2023, 4, 28)),
    S.CONVERSION_MEETING: (dt.date(2024, 5, 6), dt.date(2024, 5, 10)),
}
VOTES = {"entitled": 10, "attending": 8, "written_opinions": 0, "votes_for": 7, "votes_against": 1, "votes_abstain": 0}


def applicant_fields(tree, **over: Any) -> dict[str, Any]:
    birth = over.pop("birth_date", BIRTH)
    gender = over.pop("gender", "M")
    data = {
        "name": "李明",
        "gender": gender,
        "birth_date": birth,
        "id_number": make_id_number(birth, 71, gender=gender, area="320102"),
        "phone": "13700001111",
        "education": "bachelor",
        "job_title": "技术员",
        "org": tree["A1"],
        "applied_on": APPLIED,
    }
    data.update(over)
    return data


@pytest.fixture
def people(member_factory):
    """Four full members of branch A1 (contacts, introducers) and one probationary member."""
    full = [member_factory("A1") for _ in range(4)]
    probationary = member_factory("A1", category="probationary", full_member_on=None, joined_on=dt.date(2024, 1, 5))
    return {"full": full, "probationary": probationary}


def default_data(code: str, people: dict) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if code == S.CONTACTS:
        data["contacts"] = [people["full"][0].pk]
    elif code == S.INTRODUCERS:
        data["introducers"] = [people["full"][1].pk, people["full"][2].pk]
    elif code == S.POLITICAL_REVIEW:
        data.update(review_passed=True, conclusion="政治审查合格")
    elif code == S.TRAINING:
        data.update(training_days=3, class_hours=24)
    elif code == S.ADMISSION_MEETING:
        data.update(VOTES)
    elif code == S.CONVERSION_MEETING:
        data.update(VOTES, conversion_outcome=ConversionOutcome.ON_TIME)
    elif code in (S.ADMISSION_APPROVAL, S.CONVERSION_APPROVAL):
        data["approver"] = "甲公司党委"
    if code in NOTICES:
        data["notice_start"], data["notice_end"] = NOTICES[code]
    return data


@pytest.fixture
def advance(people):
    """``advance(pipeline, through=code)`` records every step of the happy path up to *code* that is
    not recorded yet, through ``step_record``; ``overrides={code: {...}}`` changes a step's data."""
    from dangjian.development.services import step_record

    def run(pipeline, through: str, *, actor=None, overrides: dict[str, dict] | None = None):
        overrides = overrides or {}
        done = set(pipeline.steps.values_list("code", flat=True))
        for code, spec in STEPS.items():
            if code == S.APPLICATION:
                continue
            if code not in done:
                data = {**default_data(code, people), **overrides.get(code, {})}
                on = data.pop("on", CALENDAR[code])
                step_record(actor=actor, pipeline=pipeline, code=code, on=on, responsible="王书记", **data)
            if spec.code == through:
                break
        pipeline.refresh_from_db()
        return pipeline

    return run


@pytest.fixture
def pipeline_factory(tree):
    from dangjian.development.services import applicant_create

    counter = {"n": 0}

    def make(org_code: str = "A1", actor=None, **over: Any):
        counter["n"] += 1
        n = counter["n"]
        birth = over.pop("birth_date", BIRTH + dt.timedelta(days=n))
        gender = over.get("gender", "M")
        fields = applicant_fields(tree, birth_date=birth, org=tree[org_code], name=f"申请人{n}",
                                  id_number=make_id_number(birth, 200 + n * 2, gender=gender, area="320102"),
                                  phone=f"137{n:08d}")
        fields.update(over)
        return applicant_create(actor=actor, **fields)

    return make
