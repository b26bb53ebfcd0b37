"""Writing to the operation log. Called from services only, inside their transaction (STYLE §7)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditChainHead, AuditEntry
from dangjian.core import context

__all__ = ["GENESIS", "TargetRef", "canonical_bytes", "entry_digest", "record", "record_denied", "record_scope_probe"]

GENESIS = "0" * 64
_VALID = set(AuditAction.values)
HASHED_FIELDS = (
    "seq", "created_at", "actor_id", "actor_name", "action", "target_type", "target_id", "target_repr",
    "org_path", "before", "after", "reason", "request_id", "ip", "channel", "algorithm", "prev_hash",
)


def _hasher(algorithm: str):
    if algorithm == "sm3":
        return hashlib.new("sm3")
    if algorithm == "sha256":
        return hashlib.sha256()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def canonical_bytes(values: dict[str, Any]) -> bytes:
    payload = {name: values[name] for name in HASHED_FIELDS}
    if hasattr(payload["created_at"], "isoformat"):
        payload["created_at"] = payload["created_at"].isoformat(timespec="microseconds")
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_digest(values: dict[str, Any]) -> str:
    h = _hasher(values["algorithm"])
    h.update(canonical_bytes(values))
    return h.hexdigest()


def _jsonable(data: Any) -> Any:
    if data is None:
        return None
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class _Target:
    type: str
    id: str
    repr: str


@dataclass(frozen=True)
class TargetRef:
    """A target named by model and key only (when loading the object would be wasted work)."""

    model: type[models.Model]
    pk: Any


def _target(target: Any) -> _Target:
    if target is None:
        return _Target("", "", "")
    if isinstance(target, TargetRef):
        return _Target(target.model._meta.label_lower, str(target.pk), "")
    if isinstance(target, models.Model):
        return _Target(target._meta.label_lower, str(target.pk), str(target)[:255])
    return _Target(type(target).__name__.lower(), "", str(target)[:255])


def record(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    org: Any = None,
    org_path: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one entry. *before*/*after* must already have sensitive fields masked."""
    if action not in _VALID:
        raise ValueError(f"unregistered audit action {action!r}")
    ctx = context.current()
    tgt = _target(target)
    if org_path is None:
        org_path = getattr(org, "path", "") or ""
    actor_pk = getattr(actor, "pk", None) if actor is not None else None
    if actor_name is None:
        actor_name = (getattr(actor, "get_username", lambda: "")() if actor is not None else "") or "system"
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        values = {
            "seq": head.last_seq + 1,
            "created_at": timezone.now(),
            "actor_id": actor_pk,
            "actor_name": actor_name[:150],
            "action": action,
            "target_type": tgt.type,
            "target_id": tgt.id,
            "target_repr": tgt.repr,
            "org_path": org_path,
            "before": _jsonable(before),
            "after": _jsonable(after),
            "reason": reason or "",
            "request_id": ctx.request_id,
            "ip": ctx.ip,
            "channel": ctx.channel,
            "algorithm": getattr(settings, "AUDIT_HASH_ALGORITHM", "sha256"),
            "prev_hash": head.last_hash,
        }
        values["hash"] = entry_digest(values)
        entry = AuditEntry.objects.create(**values)
        head.last_seq = entry.seq
        head.last_hash = entry.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_scope_probe(actor: Any, model: type[models.Model], pk: Any, org_path: str, perm: str) -> None:
    """Trace a reach for an existing object outside the actor's scope (issue 7, defect 9).

    Registered with ``core.scoping`` as its probe recorder; the caller still answers "not found". The
    entry carries the object's organisation, so the auditors of that organisation see who reached for
    it. Rate-limited per actor so a scan cannot flood the log: the same object once per window, and at
    most ``AUDIT_PROBES_PER_WINDOW`` entries per actor per window, the last one saying so.
    """
    window = timezone.now() - dt.timedelta(seconds=settings.AUDIT_PROBE_WINDOW_SECONDS)
    recent = AuditEntry.objects.filter(action=AuditAction.SCOPE_PROBE, actor_id=actor.pk, created_at__gte=window)
    target = TargetRef(model, pk)
    if recent.filter(target_type=model._meta.label_lower, target_id=str(pk)).exists():
        return
    seen = recent.count()
    limit = settings.AUDIT_PROBES_PER_WINDOW
    if seen >= limit:
        return
    after = {"perm": perm}
    if seen + 1 == limit:
        after["more_not_recorded"] = True
    record(actor=actor, action=AuditAction.SCOPE_PROBE, target=target, org_path=org_path, after=after)


def record_denied(actor: Any, perm: str, path: str) -> None:
    """Record a denied access (who tried what, where); registered with the page and API permission checks."""
    record(actor=actor, action=AuditAction.ACCESS_DENIED, after={"perm": perm, "path": path[:200]})
