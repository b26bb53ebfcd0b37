"""Re-checking the chain end to end (``dangjian audit verify``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dangjian.audit.models import AuditChainHead, AuditEntry
from dangjian.audit.services import GENESIS, HASHED_FIELDS, entry_digest

__all__ = ["VerifyResult", "verify_chain"]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> VerifyResult:
    """Walk all entries in sequence order, recomputing every hash and link."""
    fields = (*HASHED_FIELDS, "hash")
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for row in AuditEntry.objects.order_by("seq").values_list(*fields).iterator(chunk_size=chunk):
        values = dict(zip(fields, row, strict=True))
        seq = values["seq"]
        if seq != expected_seq:
            bad = min(seq, expected_seq)
            return VerifyResult(False, checked, bad, f"sequence gap: expected {expected_seq}, found {seq}")
        if values["prev_hash"] != prev:
            return VerifyResult(False, checked, seq, "link to previous entry broken (deleted, inserted or reordered)")
        if values["ip"] is not None:
            values["ip"] = str(values["ip"])
        if entry_digest(values) != values["hash"]:
            return VerifyResult(False, checked, seq, "content does not match its hash (modified)")
        prev = values["hash"]
        expected_seq += 1
        checked += 1
        if progress and checked % chunk == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if last_seq != checked or last_hash != prev:
        return VerifyResult(False, checked, checked + 1 if last_seq > checked else last_seq,
                            "chain head does not match the last entry (entries removed from the end?)")
    return VerifyResult(True, checked)
