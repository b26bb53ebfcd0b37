"""Re-checking the chain end to end (``dangjian audit verify``).

Every entry's hash is recomputed over exactly the bytes ``services.canonical_bytes`` builds, and
every link and sequence number is checked, in ``seq`` order, streaming.

Speed (the log grows by millions of entries): rows are read with one plain cursor instead of
model instances, and the canonical JSON is assembled directly — the top-level keys are fixed, so
their sorted order is computed once and each value is encoded by the same C encoder ``json.dumps``
uses with the same options. Whenever that fast path does not reproduce the stored hash, the entry
is checked again through the ORM's own conversions and :func:`services.entry_digest` before it is
reported, so the verdict is always the reference one; the fast path can only say "intact" when it
hashed the very bytes the writer hashed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from dangjian.audit.models import AuditChainHead, AuditEntry
from dangjian.audit.services import GENESIS, HASHED_FIELDS, _hasher, entry_digest

__all__ = ["VerifyResult", "verify_chain"]

_FIELDS = (*HASHED_FIELDS, "hash")
_PLAIN, _JSON, _CREATED, _IP = range(4)
_SQLITE_DATETIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d{6})?")

try:  # the C encoder json.dumps uses; with the options of canonical_bytes
    from json.encoder import c_make_encoder as _c_make_encoder
    from json.encoder import encode_basestring as _encode_str

    _encode_value = _c_make_encoder(None, str, _encode_str, None, ":", ",", True, False, True) \
        if _c_make_encoder is not None else None
except ImportError:  # pragma: no cover - CPython always has it
    _encode_value = None


def _json_value(value: Any) -> Any:
    """The stored JSON as ``JSONField.from_db_value`` returns it (text that is not JSON stays text)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _dumps(value: Any) -> str:
    if _encode_value is None:  # pragma: no cover
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return "".join(_encode_value(value, 0))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""


class _Reader:
    """Rows of the log in ``seq`` order as (values for hashing, stored hash), streamed."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        meta = AuditEntry._meta
        self.columns = [meta.get_field(name).column for name in _FIELDS]
        self.json_fields = {"before", "after"}
        self.sqlite_utc = (connection.vendor == "sqlite" and settings.USE_TZ
                           and connection.timezone_name == "UTC")
        self.position = {name: i for i, name in enumerate(_FIELDS)}
        kinds = {"before": _JSON, "after": _JSON, "created_at": _CREATED, "ip": _IP}
        # top-level keys in the order json.dumps(sort_keys=True) writes them
        self.plan = [(f"{_encode_str(name)}:", self.position[name], kinds.get(name, _PLAIN))
                     for name in sorted(HASHED_FIELDS)]

    def rows(self):
        qn = connection.ops.quote_name
        # SQLite: the stored text of created_at, not the driver's naive datetime parsed from it
        columns = [f"CAST({qn(c)} AS TEXT)" if c == "created_at" and self.sqlite_utc else qn(c)
                   for c in self.columns]
        sql = (f"SELECT {', '.join(columns)} FROM {qn(AuditEntry._meta.db_table)} "
               f"ORDER BY {qn(AuditEntry._meta.get_field('seq').column)}")
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql)
            while True:
                batch = cursor.fetchmany(self.chunk)
                if not batch:
                    return
                yield from batch

    def created_at(self, value: Any) -> str | None:
        """``created_at`` as canonical_bytes writes it (isoformat, microseconds) from the stored value;
        None where the reference would hash ``null`` (stored text that is not a date-time)."""
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:  # PostgreSQL: aware, in the connection's time zone (UTC)
                return value.isoformat(timespec="microseconds")
            if self.sqlite_utc:  # SQLite: naive UTC, made aware by the ORM's converter
                return value.isoformat(timespec="microseconds") + "+00:00"
        elif self.sqlite_utc and isinstance(value, str):
            match = _SQLITE_DATETIME.fullmatch(value)
            if match:
                return f"{match[1]}T{match[2]}{match[3] or '.000000'}+00:00"
        value = self.orm_created_at(value)
        return value.isoformat(timespec="microseconds") if hasattr(value, "isoformat") else None

    def orm_created_at(self, value: Any) -> Any:
        """The value the ORM hands to canonical_bytes: the SQLite driver's own parsing of the text
        (the column is read as text here), then the backend's converters."""
        if self.sqlite_utc and isinstance(value, str):
            value = parse_datetime(value)
            if value is None:
                return None
        field = AuditEntry._meta.get_field("created_at")
        for converter in connection.ops.get_db_converters(field.get_col(AuditEntry._meta.db_table)):
            value = converter(value, field, connection)
        return value

    def canonical(self, row: tuple) -> bytes:
        """The bytes ``canonical_bytes`` would hash for this row (see the module docstring)."""
        parts = []
        append = parts.append
        encode_str = _encode_str
        for prefix, index, kind in self.plan:
            value = row[index]
            if kind == _PLAIN:
                if type(value) is str:
                    append(prefix + encode_str(value))
                elif value is None:
                    append(prefix + "null")
                elif type(value) is int:
                    append(prefix + int.__repr__(value))
                else:  # a number stored in a text column …: as json.dumps would write it
                    append(prefix + _dumps(value))
            elif kind == _JSON:
                append(prefix + ("null" if value is None else _dumps(_json_value(value))))
            elif kind == _CREATED:
                created = self.created_at(value)
                append(prefix + ("null" if created is None else encode_str(created)))
            else:  # ip: the reference takes str() of whatever the driver returned
                append(prefix + ("null" if value is None else encode_str(str(value))))
        return ("{" + ",".join(parts) + "}").encode()

    def reference_digest(self, row: tuple) -> str:
        """:func:`services.entry_digest` over the values the ORM would have produced for this row."""
        values = dict(zip(_FIELDS, row, strict=True))
        values["created_at"] = self.orm_created_at(values["created_at"])
        for name in self.json_fields:
            values[name] = _json_value(values[name])
        if values["ip"] is not None:
            values["ip"] = str(values["ip"])
        return entry_digest(values)


def verify_chain(*, progress: Callable[[int], None] | None = None, chunk: int = 5000) -> VerifyResult:
    """Walk all entries in sequence order, recomputing every hash and link."""
    reader = _Reader(chunk)
    at_seq, at_prev, at_hash, at_algorithm = (reader.position[n] for n in ("seq", "prev_hash", "hash", "algorithm"))
    hashers: dict[str, Callable[[], Any]] = {"sha256": hashlib.sha256}
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for row in reader.rows():
        seq = row[at_seq]
        if seq != expected_seq:
            bad = min(seq, expected_seq)
            return VerifyResult(False, checked, bad, f"sequence gap: expected {expected_seq}, found {seq}")
        if row[at_prev] != prev:
            return VerifyResult(False, checked, seq, "link to previous entry broken (deleted, inserted or reordered)")
        algorithm = row[at_algorithm]
        new = hashers.get(algorithm)
        if new is None:
            _hasher(algorithm)  # raises ValueError for an unknown algorithm, as entry_digest does
            new = hashers[algorithm] = lambda algorithm=algorithm: _hasher(algorithm)
        digest = new()
        digest.update(reader.canonical(row))
        stored = row[at_hash]
        if digest.hexdigest() != stored and reader.reference_digest(row) != stored:
            return VerifyResult(False, checked, seq, "content does not match its hash (modified)")
        prev = stored
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
