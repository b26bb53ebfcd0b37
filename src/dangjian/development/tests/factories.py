"""Plain rows for tests that need a pipeline to exist but not its history (STYLE §14: invariant-bearing
state is built through services elsewhere; these rows write no audit entry, so the authorization
matrix can create them lazily without disturbing what it compares)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.core.crypto import blind_index
from dangjian.development.choices import StepCode
from dangjian.development.models import Applicant, Pipeline, Step
from tests.fixtures import make_id_number

__all__ = ["bare_pipeline", "world_pipeline"]

APPLIED = dt.date(2024, 1, 2)


def bare_pipeline(org, *, name: str, seq: int, applied_on: dt.date = APPLIED) -> Pipeline:
    """An applicant at stage 入党申请人 with only step 1 recorded."""
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=seq)
    number = make_id_number(birth, 300 + seq * 2, gender="M", area="320102")
    applicant = Applicant(name=name, gender="M", birth_date=birth, id_number=number, org=org,
                          id_number_bidx=blind_index("id_number", number), id_number_tail=number[-4:])
    applicant.save()
    pipeline = Pipeline.objects.create(applicant=applicant, applied_on=applied_on, next_step=StepCode.TALK)
    Step.objects.create(pipeline=pipeline, code=StepCode.APPLICATION, number=1, on=applied_on)
    return pipeline


def world_pipeline(world: Any, code: str) -> int:
    """The pk of a pipeline at branch *code* of the authorization matrix's world, made once per world."""
    cache = world.__dict__.setdefault("_development_pipelines", {})
    if code not in cache:
        cache[code] = bare_pipeline(world.orgs[code], name=f"{code}入党申请人", seq=len(cache) + 1).pk
    return cache[code]
