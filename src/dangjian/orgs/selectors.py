"""Reads of the organisation domain; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.core.scoping import ScopeKind, get_for_actor, path_range_q, resolver
from dangjian.orgs.choices import OrgsPerm, OrgStatus
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping

__all__ = [
    "active_child_counts",
    "org_children",
    "org_get",
    "org_get_by_code",
    "org_list",
    "org_roots_for_actor",
    "org_subtree_q",
    "org_terms",
    "org_units",
    "require_org_in_scope",
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
