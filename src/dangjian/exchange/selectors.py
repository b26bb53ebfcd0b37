"""Reads of data exchange; every one takes the acting user (STYLE §3)."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.core.parsing import parse_id
from dangjian.core.scoping import report_out_of_scope
from dangjian.exchange.choices import ExchangePerm
from dangjian.exchange.models import ExchangeProfile, ImportJob
from dangjian.members.choices import MembersPerm
from dangjian.members.models import Member
from dangjian.members.selectors import member_list
from dangjian.orgs.models import Organization

__all__ = [
    "export_members_qs",
    "job_get",
    "job_list",
    "profile_get",
    "profile_list",
    "revealable_ids",
]


def profile_list(*, actor: Any, kind: str | None = None, perm: str = ExchangePerm.IMPORT) -> QuerySet[ExchangeProfile]:
    """Platform-wide mappings plus the unit mappings of orgs in the actor's scope (all for the system)."""
    qs = ExchangeProfile.objects.filter(
        Q(org__isnull=True) | Q(pk__in=ExchangeProfile.objects.for_actor(actor, perm).values("pk"))
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("org").order_by("kind", "org_id", "code")


def profile_get(*, actor: Any, pk: Any = None, code: str | None = None,
                perm: str = ExchangePerm.IMPORT) -> ExchangeProfile:
    try:
        if code is not None:
            return profile_list(actor=actor, perm=perm).get(code=code)
        pk = parse_id(pk)
        if pk is None:
            raise Http404("not found")
        return profile_list(actor=actor, perm=perm).get(pk=pk)
    except ExchangeProfile.DoesNotExist:
        report_out_of_scope(ExchangeProfile, actor, perm, **({"code": code} if code is not None else {"pk": pk}))
        raise Http404("not found")
    except (ValueError, TypeError):
        raise Http404("not found")


def job_list(*, actor: Any, limit: int = 20) -> list[ImportJob]:
    """The actor's own recent import jobs (a job belongs to whoever uploaded it)."""
    if getattr(actor, "pk", None) is None:  # anonymous, or the system (which uploads nothing)
        return []
    return list(ImportJob.objects.filter(created_by=actor).defer("data").order_by("-id")[:limit])


def job_get(*, actor: Any, pk: int, with_data: bool = False) -> ImportJob:
    # the system (the worker, the CLI) reaches every job; a user only their own
    if getattr(actor, "is_system", False):
        qs = ImportJob.objects.all()
    elif getattr(actor, "pk", None) is not None:
        qs = ImportJob.objects.filter(created_by_id=actor.pk)
    else:
        qs = ImportJob.objects.none()
    if not with_data:
        qs = qs.defer("data")
    try:
        return qs.select_related("profile", "default_org").get(pk=pk)
    except ImportJob.DoesNotExist:
        report_out_of_scope(ImportJob, actor, "exchange.job", pk=pk)  # someone else's job
        raise Http404("not found")
    except (ValueError, TypeError):
        raise Http404("not found")


def export_members_qs(*, actor: Any, org: Organization | None = None, subtree: bool = True, status: str | None = None,
                      category: str | None = None, q: str | None = None) -> QuerySet[Member]:
    """The member list of :func:`members.selectors.member_list` (same filters, same scope), with what an
    export needs joined. The CLI exports as :data:`~dangjian.core.scoping.SYSTEM` (whole register) or as
    the user named by ``--as``."""
    qs = member_list(actor=actor, org=org, subtree=subtree, status=status, category=category, q=q)
    return qs.select_related("org", "party_group", "unit").order_by("pk")


def revealable_ids(*, actor: Any, member_ids: list[int]) -> set[int]:
    """Which of these members' ID numbers and phones *actor* may see unmasked (``members.reveal`` in
    scope, or the actor's own record — as :func:`members.selectors.can_reveal`), in one query."""
    allowed = set(Member.objects.for_actor(actor, MembersPerm.REVEAL).filter(pk__in=member_ids)
                  .values_list("pk", flat=True))
    if getattr(actor, "pk", None) is not None:  # the system has no record of its own
        allowed |= set(Member.objects.filter(pk__in=member_ids, user=actor).values_list("pk", flat=True))
    return allowed
