#!/usr/bin/env python3
"""The full demo at scale (issue #18): register + a year of activity + the first health scan, as
``dangjian demo --members N --seed S`` builds it, timed stage by stage — and the slow check that the
activity stage completes at that size with every planted record valid.

    .venv/bin/python bench/demo_bench.py [--members 100000] [--seed 7] [--db sqlite|postgres|both]
                                         [--pg URL] [--today YYYY-MM-DD] [--no-check]

For each database, into a throwaway database: SQLite ``bench/out/demo_bench.sqlite3``; PostgreSQL the
schema ``public`` of ``--pg`` (default ``DANGJIAN_BENCH_PG`` or ``postgres://postgres@127.0.0.1:5432/demo_bench``),
dropped and recreated (add ``?options=-csearch_path%3D<schema>`` to the URL to use another schema). In a
child process (the settings read ``DATABASE_URL`` once): migrations, then the calls the ``demo`` command
makes (``build_demo``, ``add_activity`` with the scan), then, unless ``--no-check``, the issue #18
check (``dangjian.demo.checks.planted_problems``: every planted record passes the services' rules on
its date; it reads every attendance row, so it is slow above 100,000 members). Prints the figures and
a Markdown row per database; exits 1 if the build, a plant (refused by a service) or the check fails.
Wall-clock figures depend on the machine's load, printed beside them. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
SQLITE_PATH = OUT / "demo_bench.sqlite3"
PG_URL = os.environ.get("DANGJIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/demo_bench")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def child(args: dict) -> dict:
    """Runs in the child process: migrate, build, activity, check; returns the figures."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dangjian.demo.activity import add_activity
    from dangjian.demo.builder import build_demo
    from dangjian.demo.checks import planted_problems

    call_command("migrate", verbosity=0)
    today = dt.date.fromisoformat(args["today"]) if args["today"] else None
    load_before = _load()
    started, cpu = time.perf_counter(), time.process_time()
    built = build_demo(members=args["members"], seed=args["seed"], today=today)
    register_seconds = time.perf_counter() - started
    load_register = _load()
    activity = add_activity(seed=built.seed, today=built.today, members=built.members)
    total_seconds, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    figures = {
        "db": connection.vendor, "members": built.members, "orgs": built.orgs, "seed": built.seed,
        "today": built.today.isoformat(), "load_before": load_before, "load_register": load_register,
        "load_after": _load(), "register_seconds": register_seconds, "register_rate": built.rate,
        "stages": built.stages, "activity_seconds": activity.seconds - activity.scan_seconds,
        "scan_seconds": activity.scan_seconds, "total_seconds": total_seconds, "total_cpu": total_cpu,
        "meetings": activity.meetings.meetings, "attendance": activity.meetings.attendance,
        "bills": activity.dues.bills, "payments": activity.dues.payments, "pipelines": activity.pipelines,
        "transfers": activity.planted.transfers_in_transit + activity.planted.transfers_overdue,
        "lost_contact": activity.planted.lost_contact, "moved": activity.planted.moved_members,
        "findings": sum(activity.findings.values()), "notifications": activity.notifications,
        "skipped": activity.planted.skipped, "refused": activity.planted.refused,
        "summary": activity.summary_lines(),
    }
    if args["check"]:
        checked = time.perf_counter()
        problems = planted_problems(built.today)
        figures.update(check_seconds=time.perf_counter() - checked, problems=problems[:20],
                       problem_count=len(problems))
    return figures


def _recreate(db: str, pg_url: str) -> str:
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        # the first schema of the search path (``options=-csearch_path=…``), which may not exist yet
        schema = conn.execute("SHOW search_path").fetchone()[0].split(",")[0].strip().strip('"')
        if schema in ("", "$user"):
            schema = "public"
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return pg_url


def run(db: str, opts: argparse.Namespace) -> dict:
    url = _recreate(db, opts.pg)
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "dangjian.settings", "DANGJIAN_HOME": str(OUT), "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "k" * 50, "DANGJIAN_FIELD_KEY": "0123456789abcdef0123456789abcdef",
        "DANGJIAN_BLIND_INDEX_KEY": "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        "PYTHONPATH": str(ROOT / "src"),
    })
    args = {"members": opts.members, "seed": opts.seed, "today": opts.today, "check": not opts.no_check}
    started = time.perf_counter()
    before = os.times()
    proc = subprocess.run([sys.executable, __file__, "--child", json.dumps(args)], env=env,
                          stdout=subprocess.PIPE, text=True, check=False)
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"{db}: the demo build failed (exit {proc.returncode})")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_seconds"] = time.perf_counter() - started  # migrations included
    figures["child_cpu"] = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return figures


def report(f: dict) -> None:
    print(f"\n=== {f['db']}: seed {f['seed']}, {f['members']:,} members, {f['orgs']:,} organisations, today {f['today']}")
    print(f"register  {f['register_seconds']:8.1f} s  ({f['register_rate']:,.0f} members/s; load {f['load_before']})")
    print("  stages: " + ", ".join(f"{k} {v:.1f}" for k, v in f["stages"].items()))
    print(f"activity  {f['activity_seconds']:8.1f} s  ({f['meetings']:,} meetings, {f['attendance']:,} attendance, "
          f"{f['bills']:,} bills, {f['payments']:,} payments, {f['pipelines']} pipelines, {f['transfers']} transfers, "
          f"{f['lost_contact']} lost contact, {f['moved']} moved)")
    print(f"scan      {f['scan_seconds']:8.1f} s  ({f['findings']:,} findings, {f['notifications']:,} notifications)")
    print(f"total     {f['total_seconds']:8.1f} s  (CPU of the child {f['child_cpu']:.1f} s incl. migrations and check; "
          f"load after {f['load_after']})")
    for line in f["summary"]:
        print("  " + line)
    if "problem_count" in f:
        print(f"check     {f['check_seconds']:8.1f} s  {f['problem_count']} problems" +
              "".join(f"\n  {p}" for p in f["problems"]))
    print(f"| {f['db']} | {f['members']:,} | {f['register_seconds']:.1f} s | {f['activity_seconds']:.1f} s | "
          f"{f['scan_seconds']:.1f} s | {f['total_seconds']:.1f} s | {f['meetings']:,} / {f['attendance']:,} / "
          f"{f['bills']:,} | {f['load_before']} → {f['load_after']} |")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(json.loads(sys.argv[2])), default=str))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg", default=PG_URL, help="PostgreSQL URL (its current schema is dropped and recreated)")
    parser.add_argument("--today", default=None, help="the day the data is relative to (default: today)")
    parser.add_argument("--no-check", action="store_true", help="skip the planted-records check (slow at 1,000,000)")
    opts = parser.parse_args()
    failed = False
    for db in (["sqlite", "postgres"] if opts.db == "both" else [opts.db]):
        figures = run(db, opts)
        report(figures)
        if figures["refused"] or figures.get("problem_count"):
            print(f"{db}: FAILED — refused plants {figures['refused'][:5]}, {figures.get('problem_count', 0)} problems")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
