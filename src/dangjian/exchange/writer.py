"""Fast inserts of rows already validated: one prepared statement per batch (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), and the register's encryption and blind index with their key objects
built once (the same format as ``core.crypto``; ``tests/test_writer.py`` checks it round-trips)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import connection, models

__all__ = ["Sealer", "date_converter", "insert_rows", "stored"]

_PREFIX = "sm4gcm:1:"  # core.crypto's ciphertext format


class Sealer:
    """``core.crypto.encrypt`` and ``core.crypto.blind_index`` with the keys prepared once."""

    def __init__(self) -> None:
        self._algorithm = algorithms.SM4(bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)[:16])
        self._mac = hmac.new(bytes.fromhex(settings.BLIND_INDEX_KEY), digestmod=hashlib.sha256)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        enc = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        body = enc.update(plaintext.encode("utf-8")) + enc.finalize()
        return _PREFIX + base64.b64encode(nonce + body + enc.tag).decode("ascii")

    def blind_index(self, kind: str, value: str) -> str:
        mac = self._mac.copy()
        mac.update(f"{kind}:{value}".encode())
        return mac.hexdigest()[:40]


def stored(value: Any) -> Any:
    """A Python value as the backend's driver takes it in a raw statement."""
    if connection.vendor == "sqlite":
        if hasattr(value, "tzinfo") and hasattr(value, "hour"):
            return connection.ops.adapt_datetimefield_value(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
    return value


def date_converter() -> Any:
    """How a date goes into a raw statement on this backend (looked up once, not per value)."""
    if connection.vendor == "sqlite":
        return lambda value: value.isoformat() if value is not None else None
    return lambda value: value


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """Inserts *rows* (tuples in *attnames* order, stored form) into *model*'s table."""
    if not rows:
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in attnames)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(attnames))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
