#!/usr/bin/env python3
"""Scale benchmark of the register (DESIGN "Scale": 1,000,000 members, 60,000 organisations).

    .venv/bin/python bench/run.py [--members 1000000] [--orgs 60000] [--db sqlite|postgres|both]
                                  [--skip-build] [--audit-entries 200000] [--repeat 40] [--workers N]

For each database: builds the demo enterprise (``dangjian.demo``) into a throwaway database —
SQLite ``bench/out/bench.sqlite3``, PostgreSQL ``dangjian_bench`` (``DANGJIAN_BENCH_PG``) — plus an
audit log, then measures, each beside the equivalent hand-written SQL (or hashlib) and the ratio:

- demo build rate (members/s) vs ``INSERT … SELECT`` of the same rows into an indexed copy;
- subtree member count at the root and at a mid-level org: ``member_list(...).count()`` for a
  subtree-scoped user vs ``COUNT(*)`` over the path range;
- first and deep page of ``GET /api/v1/members?org=…&limit=50`` (django.test.Client, bearer token,
  p50/p95) vs the keyset query itself;
- ``audit verify`` (entries/s) vs SHA-256 of the same canonical bytes with hashlib alone.

Prints a table and adds a dated section to ``bench/RESULTS.md``. Not part of the test suite.
Run it niced on a shared machine: ``nice -n 19 .venv/bin/python bench/run.py``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"
PG_URL = os.environ.get("DANGJIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/dangjian_bench")
SQLITE_PATH = OUT / "bench.sqlite3"

TARGETS = {
    "build": 20_000,       # members/s
    "list_p95_ms": 50.0,
    "count_ratio": 1.2,    # ORM / raw
    "verify_ratio": 2.0,   # verify time / hashlib time
}


def database_url(db: str) -> str:
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else PG_URL


def child_env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DANGJIAN_HOME": str(OUT),  # no var/dangjian.env of a local install
        "DATABASE_URL": database_url(db),
        "SECRET_KEY": "bench-" + "k" * 50,
        "DANGJIAN_FIELD_KEY": "0123456789abcdef0123456789abcdef",
        "DANGJIAN_BLIND_INDEX_KEY": "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(BENCH)]),
    })
    return env


def run_phase(db: str, phase: str, args: dict) -> dict:
    proc = subprocess.run([sys.executable, str(BENCH / "phases.py"), phase, json.dumps(args)], env=child_env(db),
                          stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{db} {phase} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def recreate(db: str) -> None:
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def machine(dbs: list[str]) -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    info = {"cpu": cpu, "cores": str(os.cpu_count()), "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    if "postgres" in dbs:
        try:
            import psycopg

            base = PG_URL.rsplit("/", 1)[0]
            with psycopg.connect(base + "/postgres") as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        except Exception as exc:
            info["postgresql"] = f"unavailable ({exc.__class__.__name__})"
    return info


def rows_for(db: str, built: dict | None, m: dict) -> list[tuple[str, str, str, str, str]]:
    """(measure, dangjian, hand-written, ratio, target) rows of one database."""
    rows = []
    if built:
        rate, raw = built["build_rate"], built["raw_copy_rate"]
        rows.append((f"demo build ({built['members']:,} members, {built['orgs']:,} orgs, {built['workers']} workers; "
                     f"load {built['load']:.1f})",
                     f"{rate:,.0f} members/s ({built['build_seconds']:.1f} s; "
                     f"{built['build_cpu_rate']:,.0f} per CPU-second)",
                     f"{raw:,.0f} rows/s (INSERT…SELECT copy, {built['raw_copy_seconds']:.1f} s)",
                     f"{raw / rate:.1f}× slower", _verdict(rate >= TARGETS["build"], "≥ 20,000/s")))
    for label in ("root", "mid"):
        c = m[f"count_{label}"]
        ratio = c["orm"]["p50"] / c["raw"]["p50"]
        org = m["root"] if label == "root" else m["mid"]
        rows.append((f"subtree count at {label} ({org['code']}, {c['members']:,} members), p50",
                     f"{c['orm']['p50']:.1f} ms", f"{c['raw']['p50']:.1f} ms", f"{ratio:.2f}×",
                     _verdict(ratio <= TARGETS["count_ratio"], "≤ 1.2×")))
    for label in ("mid", "root"):
        for page in ("first", "deep"):
            lst = m[f"list_{label}_{page}"]
            api, raw = lst["api"], lst["raw"]
            rows.append((f"member list {label}, {page} page (API, limit 50), p50 / p95",
                         f"{api['p50']:.1f} / {api['p95']:.1f} ms (CPU {api['cpu_p50']:.1f} ms)",
                         f"{raw['p50']:.1f} / {raw['p95']:.1f} ms",
                         f"{api['p95'] / raw['p95']:.1f}×", _verdict(api["p95"] <= TARGETS["list_p95_ms"], "p95 ≤ 50 ms")))
    a = m["audit_verify"]
    verify_rate, hash_rate = a["entries"] / a["verify_seconds"], a["entries"] / a["hash_seconds"]
    ratio = a["verify_seconds"] / a["hash_seconds"]
    rows.append((f"audit verify ({a['entries']:,} entries; load {m['load']:.1f})",
                 f"{verify_rate:,.0f} entries/s ({a['entries'] / a['verify_cpu']:,.0f} per CPU-second)",
                 f"{hash_rate:,.0f} entries/s (hashlib over the canonical bytes)", f"{ratio:.1f}×",
                 _verdict(ratio <= TARGETS["verify_ratio"], "≤ 2×")))
    return rows


def _verdict(ok: bool, target: str) -> str:
    return f"{target} {'met' if ok else 'MISSED'}"


def table(rows: list[tuple[str, ...]]) -> str:
    header = ("measure", "dangjian", "hand-written", "ratio", "target")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(section: str) -> None:
    head = "# Benchmark results\n\nGenerated by `bench/run.py` (`make bench`); newest section last.\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else head
    RESULTS.write_text(text.rstrip("\n") + "\n\n" + section.strip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=60_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--skip-build", action="store_true", help="measure the databases built by an earlier run")
    parser.add_argument("--audit-entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=40, help="requests per list measurement")
    parser.add_argument("--workers", type=int, default=None, help="demo build worker processes (default: auto)")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    started = dt.datetime.now().astimezone()
    info = machine(dbs)
    sections = []
    for db in dbs:
        print(f"\n=== {db} ===", flush=True)
        built = None
        if not args.skip_build:
            recreate(db)
            built = run_phase(db, "build", {"members": args.members, "orgs": args.orgs,
                                            "audit_entries": args.audit_entries, "workers": args.workers})
        measured = run_phase(db, "measure", {"repeat": args.repeat})
        rows = rows_for(db, built, measured)
        print(table(rows), flush=True)
        title = "SQLite " + info["sqlite"] if db == "sqlite" else "PostgreSQL " + info.get("postgresql", "")
        notes = ""
        if built and built.get("build_stages"):
            notes = ("\nBuild stages (wall seconds): "
                     + ", ".join(f"{k} {v:.1f}" for k, v in built["build_stages"].items()) + ".\n")
        sections.append(f"### {title}\n\n{table(rows)}\n{notes}")
    machine_line = (f"{info['cpu']}, {info['cores']} cores, {info['ram']} RAM; Python {info['python']}, "
                    f"SQLite {info['sqlite']}" + (f", PostgreSQL {info['postgresql']}" if "postgresql" in info else "")
                    + f"; load average at start {info['load']}")
    section = (f"## {started:%Y-%m-%d %H:%M %Z} — {args.members:,} members, ~{args.orgs:,} organisations"
               f"{' (measured on an earlier build)' if args.skip_build else ''}\n\n"
               f"Machine: {machine_line}.\n\n"
               "Wall-clock figures depend on what else runs on the machine (see the load averages); the CPU "
               "figures (this benchmark's own processes, not the database server) do much less.\n\n"
               + "\n".join(sections))
    print("\n" + section)
    if not args.no_results:
        write_results(section)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
