"""The one permission rule (DESIGN "Data scope"; STYLE §3–4).

A role assignment grants permissions at an organisation with a scope (self / org / subtree / all).
``accounts`` implements :class:`ScopeResolver` and registers it; the kernel only knows the protocol.
Every org-bound queryset turns the actor's grants into **one** filter on the organisation path,
using a range predicate (``path >= p AND path < next(p)``) that both SQLite and PostgreSQL index.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.db.models import Q
from django.http import Http404

__all__ = [
    "ALL",
    "SYSTEM",
    "Grant",
    "OrgScopedQuerySet",
    "ScopeKind",
    "ScopeResolver",
    "SystemActor",
    "collecting_probes",
    "flush_probes",
    "get_for_actor",
    "next_prefix",
    "path_range_q",
    "platform_readable",
    "platform_rows",
    "register_probe_recorder",
    "register_resolver",
    "report_out_of_scope",
    "resolver",
    "system_if_none",
]


class ScopeKind:
    SELF = "self"
    ORG = "org"
    SUBTREE = "subtree"
    ALL = "all"


@dataclass(frozen=True)
class Grant:
    kind: str
    org_id: int | None = None
    org_path: str | None = None


ALL = Grant(ScopeKind.ALL)


class SystemActor:
    """The platform itself acting from the command line or a scheduled job (issue 8): an explicit actor
    whose scope is everything — a superuser to every resolver — rather than ``None``. It has no account
    (``pk`` None), so the audit log names it "system" and no "own record" rule ever matches it."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_system = True
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def system_if_none(actor: Any) -> Any:
    """*actor*, or :data:`SYSTEM` for ``None``: services still accept ``actor=None`` for the system (the
    CLI, jobs, the demo builder); they pass the explicit actor on to the selectors they read with."""
    return SYSTEM if actor is None else actor


class ScopeResolver(Protocol):
    def grants(self, actor: Any, perm: str) -> list[Grant]:
        """The actor's grants that carry *perm* (empty when none)."""

    def has_perm_anywhere(self, actor: Any, perm: str) -> bool:
        """True when at least one grant carries *perm*."""


_resolver: ScopeResolver | None = None


def register_resolver(impl: ScopeResolver) -> None:
    global _resolver
    _resolver = impl


def resolver() -> ScopeResolver:
    if _resolver is None:  # pragma: no cover - configuration error
        raise RuntimeError("no scope resolver registered (is dangjian.accounts installed?)")
    return _resolver


# Told when a signed-in actor reached for an object that exists but lies outside their scope (issue 7,
# defect 9). The caller still answers "not found"; the recorder (the audit app) keeps a trace for the
# auditor. Called with (actor, model, pk, org_path, perm).
ProbeRecorder = Callable[[Any, type[models.Model], Any, str, str], None]
_probe_recorder: ProbeRecorder | None = None


def register_probe_recorder(impl: ProbeRecorder | None) -> None:
    global _probe_recorder
    _probe_recorder = impl


# Inside a request the reaches are only collected: a miss can be a first try that a wider lookup then
# answers (a party group reached through the member's branch), and the view may still roll back. The
# request's middleware records them once the answer is known to be a refusal (status >= 400).
_pending: ContextVar[dict | None] = ContextVar("dangjian_scope_probes", default=None)


@contextmanager
def collecting_probes() -> Iterator[dict]:
    token = _pending.set({})
    try:
        yield _pending.get()
    finally:
        _pending.reset(token)


def flush_probes(pending: dict) -> None:
    if _probe_recorder is not None:
        for args in pending.values():
            _probe_recorder(*args)


def report_out_of_scope(model: type[models.Model], actor: Any, perm: str, **lookup: Any) -> None:
    """After a scoped lookup missed: when the object exists all the same, tell the probe recorder
    (at once, or when the request ends in a refusal).

    One extra indexed query, on the miss path only. A lookup that cannot even be evaluated (a
    malformed id) is a plain miss.
    """
    if _probe_recorder is None or actor is None or not getattr(actor, "is_authenticated", False):
        return
    path_lookup = getattr(model, "scope_path_lookup", None)  # None: a personal object, not org-bound
    try:
        row = model._base_manager.filter(**lookup).values_list("pk", path_lookup or "pk").first()
    except (ValueError, TypeError):
        return
    if row is None:
        return
    args = (actor, model, row[0], (row[1] or "") if path_lookup else "", perm)
    pending = _pending.get()
    if pending is None:
        _probe_recorder(*args)
    else:
        pending.setdefault((model, row[0]), args)


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with *prefix*."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def path_range_q(lookup: str, prefix: str) -> Q:
    return Q(**{f"{lookup}__gte": prefix, f"{lookup}__lt": next_prefix(prefix)})


def _is_read(perm: str) -> bool:
    return perm.endswith(".view")


class OrgScopedQuerySet(models.QuerySet):
    """Queryset of an org-bound model. The model declares how it reaches the org:

    - ``scope_path_lookup``: lookup to the organisation path (``"path"``, ``"org__path"``, ``"org_path"``)
    - ``scope_org_lookup``: lookup to the organisation id (``"pk"``, ``"org_id"``), or None to match
      the exact path instead (models that store only a path, like audit entries)
    - ``scope_self_q(actor)``: classmethod, the rows that are the actor's own ("self" scope; and
      always readable — "a member can always see their own records")
    """

    def for_actor(self, actor: Any, perm: str) -> OrgScopedQuerySet:
        if not _signed_in(actor):
            return self.none()
        model = self.model
        path_lookup = model.scope_path_lookup
        org_lookup = model.scope_org_lookup
        self_q = getattr(model, "scope_self_q", None)
        q = Q(pk__in=[])
        for grant in resolver().grants(actor, perm):
            if grant.kind == ScopeKind.ALL:
                return self.all()
            if grant.kind == ScopeKind.SUBTREE and grant.org_path:
                q |= path_range_q(path_lookup, grant.org_path)
            elif grant.kind == ScopeKind.ORG and grant.org_id is not None:
                # exact org: by id where the model has one, else by its (unique) path
                q |= Q(**{org_lookup: grant.org_id}) if org_lookup else Q(**{path_lookup: grant.org_path})
            elif grant.kind == ScopeKind.SELF and self_q is not None:
                q |= self_q(actor)
        if _is_read(perm) and self_q is not None:
            q |= self_q(actor)
        return self.filter(q)


def _signed_in(actor: Any) -> bool:
    return (actor is not None and getattr(actor, "is_authenticated", False)
            and getattr(actor, "is_active", True))


def platform_rows(queryset: models.QuerySet, actor: Any, perm: str | None = None) -> models.QuerySet:
    """The scoped queryset of a model that belongs to no organisation (platform-wide configuration and
    reference data: rule parameters, meeting kinds, roles, the schedule, enterprise units): every row
    for an active signed-in actor who holds *perm* somewhere (any such actor when *perm* is None), no
    row otherwise. The system (:data:`SYSTEM`) holds every permission."""
    return queryset.all() if platform_readable(actor, perm) else queryset.none()


def platform_readable(actor: Any, perm: str | None = None) -> bool:
    """Whether :func:`platform_rows` gives *actor* the rows (for reads that are not a queryset)."""
    return _signed_in(actor) and (perm is None or resolver().has_perm_anywhere(actor, perm))


def get_for_actor(queryset: OrgScopedQuerySet, actor: Any, perm: str, **lookup: Any) -> Any:
    """One object in the actor's scope, else 404 — the same answer for "missing" and "not yours"."""
    try:
        return queryset.for_actor(actor, perm).get(**lookup)
    except queryset.model.DoesNotExist:
        report_out_of_scope(queryset.model, actor, perm, **lookup)
        raise Http404("not found")
    except (ValueError, TypeError):
        raise Http404("not found")
