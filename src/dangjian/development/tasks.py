"""Background jobs of member development (django-tasks; idempotent, STYLE §8)."""
from __future__ import annotations

from django_tasks import task

from dangjian.core import events
from dangjian.development.events import DevelopmentRulesChanged
from dangjian.development.services import pipelines_refresh_plans

__all__ = ["refresh_plans", "subscribe"]


@task()
def refresh_plans() -> int:
    """Recomputes the stored deadlines of open pipelines (run after a rule change; safe to repeat)."""
    return pipelines_refresh_plans()


def _on_rules_changed(event: DevelopmentRulesChanged) -> None:
    refresh_plans.enqueue()


def subscribe() -> None:
    events.subscribe(DevelopmentRulesChanged, _on_rules_changed)
