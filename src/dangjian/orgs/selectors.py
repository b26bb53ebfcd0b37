"""Reads of the organisation domain; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.core.parsing import parse_id
from dangjian.core.scoping import ScopeKind, get_for_actor, path_range_q, report_out_of_scope, resolver
from dangjian.orgs.choices import OrgsPerm, OrgStatus, OrgType
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping

__all__ = [
    "CHART_MAX_NODES",
    "TERM_REMINDER_MONTHS",
    "TERM_REMINDER_OFFSETS",
    "TermState",
    "TermStateCode",
    "TermStatus",
    "active_child_counts",
    "branch_groups",
    "org_ancestors",
    "org_can",
    "org_child_by_code",
    "org_children",
    "org_current_term",
    "org_get",
    "org_get_by_code",
    "org_list",
    "org_names_by_path",
    "org_parent",
    "org_parent_codes",
    "org_resolve",
    "org_roots_for_actor",
    "org_search",
    "org_subtree_levels",
    "org_subtree_q",
    "org_term_states",
    "org_terms",
    "org_units",
    "require_org_in_scope",
    "term_reminder_offsets",
    "term_state",
    "term_status",
    "unit_get_by_code",
    "unit_list",
]


def org_list(
    *,
    actor: Any,
    perm: str = OrgsPerm.VIEW,
    parent: Organization | None = None,
    subtree_of: Organization | None = None,
    org_type: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> QuerySet[Organization]:
    qs = Organization.objects.for_actor(actor, perm)
    if parent is not None:
        qs = qs.filter(path_range_q("path", parent.path), depth=parent.depth + 1)
    if subtree_of is not None:
        qs = qs.filter(path_range_q("path", subtree_of.path))
    if org_type:
        qs = qs.filter(org_type=org_type)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(short_name__icontains=q))
    return qs


def org_get(*, actor: Any, pk: int, perm: str = OrgsPerm.VIEW) -> Organization:
    return get_for_actor(Organization.objects.get_queryset(), actor, perm, pk=pk)


def org_get_by_code(*, actor: Any, code: str, perm: str = OrgsPerm.VIEW) -> Organization:
    return get_for_actor(Organization.objects.get_queryset(), actor, perm, code=code)


def require_org_in_scope(*, actor: Any, org: Organization, perm: str) -> Organization:
    """Re-reads *org* through the actor's scope: raises 404 when out of scope. ``actor=None`` is the system."""
    if actor is None:
        return org
    if not Organization.objects.for_actor(actor, perm).filter(pk=org.pk).exists():
        report_out_of_scope(Organization, actor, perm, pk=org.pk)
        raise Http404("not found")
    return org


def org_children(*, actor: Any, org: Organization | None, perm: str = OrgsPerm.VIEW) -> QuerySet[Organization]:
    """Direct children of *org* (or the actor's top-most visible orgs when None), with child counts."""
    if org is None:
        return org_roots_for_actor(actor=actor, perm=perm)
    return (
        Organization.objects.for_actor(actor, perm)
        .filter(path_range_q("path", org.path), depth=org.depth + 1)
        .order_by("path")
    )


def org_roots_for_actor(*, actor: Any, perm: str = OrgsPerm.VIEW) -> QuerySet[Organization]:
    """The top-most organisations the actor can see: the orgs of their grants, minus nested ones."""
    visible = Organization.objects.for_actor(actor, perm)
    grants = resolver().grants(actor, perm) if actor is not None and actor.is_authenticated else []
    if getattr(actor, "is_superuser", False) or any(g.kind == ScopeKind.ALL for g in grants):
        return visible.filter(depth=1)
    ids = {g.org_id for g in grants if g.org_id is not None}
    if not ids:
        return visible.filter(members__user=actor) if actor is not None else visible.none()
    paths = sorted(Organization.objects.filter(pk__in=ids).values_list("path", flat=True))
    tops: list[str] = []
    for path in paths:
        if not any(path.startswith(t) for t in tops):
            tops.append(path)
    return visible.filter(path__in=tops)


def org_subtree_q(org: Organization, lookup: str = "org__path") -> Q:
    return path_range_q(lookup, org.path)


def org_terms(*, actor: Any, org: Organization) -> QuerySet[CommitteeTerm]:
    return CommitteeTerm.objects.for_actor(actor, OrgsPerm.VIEW).filter(org=org).order_by("-number")


def org_units(*, actor: Any, org: Organization) -> QuerySet[OrgUnitMapping]:
    return OrgUnitMapping.objects.for_actor(actor, OrgsPerm.VIEW).filter(org=org).select_related("unit")


def unit_list(*, q: str | None = None) -> QuerySet[EnterpriseUnit]:
    """Enterprise units are the company's public structure, visible to every signed-in user."""
    qs = EnterpriseUnit.objects.all().order_by("path")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    return qs


def active_child_counts(orgs: list[Organization]) -> dict[int, int]:
    """Number of active direct children per org, in one query."""
    if not orgs:
        return {}
    q = Q(pk__in=[])
    for o in orgs:
        q |= path_range_q("path", o.path) & Q(depth=o.depth + 1)
    counts: dict[int, int] = {}
    rows = Organization.objects.filter(q, status=OrgStatus.ACTIVE).values_list("path", "depth")
    by_path = {o.path: o.pk for o in orgs}
    for path, _depth in rows:
        parent = by_path.get(path[: -Organization.steplen])
        if parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
    return counts


# --- pages: search, ancestors, chart subtree, committee-term status ---------------------------------

# DOMAIN §3 "Reminder lead time": the higher organisation reminds a branch about 6 months before its
# term ends; after the end date with no new term the election is overdue ("On-time elections").
TERM_REMINDER_MONTHS = 6
# Upper bound on the nodes one chart request returns, so a wide subtree cannot load thousands of rows.
CHART_MAX_NODES = 400


@dataclass(frozen=True)
class TermStatus:
    """How close a committee term is to its end (DOMAIN §3): ``ok``, ``due`` (< 6 months) or ``expired``."""

    level: str
    days_left: int

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)


def term_status(term: CommitteeTerm, today: dt.date) -> TermStatus:
    days = term.days_left(today)
    if days < 0:
        return TermStatus("expired", days)
    if term.end_date < today + relativedelta(months=TERM_REMINDER_MONTHS):
        return TermStatus("due", days)
    return TermStatus("ok", days)


def org_current_term(*, actor: Any, org: Organization) -> CommitteeTerm | None:
    return org_terms(actor=actor, org=org).filter(is_current=True).first()


def org_search(*, actor: Any, q: str, limit: int = 50, perm: str = OrgsPerm.VIEW) -> list[Organization]:
    """Visible orgs whose name or short name contains *q*, or whose code starts with it."""
    q = (q or "").strip()
    if not q:
        return []
    qs = Organization.objects.for_actor(actor, perm).filter(
        Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__istartswith=q)
    )
    return list(qs.order_by("path")[:limit])


def org_ancestors(*, actor: Any, orgs: list[Organization], perm: str = OrgsPerm.VIEW) -> dict[int, list[Organization]]:
    """The visible ancestors of each org (root first), in one query for the whole list.

    Ancestors outside the actor's scope are left out rather than revealed.
    """
    step = Organization.steplen
    prefixes = {o.path[: step * d] for o in orgs for d in range(1, o.depth)}
    if not prefixes:
        return {o.pk: [] for o in orgs}
    by_path = {a.path: a for a in Organization.objects.for_actor(actor, perm).filter(path__in=prefixes)}
    return {
        o.pk: [by_path[o.path[: step * d]] for d in range(1, o.depth) if o.path[: step * d] in by_path]
        for o in orgs
    }


def org_subtree_levels(*, actor: Any, root: Organization, levels: int, perm: str = OrgsPerm.VIEW,
                       max_nodes: int = CHART_MAX_NODES) -> list[Organization]:
    """*root* and its visible descendants down to *levels* levels below it, in path order (capped)."""
    qs = (
        Organization.objects.for_actor(actor, perm)
        .filter(path_range_q("path", root.path), depth__lte=root.depth + levels)
        .order_by("path")
    )
    return list(qs[:max_nodes])


def org_names_by_path(*, actor: Any, paths: set[str], perm: str = OrgsPerm.VIEW) -> dict[str, Organization]:
    """Visible orgs keyed by path (e.g. to label audit entries), in one query."""
    paths = {p for p in paths if p}
    if not paths:
        return {}
    return {o.path: o for o in Organization.objects.for_actor(actor, perm).filter(path__in=paths)}


def unit_get_by_code(*, code: str) -> EnterpriseUnit | None:
    code = (code or "").strip()
    if not code:
        return None
    return EnterpriseUnit.objects.filter(code=code).first()


def org_can(*, actor: Any, org: Organization, perm: str) -> bool:
    """Whether *perm* covers *org* for *actor* (e.g. to show the edit buttons)."""
    return Organization.objects.for_actor(actor, perm).filter(pk=org.pk).exists()


# --- API: references by code or id, parent codes of a page ------------------------------------------


def org_resolve(*, actor: Any, ref: str, perm: str = OrgsPerm.VIEW) -> Organization:
    """An org in the actor's scope by its code or, when no code matches, by its numeric id; else 404.

    Codes win because they are the business identifier (an all-digit code is possible).
    """
    ref = (ref or "").strip()
    try:
        return org_get_by_code(actor=actor, code=ref, perm=perm)
    except Http404:
        pk = parse_id(ref)
        if pk is None:
            raise
        return org_get(actor=actor, pk=pk, perm=perm)


def org_parent_codes(orgs: list[Organization]) -> dict[int, str | None]:
    """The parent's code of each org (None for a root), in one query for the whole list."""
    step = Organization.steplen
    parent_paths = {o.path[:-step] for o in orgs if o.depth > 1}
    codes = dict(Organization.objects.filter(path__in=parent_paths).values_list("path", "code")) if parent_paths else {}
    return {o.pk: codes.get(o.path[:-step]) if o.depth > 1 else None for o in orgs}


def org_child_by_code(*, actor: Any, parent: Organization, code: str, perm: str = OrgsPerm.VIEW) -> Organization | None:
    """The direct child of *parent* with this code (e.g. a party group of a branch), or None.

    *parent* must be in the actor's scope for *perm* (else 404); the child then counts as reachable
    through it even when the actor's grant is "org" scope on the parent only.
    """
    require_org_in_scope(actor=actor, org=parent, perm=perm)
    return (
        Organization.objects.filter(path_range_q("path", parent.path), depth=parent.depth + 1, code=(code or "").strip())
        .first()
    )


def org_parent(*, org: Organization) -> Organization | None:
    """The parent of *org* (None for a root). Shown with any org the actor may see, in or out of scope."""
    return Organization.objects.get_parent(org) if org.depth > 1 else None


def branch_groups(*, actor: Any, branch: Organization, perm: str = OrgsPerm.VIEW) -> QuerySet[Organization]:
    """The party groups (党小组) directly under *branch*, for an actor who can see the branch with *perm*.

    A group is part of its branch — its members are the branch's members — so whoever may work on the
    branch may pick its groups, even with an "org" grant that does not cover the groups' own rows.
    """
    if not org_can(actor=actor, org=branch, perm=perm):
        return Organization.objects.none()
    return Organization.objects.filter(
        path_range_q("path", branch.path), depth=branch.depth + 1, org_type=OrgType.GROUP
    ).order_by("path")


# --- term status with reminder stages and postponement (DOMAIN §3) ---------------------------------------

# DOMAIN §3 "Reminder lead time": the higher organisation reminds about 6 months before the end; the
# default alerts are at 6, 3 and 1 months. Configurable with ``DANGJIAN_TERM_REMINDER_MONTHS``.
TERM_REMINDER_OFFSETS = (6, 3, 1)


def term_reminder_offsets() -> tuple[int, ...]:
    """The reminder offsets in months, largest first (settings override the DOMAIN §3 default)."""
    offsets = getattr(settings, "DANGJIAN_TERM_REMINDER_MONTHS", TERM_REMINDER_OFFSETS)
    return tuple(sorted({int(m) for m in offsets if int(m) > 0}, reverse=True))


class TermStateCode:
    CURRENT = "current"  # 任期内
    EXPIRING = "expiring"  # 即将届满 (a reminder offset reached)
    EXPIRED = "expired"  # 已届满未换届 (no approved postponement, or past it)
    POSTPONED = "postponed"  # 经批准延期换届, not yet past the postponement


@dataclass(frozen=True)
class TermState:
    """Where a committee term stands (DOMAIN §3): ``status`` (current / expiring / expired / postponed),
    the days to the effective end (negative once past it), the reminder offset reached (6, 3, 1 months by
    default; None before the first) and the effective end (the postponement when approved)."""

    status: str
    days_left: int
    reminder_months: int | None
    effective_end: dt.date

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)


def term_state(term: CommitteeTerm, today: dt.date, offsets: tuple[int, ...] | None = None) -> TermState:
    """A term's status on *today*. A reminder offset of *m* months is reached from ``end − m months``
    (inclusive); the term expires the day after its effective end (DOMAIN §3 "On-time elections":
    ``today > term_end`` with no approved extension is overdue)."""
    offsets = offsets if offsets is not None else term_reminder_offsets()
    end = term.effective_end
    days = (end - today).days
    reached = [m for m in offsets if today >= end - relativedelta(months=m)]
    stage = min(reached) if reached else None
    if today > end:
        return TermState(TermStateCode.EXPIRED, days, stage, end)
    if term.postponed_until is not None:
        return TermState(TermStateCode.POSTPONED, days, stage, end)
    if stage is not None:
        return TermState(TermStateCode.EXPIRING, days, stage, end)
    return TermState(TermStateCode.CURRENT, days, None, end)


def org_term_states(*, actor: Any, orgs: list[Organization], today: dt.date,
                    perm: str = OrgsPerm.VIEW) -> dict[int, tuple[CommitteeTerm, TermState] | None]:
    """The current term and its state for each org (None: no current term), in one query."""
    if not orgs:
        return {}
    offsets = term_reminder_offsets()
    terms = CommitteeTerm.objects.for_actor(actor, perm).filter(org_id__in=[o.pk for o in orgs], is_current=True)
    found = {t.org_id: (t, term_state(t, today, offsets)) for t in terms}
    return {o.pk: found.get(o.pk) for o in orgs}
