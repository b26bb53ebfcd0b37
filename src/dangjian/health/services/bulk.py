"""Upserting many rows without Django's per-value preparation (the scan writes tens of thousands).

``bulk_create(update_conflicts=True)`` spends most of its time preparing each value in Python (60,000
rollup rows ≈ 1.2 million ``get_db_prep_save`` calls). Here the caller passes values already in the
form the column stores (JSON as text), and:

- PostgreSQL: the rows are ``COPY``-ed into a temporary table (dropped at commit), then moved with one
  ``INSERT … SELECT … ON CONFLICT (…) DO UPDATE``;
- SQLite: one ``executemany`` of ``INSERT … ON CONFLICT (…) DO UPDATE`` (SQLite ≥ 3.24).

Same statement semantics on both, so concurrent writers of the same key still meet ``ON CONFLICT``.
Must run inside a transaction (the scan's per-rule ``atomic`` block).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

__all__ = ["json_text", "upsert_rows"]


def json_text(value: Any) -> str:
    """A JSONField value in its stored form."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def upsert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                conflict: Sequence[str], update: Sequence[str]) -> int:
    """Inserts *rows* (tuples in *columns* order: column names, stored form) into *model*'s table; a row
    whose *conflict* columns match an existing one updates its *update* columns instead. Returns the
    number of rows sent."""
    rows = list(rows)
    if not rows:
        return 0
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in columns)
    on_conflict = (f"ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET "
                   + ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the columns' types only (no constraints), one table per column set, gone at commit
            temp = qn(f"_upsert_{model._meta.db_table}_{len(columns)}")
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
                           f"SELECT {cols} FROM {table} WITH NO DATA")
            cursor.execute(f"TRUNCATE {temp}")
            with cursor.copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp} {on_conflict}")
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) {on_conflict}",
                               [tuple(_sqlite_value(v) for v in row) for row in rows])
    return len(rows)
