"""Recomputing the stored next step and deadline of open pipelines (after a rule change)."""
from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from dangjian.development.choices import CLOSED_STAGES
from dangjian.development.models import Pipeline, Step
from dangjian.development.rules import load_rules
from dangjian.development.services.common import refresh_plan

__all__ = ["pipelines_refresh_plans"]


def pipelines_refresh_plans(*, batch: int = 500) -> int:
    """Idempotent: re-derives ``next_step``/``next_possible_on``/``next_due`` of every open pipeline
    from its steps and the current rules, in primary-key batches (one transaction each); returns how
    many changed. Derived data only, so no audit entry."""
    rules = load_rules()
    changed_count = 0
    after = 0
    while True:
        with transaction.atomic():
            pipelines = list(Pipeline.objects.exclude(stage__in=CLOSED_STAGES).filter(pk__gt=after)
                             .select_for_update().order_by("pk")[:batch])
            if not pipelines:
                return changed_count
            steps: dict[int, list[Step]] = defaultdict(list)
            for step in Step.objects.filter(pipeline__in=pipelines).order_by("id"):
                steps[step.pipeline_id].append(step)
            for pipeline in pipelines:
                changed = refresh_plan(pipeline, steps[pipeline.pk], rules)
                if changed:
                    pipeline.save(update_fields=[*changed, "updated_at"])
                    changed_count += 1
            after = pipelines[-1].pk
