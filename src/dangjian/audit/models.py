"""The tamper-evident operation log (操作日志).

Entries are append-only and chained: each entry's hash covers its own content and the previous
entry's hash, so a modified, deleted, inserted or reordered entry breaks the chain at that point.
``AuditChainHead`` holds the last sequence number and hash; writers lock it, which serialises
appends and lets ``audit verify`` also detect a truncated tail.
"""
from __future__ import annotations

from django.db import models

from dangjian.core.scoping import OrgScopedQuerySet

__all__ = ["AuditChainHead", "AuditEntry"]


class AuditEntry(models.Model):
    """操作日志条目: who did what to which object in which organisation, and from where."""

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=8)
    algorithm = models.CharField(max_length=8)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = OrgScopedQuerySet.as_manager()

    scope_path_lookup = "org_path"
    scope_org_lookup = None  # only a path is stored: an "org" grant matches that exact path

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["org_path", "seq"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    @classmethod
    def scope_self_q(cls, actor):
        return models.Q(actor_id=actor.pk)


class AuditChainHead(models.Model):
    """The single row that records the end of the chain."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
