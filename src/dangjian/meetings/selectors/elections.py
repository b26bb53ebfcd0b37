"""Reads of elections and committee terms (DOMAIN §3); elections are read with ``orgs.view``."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from dangjian.core.scoping import get_for_actor, path_range_q
from dangjian.meetings.choices import ElectionsPerm
from dangjian.meetings.models import ElectionRecord, ElectionResult
from dangjian.meetings.selectors.meetings import roll_members
from dangjian.members.choices import Category
from dangjian.members.models import Member
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.selectors import org_can, org_in_scope, org_term_states
from dangjian.orgs.terms import TermState

__all__ = [
    "ancestor_by_code",
    "election_can_approve",
    "election_get",
    "election_list",
    "election_results",
    "term_get",
    "term_overview",
    "voter_roll",
]


def voter_roll(*, actor: Any, org: Organization, perm: str = ElectionsPerm.VIEW) -> QuerySet[Member]:
    """Who may vote and stand (DOMAIN §3 "Who votes"): full members (正式党员) of *org*'s subtree on the
    register; probationary members are excluded, and so are members whose membership is suspended.
    Reached through *org* in the actor's scope for *perm* (``meetings.selectors.roll_members``)."""
    return (roll_members(actor=actor, org=org, perm=perm)
            .filter(path_range_q("org__path", org.path), category=Category.FULL).order_by("pk"))


def election_list(*, actor: Any, org: Organization | None = None,
                  perm: str = ElectionsPerm.VIEW) -> QuerySet[ElectionRecord]:
    qs = ElectionRecord.objects.for_actor(actor, perm).select_related("org", "term", "approved_by")
    if org is not None:
        qs = qs.filter(path_range_q("org__path", org.path))
    return qs


def election_get(*, actor: Any, pk: Any, perm: str = ElectionsPerm.VIEW) -> ElectionRecord:
    return get_for_actor(ElectionRecord.objects.select_related("org", "term", "previous_term", "approved_by"),
                         actor, perm, pk=pk)


def election_results(*, actor: Any, election: ElectionRecord,
                     perm: str = ElectionsPerm.VIEW) -> list[ElectionResult]:
    return list(ElectionResult.objects.for_actor(actor, perm).filter(election=election)
                .select_related("member"))


def election_can_approve(*, actor: Any, election: ElectionRecord) -> bool:
    """Whether *actor* may record the approval: ``orgs.change`` on an organisation above the election's."""
    parent_path = election.org.path[: -Organization.steplen]
    if not parent_path:
        return False
    parent = Organization.objects.filter(path=parent_path).first()
    return parent is not None and org_can(actor=actor, org=parent, perm=ElectionsPerm.CHANGE)


def term_get(*, actor: Any, pk: Any, perm: str = ElectionsPerm.VIEW) -> CommitteeTerm:
    return get_for_actor(CommitteeTerm.objects.select_related("org", "postponement_approved_by"), actor, perm, pk=pk)


def term_overview(*, actor: Any, orgs: list[Organization], today: dt.date,
                  perm: str = ElectionsPerm.VIEW) -> list[tuple[Organization, CommitteeTerm | None, TermState | None]]:
    """Each org with its current term and the term's state (current / expiring / expired / postponed)."""
    states = org_term_states(actor=actor, orgs=orgs, today=today, perm=perm)
    out = []
    for org in orgs:
        pair = states.get(org.pk)
        out.append((org, pair[0] if pair else None, pair[1] if pair else None))
    return out


def ancestor_by_code(*, actor: Any, org: Organization, code: str | None,
                     perm: str = ElectionsPerm.VIEW) -> Organization | None:
    """The organisation above *org* with this code (an approving higher org), else None. The chain of an
    org the actor works on (*org* in their scope for *perm*) is shown to them whether or not their scope
    covers it (``orgs.selectors.org_parent``)."""
    step = Organization.steplen
    prefixes = [org.path[: step * d] for d in range(1, org.depth)]
    code = (code or "").strip()
    if not code or not prefixes:
        return None
    return Organization.objects.filter(org_in_scope(actor=actor, org=org, perm=perm), path__in=prefixes,
                                       code=code).first()
