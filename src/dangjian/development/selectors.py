"""Reads of member development; every one takes the acting user and starts from a scoped queryset."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from dangjian.core.crypto import blind_index
from dangjian.core.idcard import normalize
from dangjian.core.scoping import get_for_actor, path_range_q, platform_rows
from dangjian.development.choices import BOARD_STAGES, DevelopmentPerm, Stage
from dangjian.development.models import Applicant, DevelopmentRule, Pipeline, Step, StepPerson
from dangjian.development.plan import NextStep, Plan, compute_plan
from dangjian.development.rules import load_rules
from dangjian.development.steps import PHASES, STEPS, StepSpec
from dangjian.members.choices import Category, MembersPerm, MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

__all__ = [
    "BOARD_COLUMN_LIMIT",
    "Board",
    "BoardColumn",
    "Timeline",
    "TimelineRow",
    "applicant_can_reveal",
    "entitled_full_members",
    "full_member_choices",
    "pipeline_board",
    "pipeline_get",
    "pipeline_list",
    "pipeline_timeline",
    "register_rows",
    "rule_list",
    "step_get",
]

BOARD_COLUMN_LIMIT = 50


def _search(qs: QuerySet[Pipeline], q: str | None) -> QuerySet[Pipeline]:
    """A name fragment, an exact ID number (blind index) or the ID's last four characters."""
    if not q:
        return qs
    term = normalize(q)
    cond = Q(applicant__name__contains=q.strip())
    if len(term) == 18:
        cond |= Q(applicant__id_number_bidx=blind_index("id_number", term))
    elif len(term) == 4 and term[:3].isdigit():
        cond |= Q(applicant__id_number_tail=term)
    return qs.filter(cond)


def pipeline_list(
    *,
    actor: Any,
    perm: str = DevelopmentPerm.VIEW,
    org: Organization | None = None,
    stage: str | None = None,
    stages: tuple[str, ...] | list[str] | None = None,
    q: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[Pipeline]:
    """Pipelines in the actor's scope, optionally in *org*'s subtree, by stage, searched, or overdue."""
    qs = Pipeline.objects.for_actor(actor, perm)
    if org is not None:
        qs = qs.filter(path_range_q("applicant__org__path", org.path))
    if stage:
        qs = qs.filter(stage=stage)
    if stages:
        qs = qs.filter(stage__in=list(stages))
    qs = _search(qs, q)
    if overdue is not None:
        day = today or timezone.localdate()
        qs = qs.filter(next_due__lt=day) if overdue else qs.exclude(next_due__lt=day)
    return qs.select_related("applicant", "applicant__org")


def pipeline_get(*, actor: Any, pk: int, perm: str = DevelopmentPerm.VIEW) -> Pipeline:
    """One pipeline in scope, else 404 (the same for missing and out of scope)."""
    return get_for_actor(Pipeline.objects.select_related("applicant", "applicant__org", "applicant__unit", "member"),
                         actor, perm, pk=pk)


def step_get(*, actor: Any, pk: int, perm: str = DevelopmentPerm.VIEW) -> Step:
    """One step record (with its people and party group) in scope, else 404."""
    people = Prefetch("step_people", queryset=StepPerson.objects.select_related("member").order_by("id"))
    return get_for_actor(Step.objects.select_related("party_group").prefetch_related(people), actor, perm, pk=pk)


# --- board --------------------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: str
    label: str
    items: list[Pipeline]
    count: int
    overdue: int

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))


@dataclass
class Board:
    columns: list[BoardColumn]
    today: dt.date


def pipeline_board(*, actor: Any, org: Organization | None = None, q: str | None = None,
                   limit: int = BOARD_COLUMN_LIMIT, today: dt.date | None = None) -> Board:
    """看板: one column per open stage with the most urgent pipelines first (overdue, then by deadline).

    One query per column for its cards, plus one aggregate for every column's totals and overdue
    counts. ``is_overdue`` is set on each card (deadline passed).
    """
    today = today or timezone.localdate()
    base = pipeline_list(actor=actor, org=org, q=q)
    totals = base.aggregate(**{
        **{f"n_{s}": Count("pk", filter=Q(stage=s)) for s in BOARD_STAGES},
        **{f"o_{s}": Count("pk", filter=Q(stage=s, next_due__lt=today)) for s in BOARD_STAGES},
    })
    columns = []
    for stage in BOARD_STAGES:
        urgent_first = (F("next_due").asc(nulls_last=True), "pk")  # same order on SQLite and PostgreSQL
        items = list(base.filter(stage=stage).order_by(*urgent_first)[:limit]) if totals[f"n_{stage}"] else []
        for item in items:
            item.is_overdue = item.next_due is not None and item.next_due < today
        columns.append(BoardColumn(stage, str(Stage(stage).label), items, totals[f"n_{stage}"], totals[f"o_{stage}"]))
    return Board(columns, today)


# --- timeline -----------------------------------------------------------------------------------------


@dataclass
class TimelineRow:
    spec: StepSpec
    records: list[Step]
    next: NextStep | None
    today: dt.date

    @property
    def done(self) -> bool:
        return bool(self.records)

    @property
    def status(self) -> str:
        """``done``, ``overdue``, ``waiting`` (a minimum not reached yet), ``open`` or ``later``."""
        if self.next is not None:
            if self.next.overdue(self.today):
                return "overdue"
            if self.next.waiting(self.today):
                return "waiting"
            return "open"
        return "done" if self.records else "later"


@dataclass
class Timeline:
    pipeline: Pipeline
    plan: Plan
    today: dt.date
    phases: list[tuple[int, str, list[TimelineRow]]] = field(default_factory=list)

    @property
    def overdue(self) -> list[NextStep]:
        return [s for s in self.plan.steps if s.overdue(self.today)]


def pipeline_timeline(*, actor: Any, pk: int, today: dt.date | None = None) -> Timeline:
    """时间线: every step of DOMAIN §5 with its records (people included), what is next, from when and
    by when, overdue marked. Four queries whatever the number of steps.

    Introducers and contacts are shown by name with the step: they are part of the development record
    (the 入党志愿书 carries them), even when they belong to a branch outside the actor's scope.
    """
    today = today or timezone.localdate()
    pipeline = pipeline_get(actor=actor, pk=pk)
    people = Prefetch("step_people", queryset=StepPerson.objects.select_related("member").order_by("id"))
    records = list(Step.objects.filter(pipeline=pipeline).select_related("party_group")
                   .prefetch_related(people).order_by("id"))
    plan = compute_plan(pipeline, records, load_rules())
    by_code: dict[str, list[Step]] = defaultdict(list)
    for step in records:
        by_code[step.code].append(step)
    timeline = Timeline(pipeline, plan, today)
    for phase, label in PHASES.items():
        rows = [TimelineRow(spec, by_code.get(spec.code, []), plan.get(spec.code), today)
                for spec in STEPS.values() if spec.phase == phase]
        timeline.phases.append((phase, str(label), rows))
    return timeline


# --- helpers for forms and exports --------------------------------------------------------------------


def entitled_full_members(*, actor: Any, org: Organization) -> int:
    """Full members in normal standing registered in the branch: the default 应到会 count of a meeting."""
    return (Member.objects.for_actor(actor, MembersPerm.VIEW)
            .filter(org=org, category=Category.FULL, status=MemberStatus.NORMAL).count())


def full_member_choices(*, actor: Any, org: Organization, limit: int = 500) -> list[Member]:
    """Full members in normal standing of *org*'s subtree the actor can see (introducers, contacts)."""
    return list(Member.objects.for_actor(actor, MembersPerm.VIEW)
                .filter(path_range_q("org__path", org.path), category=Category.FULL, status=MemberStatus.NORMAL)
                .order_by("name", "pk")[:limit])


def applicant_can_reveal(*, actor: Any, applicant: Applicant) -> bool:
    """Unmasked ID number and phone need ``members.reveal`` on the applicant's branch."""
    return Applicant.objects.for_actor(actor, DevelopmentPerm.REVEAL).filter(pk=applicant.pk).exists()


def rule_list(*, actor: Any, perm: str = DevelopmentPerm.VIEW) -> list[DevelopmentRule]:
    """The rules are global configuration, readable by anyone holding ``development.view``."""
    return list(platform_rows(DevelopmentRule.objects.all(), actor, perm).order_by("id"))


def register_rows(*, actor: Any, org: Organization | None, stages: tuple[str, ...], unmasked: bool = False,
                  batch: int = 1000) -> Iterator[tuple[Pipeline, bool, dict[str, list[str]]]]:
    """Pipelines for a register export, streamed in primary-key batches: each with whether its ID and
    phone may be shown unmasked (requested and ``members.reveal`` on the branch) and the names of its
    introducers and contacts (one query per batch)."""
    qs = pipeline_list(actor=actor, org=org, stages=stages)
    if unmasked:
        qs = qs.annotate(revealable=Exists(
            Pipeline.objects.for_actor(actor, DevelopmentPerm.REVEAL).filter(pk=OuterRef("pk"))))
    qs = qs.select_related("applicant__unit").order_by("pk")
    after = 0
    while True:
        rows = list(qs.filter(pk__gt=after)[:batch])
        if not rows:
            return
        people: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for pipeline_id, role, name in (StepPerson.objects.filter(step__pipeline__in=rows)
                                        .order_by("step_id", "id").values_list("step__pipeline_id", "role",
                                                                               "member__name")):
            people[pipeline_id][role].append(name)
        for row in rows:
            yield row, bool(getattr(row, "revealable", False)), people.get(row.pk, {})
        if len(rows) < batch:
            return
        after = rows[-1].pk
