"""Fast inserts for the demo build: explicit primary keys, one prepared statement per batch
(``executemany`` on SQLite, ``COPY`` on PostgreSQL). Callers pass values that are already
validated and already in their stored form (encrypted, blind-indexed)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models

__all__ = [
    "allocate_ids",
    "bulk_load",
    "check_foreign_keys",
    "insert_rows",
    "sqlite_build_pragmas",
    "stored_datetime",
]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """*count* fresh primary keys. PostgreSQL draws them from the table's sequence (safe beside
    other writers); SQLite continues after the largest key inside the caller's write transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def stored_datetime(value: Any) -> Any:
    """A datetime as the backend stores it (SQLite: naive text in the connection's time zone)."""
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Inserts *rows* (tuples in *attnames* order, stored form) into *model*'s table.

    Columns the caller does not name (fields added to the model later) get the field's default, as
    ``Model.save`` would give them; a new required field without a default stops the build.
    """
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    extra = [f for f in model._meta.concrete_fields if f.attname not in attnames]
    if extra:
        missing = [f.name for f in extra if f.get_default() is None and not f.null]
        if missing:
            raise ValueError(f"{model.__name__}: the demo writer does not fill {missing}")
        tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        fields += extra
        rows = (tuple(row) + tail for row in rows)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


@contextlib.contextmanager
def sqlite_build_pragmas(cache_mib: int = 256) -> Iterator[None]:
    """Bulk-load settings for SQLite while the build runs: a larger page cache, temp tables in
    memory, no fsync, and foreign keys checked once at the end (:func:`check_foreign_keys`) instead
    of row by row. The build is one transaction, so a failed build leaves nothing behind; only a
    power loss in the middle could damage the file, and demo data is rebuilt from its seed.

    Inside a caller's transaction (a test case, ``setup_demo``) SQLite allows none of that but the
    page cache: the other settings are left alone and foreign keys are checked row by row."""
    if connection.vendor != "sqlite":
        yield
        return
    outside = not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
        if outside:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if outside:
                cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
                cursor.execute(f"PRAGMA foreign_keys={int(foreign_keys)}")
            cursor.execute(f"PRAGMA cache_size={int(cache_size)}")


def check_foreign_keys(models_: Sequence[type[models.Model]]) -> list[tuple]:
    """SQLite with foreign keys switched off for the load: every reference of these tables, checked
    in one pass each (``PRAGMA foreign_key_check``). Returns the offending (table, rowid, parent) rows."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        if cursor.fetchone()[0]:
            return []  # enforced row by row already
        bad: list[tuple] = []
        for model in models_:
            cursor.execute(f"PRAGMA foreign_key_check({connection.ops.quote_name(model._meta.db_table)})")
            bad += cursor.fetchmany(10)
        return bad


@contextlib.contextmanager
def bulk_load(model: type[models.Model], *, enabled: bool = True) -> Iterator[None]:
    """Loads a table the way bulk loaders do: its plain secondary indexes (not the primary key, not
    unique ones, not those backing a constraint) are dropped and, on PostgreSQL, its foreign keys
    too; on exit they are recreated from their own catalog definitions — each index built once over
    the loaded table, each foreign key validated by one query instead of a trigger per row. Runs
    inside the loading transaction, so no other connection ever sees the table without them."""
    if not enabled:
        yield
        return
    table = model._meta.db_table
    qn = connection.ops.quote_name
    foreign_keys: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.schemaname = "
                "current_schema() AND i.indexdef NOT LIKE 'CREATE UNIQUE%%' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            indexes = sorted(cursor.fetchall())
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype = 'f'", [qn(table)])
            foreign_keys = sorted(cursor.fetchall())
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
            indexes = sorted(cursor.fetchall())
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield  # on an error the transaction rolls back, dropped indexes and constraints included
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
