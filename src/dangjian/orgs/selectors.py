"""Reads of the organisation domain; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dangjian.core.parsing import parse_id
from dangjian.core.scoping import (
    ScopeKind,
    get_for_actor,
    path_range_q,
    platform_rows,
    report_out_of_scope,
    resolver,
)
from dangjian.orgs.choices import OrgsPerm, OrgType
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping
from dangjian.orgs.terms import TermState, term_reminder_offsets, term_state

__all__ = [
    "CHART_MAX_NODES",
    "branch_groups",
    "org_ancestors",
    "org_can",
    "org_child_by_code",
    "org_children",
    "org_current_term",
    "org_get",
    "org_get_by_code",
    "org_in_scope",
    "org_list",
    "org_names_by_path",
    "org_parent",
    "org_parent_codes",
    "org_resolve",
    "org_roots_for_actor",
    "org_search",
    "org_subtree_levels",
    "org_term_states",
    "org_terms",
    "org_units",
    "require_org_in_scope",
    "unit_get_by_code",
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


def org_terms(*, actor: Any, org: Organization) -> QuerySet[CommitteeTerm]:
    return CommitteeTerm.objects.for_actor(actor, OrgsPerm.VIEW).filter(org=org).order_by("-number")


def org_units(*, actor: Any, org: Organization) -> QuerySet[OrgUnitMapping]:
    return OrgUnitMapping.objects.for_actor(actor, OrgsPerm.VIEW).filter(org=org).select_related("unit")


# --- pages: search, ancestors, chart subtree ----------------------------------------------------------

# Upper bound on the nodes one chart request returns, so a wide subtree cannot load thousands of rows.
CHART_MAX_NODES = 400


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


def unit_get_by_code(*, actor: Any, code: str) -> EnterpriseUnit | None:
    """An enterprise unit by its code: the company's public structure, readable by every signed-in user."""
    code = (code or "").strip()
    if not code:
        return None
    return platform_rows(EnterpriseUnit.objects.all(), actor).filter(code=code).first()


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


def org_parent_codes(*, actor: Any, orgs: list[Organization],
                     perm: str = OrgsPerm.VIEW) -> dict[int, str | None]:
    """The parent's code of each org (None for a root; None too when the org is not in the actor's
    scope for *perm*), in one query for the whole list. A parent is reached through its child: the code
    is shown with a visible org whether or not the actor's scope covers the parent itself."""
    step = Organization.steplen
    parent_paths = {o.path[:-step] for o in orgs if o.depth > 1}
    codes = {}
    if parent_paths:
        visible_child = Organization.objects.for_actor(actor, perm).filter(
            pk__in=[o.pk for o in orgs], path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1)
        codes = dict(Organization.objects.filter(Exists(visible_child), path__in=parent_paths)
                     .values_list("path", "code"))
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


def org_in_scope(*, actor: Any, org: Organization, perm: str = OrgsPerm.VIEW) -> Exists:
    """A condition (``Exists``) true when *org* is in the actor's scope for *perm*: filter rows reached
    through *org* — its parent, its roll — in the same query instead of a separate check."""
    return Exists(Organization.objects.for_actor(actor, perm).filter(pk=org.pk))


def org_parent(*, actor: Any, org: Organization, perm: str = OrgsPerm.VIEW) -> Organization | None:
    """The parent of *org* (None for a root, or when *org* is not in the actor's scope for *perm*). Shown
    with any org the actor may see, whether or not their scope covers the parent."""
    if org.depth <= 1:
        return None
    return Organization.objects.filter(org_in_scope(actor=actor, org=org, perm=perm),
                                       path=org.path[: -Organization.steplen]).first()


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


def org_term_states(*, actor: Any, orgs: list[Organization], today: dt.date,
                    perm: str = OrgsPerm.VIEW) -> dict[int, tuple[CommitteeTerm, TermState] | None]:
    """The current term and its state for each org (None: no current term), in one query."""
    if not orgs:
        return {}
    offsets = term_reminder_offsets()
    terms = CommitteeTerm.objects.for_actor(actor, perm).filter(org_id__in=[o.pk for o in orgs], is_current=True)
    found = {t.org_id: (t, term_state(t, today, offsets)) for t in terms}
    return {o.pk: found.get(o.pk) for o in orgs}
