"""Cadence compliance (组织生活落实情况): for each org and each enabled cadence rule of its type, the
meetings held in each window of the rule versus the minimum (DOMAIN §4).

"Not held" and "held but not recorded yet" are different findings: a planned meeting whose time has
passed without being recorded as held is *unrecorded* — the branch probably met but has not entered it.

One aggregate query for any number of orgs (after one query for the rules): meetings are grouped by
subject org (the party group for 党小组会, else the holding org), kind and calendar month, and the
months are summed into each rule's windows in Python. It feeds the monitoring table (60,000 orgs):
pass ``within`` (the root of the table) to filter by one indexed path range instead of an id list.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from dangjian.core.scoping import path_range_q, platform_rows
from dangjian.meetings.choices import ComplianceStatus, MeetingsPerm, MeetingStatus
from dangjian.meetings.compliance import window_status, worst_status
from dangjian.meetings.models import CadenceRule, Meeting
from dangjian.meetings.periods import Window, windows_for
from dangjian.orgs.models import Organization

__all__ = [
    "OrgCompliance",
    "RuleCompliance",
    "WindowCompliance",
    "cadence_compliance",
    "cadence_counts",
    "cadence_rules",
]

@dataclass
class WindowCompliance:
    window: Window
    required: int
    held: int = 0
    unrecorded: int = 0  # planned, over, not recorded as held
    without_minutes: int = 0  # recorded as held without minutes
    status: str = ComplianceStatus.MET


@dataclass
class RuleCompliance:
    rule: CadenceRule
    windows: list[WindowCompliance]

    @property
    def status(self) -> str:
        return worst_status(w.status for w in self.windows)

    @property
    def held(self) -> int:
        return sum(w.held for w in self.windows)

    @property
    def required(self) -> int:
        return sum(w.required for w in self.windows)

    @property
    def unrecorded(self) -> int:
        return sum(w.unrecorded for w in self.windows)


@dataclass
class OrgCompliance:
    org: Organization
    period: Window
    rules: list[RuleCompliance] = field(default_factory=list)

    @property
    def status(self) -> str:
        return worst_status(r.status for r in self.rules)


def cadence_rules(*, actor: Any, org_types: set[str] | None = None, enabled_only: bool = True,
                  units: set[str] | None = None) -> list[CadenceRule]:
    """The cadence rules (platform-wide regulation data, the same for every signed-in actor), kind order;
    *units* keeps only the rules counted per month / quarter / year."""
    qs = (platform_rows(CadenceRule.objects.select_related("kind"), actor)
          .order_by("org_type", "kind__sort", "pk"))
    if enabled_only:
        qs = qs.filter(enabled=True, kind__is_active=True)
    if org_types is not None:
        qs = qs.filter(org_type__in=sorted(org_types))
    if units is not None:
        qs = qs.filter(unit__in=sorted(units))
    return list(qs)


def cadence_compliance(
    *,
    actor: Any,
    orgs: list[Organization],
    period: Window,
    now: dt.datetime | None = None,
    within: Organization | None = None,
    perm: str = MeetingsPerm.VIEW,
    units: set[str] | None = None,
) -> dict[int, OrgCompliance]:
    """Compliance of each org in *period* (a month, quarter or year window), keyed by org id.

    Each enabled rule for the org's type is evaluated over its own windows (``periods.windows_for``): a
    monthly rule over a quarter gives three windows; a yearly rule seen from a month gives that year.
    Only meetings the actor may see count. Two queries whatever the number of orgs. *units* evaluates only
    the rules of those units (the health scan asks for each unit's last complete window separately).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = {o.pk: OrgCompliance(o, period) for o in orgs}
    if not orgs:
        return result
    rules = cadence_rules(actor=actor, org_types={o.org_type for o in orgs}, units=units)
    if not rules:
        return result
    windows = {r.pk: windows_for(r.unit, period) for r in rules}
    lo = min(w[0].start for w in windows.values())
    hi = max(w[-1].end for w in windows.values())
    qs = Meeting.objects.for_actor(actor, perm).filter(
        kind_id__in={r.kind_id for r in rules},
        meeting_date__gte=lo,
        meeting_date__lt=hi,
        status__in=[MeetingStatus.HELD, MeetingStatus.PLANNED],
    )
    if within is not None:
        qs = qs.filter(path_range_q("org__path", within.path))
    else:
        ids = [o.pk for o in orgs]
        qs = qs.filter(Q(party_group__isnull=True, org_id__in=ids) | Q(party_group_id__in=ids))
    rows = (
        qs.annotate(subject=Coalesce("party_group_id", "org_id"), month=TruncMonth("meeting_date"))
        .values("subject", "kind_id", "month")
        .annotate(
            held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
            unrecorded=Count("pk", filter=Q(status=MeetingStatus.PLANNED, ends_at__lt=now)),
            without_minutes=Count("pk", filter=Q(status=MeetingStatus.HELD, minutes="")),
        )
        .order_by()
    )
    counts: dict[tuple[int, int], list[tuple[dt.date, int, int, int]]] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        counts.setdefault((row["subject"], row["kind_id"]), []).append(
            (month, row["held"], row["unrecorded"], row["without_minutes"]))
    for org in orgs:
        for rule in rules:
            if rule.org_type != org.org_type:
                continue
            months = counts.get((org.pk, rule.kind_id), [])
            out = []
            for window in windows[rule.pk]:
                wc = WindowCompliance(window, rule.min_count)
                for month, held, unrecorded, without_minutes in months:
                    if month in window:
                        wc.held += held
                        wc.unrecorded += unrecorded
                        wc.without_minutes += without_minutes
                wc.status = window_status(window, wc.required, wc.held, wc.unrecorded, today)
                out.append(wc)
            result[org.pk].rules.append(RuleCompliance(rule, out))
    return result


# --- counts for many orgs at once (the health scan) -------------------------------------------------


def cadence_counts(
    *,
    actor: Any,
    window: Window,
    kind_ids: set[int],
    now: dt.datetime | None = None,
    within: Organization | None = None,
    org_ids: list[int] | None = None,
    perm: str = MeetingsPerm.VIEW,
) -> dict[tuple[int, int], tuple[int, int]]:
    """Meetings held, and planned but over without being recorded, per (subject org, kind) in one
    *window*: ``{(org id, kind id): (held, unrecorded)}`` — one aggregate query, no per-month rows, for
    any number of orgs (the health scan counts 60,000 orgs' last complete window this way). The subject
    is the party group for 党小组会, else the holding org, as in :func:`cadence_compliance`. *within*
    limits to one subtree (a path range), *org_ids* to a few subjects; neither: everything in scope.
    """
    now = now or timezone.now()
    qs = Meeting.objects.for_actor(actor, perm).filter(
        kind_id__in=sorted(kind_ids), meeting_date__gte=window.start, meeting_date__lt=window.end,
        status__in=[MeetingStatus.HELD, MeetingStatus.PLANNED],
    )
    if within is not None:
        qs = qs.filter(path_range_q("org__path", within.path))
    if org_ids is not None:
        qs = qs.filter(Q(party_group__isnull=True, org_id__in=org_ids) | Q(party_group_id__in=org_ids))
    rows = (
        qs.annotate(subject=Coalesce("party_group_id", "org_id"))
        .values("subject", "kind_id")
        .annotate(held=Count("pk", filter=Q(status=MeetingStatus.HELD)),
                  unrecorded=Count("pk", filter=Q(status=MeetingStatus.PLANNED, ends_at__lt=now)))
        .order_by()
        .values_list("subject", "kind_id", "held", "unrecorded")
    )
    return {(subject, kind): (held, unrecorded) for subject, kind, held, unrecorded in rows}
