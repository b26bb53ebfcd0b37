#!/usr/bin/env python3
"""Import of a 100,000-row member workbook and CSV (issue #3 target: ≥ 50,000 rows/s for CSV).

    nice -n 19 .venv/bin/python bench/import_bench.py [--rows 100000] [--db sqlite|postgresql] [--profile]

Builds a throwaway database (SQLite file under /tmp, or ``DANGJIAN_BENCH_PG``, default
``postgres://postgres@127.0.0.1:5432/import_bench``): migrations and 200 branches through the services.
Writes the rows once as .csv (UTF-8 with BOM) and .xlsx in the platform's standard template, then
times, through the real engine (``exchange.services.import_run``: read, normalise, every rule of
``validate_member`` per row, duplicate checks against the file and the register, encryption and
blind indexes, one transaction, one audit entry):

1. the dry run of the CSV (validated, nothing written);
2. the commit of the CSV into an empty register;
3. a raw batched INSERT (``executemany``; COPY on PostgreSQL) of the very same stored rows — the floor;
4. the commit of the xlsx into an empty register.

Prints one line per step (seconds, rows/s), the ratio import/raw, and with ``--profile`` the top of a
cProfile of the CSV commit. Wall-clock only: no assertions.
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/import_bench"
SQLITE_PATH = Path(os.environ.get("DANGJIAN_BENCH_SQLITE", Path(tempfile.gettempdir()) / "dangjian_import_bench.sqlite3"))
HEADER = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "手机号码", "学历", "职务/岗位", "人员类别", "入党日期",
          "转正日期", "所在党支部代码", "党籍状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def _setup(db: str) -> str:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "b" * 40)
    os.environ.setdefault("DANGJIAN_FIELD_KEY", "00112233445566778899aabbccddeeff")
    os.environ.setdefault("DANGJIAN_BLIND_INDEX_KEY", "ffeeddccbbaa99887766554433221100")
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    if db == "postgresql":
        url = os.environ.get("DANGJIAN_BENCH_PG", DEFAULT_PG)
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _tree(branches: int) -> list[str]:
    from dangjian.orgs.services import org_create

    root = org_create(actor=None, parent=None, name="集团党委", code="G", org_type="committee")
    codes = []
    for c in range(branches // 50):
        committee = org_create(actor=None, parent=root, name=f"第{c + 1}公司党委", code=f"C{c + 1}", org_type="committee")
        for b in range(50):
            code = f"C{c + 1}B{b + 1}"
            org_create(actor=None, parent=committee, name=f"第{c + 1}公司第{b + 1}党支部", code=code, org_type="branch")
            codes.append(code)
    return codes


def _rows(n: int, branches: list[str]):
    from dangjian.core.idcard import check_char

    base = dt.date(1960, 1, 1)
    for i in range(n):
        birth = base + dt.timedelta(days=(i * 7) % 14000)
        seq = i % 1000
        # the ID's area code varies with the row so that 100,000 numbers stay distinct
        k = i // 1000  # province 11–15 and a city number: distinct for every 1,000 rows up to 500,000 rows
        area = (11 + k % 5) * 10000 + (k // 5) % 100 * 100 + 1
        body = f"{area}{birth:%Y%m%d}{seq:03d}"
        gender = "男" if seq % 2 else "女"
        probationary = i % 10 == 0
        joined = birth.replace(year=birth.year + 25) if birth.month != 2 or birth.day != 29 else birth + dt.timedelta(
            days=365 * 25)
        yield [SURNAMES[i % 20] + GIVEN[(i // 20) % 25] + GIVEN[(i // 500) % 25], gender, "汉族", birth.isoformat(),
               body + check_char(body), f"13{i % 10}{i:08d}", "大学本科", "技术员", "预备党员" if probationary else "正式党员",
               joined.isoformat(), "" if probationary else (joined + dt.timedelta(days=366)).isoformat(),
               branches[i % len(branches)], "正常"]


def _write_files(n: int, branches: list[str], folder: Path, xlsx: bool = True) -> tuple[Path, Path]:
    from openpyxl import Workbook

    csv_path, xlsx_path = folder / "members.csv", folder / "members.xlsx"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(_rows(n, branches))
    if not xlsx:
        return csv_path, csv_path
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append(HEADER)
    for row in _rows(n, branches):
        ws.append(row)
    wb.save(xlsx_path)
    return csv_path, xlsx_path


_cpu = [0.0]


def _mark() -> float:
    """Starts a step: wall clock now, and the CPU time of this process (the database's own work on
    PostgreSQL runs in its server process and is not included)."""
    _cpu[0] = time.process_time()
    return time.perf_counter()


def _step(label: str, seconds: float, rows: int) -> float:
    cpu = time.process_time() - _cpu[0]
    rate = rows / seconds if seconds else 0
    print(f"{label:<52} {seconds:>8.2f} s  {rate:>10,.0f} rows/s   (cpu {cpu:.2f} s, {rows / cpu if cpu else 0:,.0f} rows/cpu-s)",
          flush=True)
    return rate


def _clear_members() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM members_member")


def _import(path: Path, dry_run: bool):
    from dangjian.exchange.services import import_run

    report = import_run(actor=None, kind="members", data=path.read_bytes(), file_name=path.name, dry_run=dry_run,
                        max_errors=20)
    if not report.ok:
        raise SystemExit(f"unexpected errors: {[e.line() for e in report.errors]}")
    return report


def _raw_insert(stored: list[tuple], columns: list[str]) -> float:
    from django.db import connection, transaction

    from dangjian.exchange.writer import insert_rows
    from dangjian.members.models import Member

    _clear_members()
    start = _mark()
    with transaction.atomic():
        for i in range(0, len(stored), 2000):
            insert_rows(Member, columns, stored[i:i + 2000])
    seconds = time.perf_counter() - start
    assert connection.vendor
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-xlsx", action="store_true")
    args = parser.parse_args()
    _setup(args.db)
    from django.db import connection

    branches = _tree(args.branches)
    n = args.rows
    print(f"import of {n:,} member rows on {connection.vendor} ({len(branches)} branches)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        csv_path, xlsx_path = _write_files(n, branches, Path(tmp), xlsx=not args.skip_xlsx)
        print(f"{'(writing the test files)':<52} {time.perf_counter() - start:>8.2f} s  "
              f"csv {csv_path.stat().st_size / 1e6:.1f} MB, xlsx {xlsx_path.stat().st_size / 1e6:.1f} MB", flush=True)
        results = {}
        start = _mark()
        _import(csv_path, dry_run=True)
        results["csv_dry"] = _step("CSV dry run (validated, nothing written)", time.perf_counter() - start, n)
        _clear_members()
        start = _mark()
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        report = _import(csv_path, dry_run=False)
        seconds = time.perf_counter() - start
        if args.profile:
            profiler.disable()
        assert report.created == n
        results["csv"] = _step("CSV import (validated + committed)", seconds, n)
        # the very same stored rows, raw
        from dangjian.members.models import Member

        columns = [f.attname for f in Member._meta.concrete_fields if not f.primary_key]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(connection.ops.quote_name(c) for c in columns) + " FROM members_member")
            stored = [tuple(r) for r in cursor.fetchall()]
        raw = _raw_insert(stored, columns)
        results["raw"] = _step("raw batched INSERT of the same rows (executemany/COPY)", raw, n)
        print(f"{'ratio CSV import / raw insert':<52} {results['raw'] / results['csv']:>8.1f} ×", flush=True)
        if not args.skip_xlsx:
            _clear_members()
            start = _mark()
            report = _import(xlsx_path, dry_run=False)
            assert report.created == n
            results["xlsx"] = _step("xlsx import (validated + committed)", time.perf_counter() - start, n)
        if args.profile:
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(18)
            print(stream.getvalue())
        print("summary " + " ".join(f"{k}={v:,.0f}/s" for k, v in results.items()))


if __name__ == "__main__":
    main()
