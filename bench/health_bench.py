#!/usr/bin/env python3
"""Organisation health at scale (issue #4): the full scan over 60,000 orgs / 1,000,000 members (target
≤ 10 s) beside the same checks written as raw SQL, and the monitoring table of the root (target ≤ 100 ms).

    nice -n 19 .venv/bin/python bench/health_bench.py [--source dangjian_bench] [--db health_bench]
                                                      [--fresh] [--repeat 30] [--no-results]

It reuses the enterprise that ``bench/run.py`` builds with the demo builder (PostgreSQL
``dangjian_bench``: 1,000,000 members, ~60,000 organisations, terms and seats): the database is copied
(``CREATE DATABASE … TEMPLATE``) to ``health_bench`` so that run is left alone, then migrated, and — when
it has none — given a meeting history of 13 months (about 1.3 million meetings, ~90 % of the cadence
met, deterministic) with one ``INSERT … SELECT``, so the cadence rule has realistic work to do.

Then it measures, on that copy:

1. each rule's check alone (the rule's queries, findings consumed, nothing written) beside a
   hand-written SQL query that returns the same rows, and the ratio;
2. the full scan as ``dangjian health scan`` runs it: every rule, findings upserted / resolved, the
   monitoring rollups rebuilt — once cold (empty findings table) and once warm (the nightly steady state);
3. the monitoring table of the root: the selector and the page over HTTP (django test client, signed in),
   p50 / p95, beside the raw SQL of the same read.

Prints a table and appends a dated "Health" section to ``bench/RESULTS.md``. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
PG_BASE = os.environ.get("DANGJIAN_BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")

TARGET_SCAN_S = 10.0
TARGET_MONITOR_MS = 100.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the database -------------------------------------------------------------------------------------


def copy_database(source: str, target: str, fresh: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone()
        if exists and not fresh:
            _log(f"using the existing copy {target}")
            return
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [source]).fetchone():
            raise SystemExit(f"no database {source}: build it first with `nice -n 19 .venv/bin/python bench/run.py "
                             f"--db postgres`")
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        for attempt in range(60):  # the template must have no other session (bench/run.py may be measuring)
            try:
                _log(f"copying {source} → {target} …")
                conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
                return
            except psycopg.errors.ObjectInUse:
                _log(f"  {source} is in use; retrying in 10 s ({attempt + 1}/60)")
                time.sleep(10)
        raise SystemExit(f"{source} stayed in use")


def setup_django(target: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DANGJIAN_HOME": str(BENCH / "out"),
        "DATABASE_URL": f"{PG_BASE}/{target}",
        "SECRET_KEY": "bench-" + "k" * 50,
        # the keys bench/run.py builds with (member names are not encrypted; these only keep reads valid)
        "DANGJIAN_FIELD_KEY": "0123456789abcdef0123456789abcdef",
        "DANGJIAN_BLIND_INDEX_KEY": "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
    })
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import storage
    from django.core.management import call_command
    from django.utils.functional import empty

    # the page is rendered without collectstatic: plain static URLs instead of the manifest's
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    storage.staticfiles_storage._wrapped = empty

    _log("migrate …")
    call_command("migrate", verbosity=0)


MEETINGS_SQL = """
WITH months AS (
    SELECT generate_series(date_trunc('month', %(today)s::date) - interval '13 months',
                           date_trunc('month', %(today)s::date) - interval '1 month', interval '1 month')::date AS m
),
wanted AS (  -- per org, cadence rule and month: the meetings the rule asks for in that month
    SELECT o.id AS org_id, o.org_type, r.kind_id, r.unit, m.m
    FROM orgs_organization o
    JOIN meetings_cadencerule r ON r.org_type = o.org_type AND r.enabled
    JOIN months m ON r.unit = 'month'
        OR (r.unit = 'quarter' AND extract(month FROM m.m)::int %% 3 = 2)
        OR (r.unit = 'year' AND extract(month FROM m.m)::int = 11)
    WHERE o.status = 'active'
)
INSERT INTO meetings_meeting (created_at, updated_at, org_id, party_group_id, kind_id, topic, agenda, place,
                              online_url, starts_at, ends_at, meeting_date, status, minutes, recorded_at,
                              cancel_reason, checkin_code, occurrence_on)
SELECT now(), now(),
       CASE WHEN w.org_type = 'group' THEN parent.id ELSE w.org_id END,
       CASE WHEN w.org_type = 'group' THEN w.org_id END,
       w.kind_id, '学习贯彻党的创新理论', '[]'::jsonb, '党员活动室', '',
       (w.m + interval '14 days 14 hours') AT TIME ZONE 'Asia/Shanghai',
       (w.m + interval '14 days 16 hours') AT TIME ZONE 'Asia/Shanghai',
       w.m + 14,
       CASE WHEN abs(hashtext(w.org_id || '/' || w.kind_id || '/' || w.m)) %% 100 < 3 THEN 'planned' ELSE 'held' END,
       '会议记录', now(), '', '', NULL
FROM wanted w
JOIN orgs_organization o ON o.id = w.org_id
LEFT JOIN orgs_organization parent ON w.org_type = 'group' AND parent.path = substr(o.path, 1, length(o.path) - 4)
WHERE abs(hashtext(w.org_id || ':' || w.kind_id || ':' || w.m)) %% 100 >= 8  -- ~8 %% of meetings not held
"""


def seed_meetings(today: dt.date) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM meetings_meeting")
        existing = cur.fetchone()[0]
        if existing:
            _log(f"meetings: {existing:,} already there")
            return existing
        _log("meetings: seeding 13 months of history …")
        started = time.perf_counter()
        cur.execute(MEETINGS_SQL, {"today": today})
        cur.execute("ANALYZE meetings_meeting")
        cur.execute("SELECT count(*) FROM meetings_meeting")
        count = cur.fetchone()[0]
    _log(f"  {count:,} meetings in {time.perf_counter() - started:.1f} s")
    return count


# --- the checks written by hand ----------------------------------------------------------------------

COUNTED = "('normal', 'mobile', 'lost')"


def raw_checks(today: dt.date) -> dict[str, list[tuple[str, list]]]:
    """Per rule code: the SQL statements (with parameters) that return the same rows as the rule."""
    from dateutil.relativedelta import relativedelta

    from dangjian.health.rules.meetings import last_completed_window

    out: dict[str, list[tuple[str, list]]] = {
        "org.too_few_full_members": [(f"""
            SELECT o.id, count(m.id) FILTER (WHERE m.category = 'full' AND m.status IN {COUNTED}) AS n
            FROM orgs_organization o LEFT JOIN members_member m ON m.org_id = o.id
            WHERE o.org_type = 'branch' AND o.status = 'active'
            GROUP BY o.id HAVING count(m.id) FILTER (WHERE m.category = 'full' AND m.status IN {COUNTED}) < 3""", [])],
        "org.branch_oversize": [(f"""
            SELECT o.id, count(m.id) FILTER (WHERE m.status IN {COUNTED}) AS n
            FROM orgs_organization o LEFT JOIN members_member m ON m.org_id = o.id
            WHERE o.org_type = 'branch' AND o.status = 'active'
            GROUP BY o.id HAVING count(m.id) FILTER (WHERE m.status IN {COUNTED}) > 50""", [])],
        "org.committee_missing": [(f"""
            SELECT o.id, count(m.id) FILTER (WHERE m.category = 'full' AND m.status IN {COUNTED})
            FROM orgs_organization o LEFT JOIN members_member m ON m.org_id = o.id
            WHERE o.org_type = 'branch' AND o.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM orgs_committeeterm t WHERE t.org_id = o.id AND t.is_current)
            GROUP BY o.id HAVING count(m.id) FILTER (WHERE m.category = 'full' AND m.status IN {COUNTED}) >= 7""", []),
            ("""SELECT o.id FROM orgs_organization o
                WHERE o.org_type IN ('general_branch', 'committee') AND o.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM orgs_committeeterm t WHERE t.org_id = o.id AND t.is_current)""", [])],
        "org.committee_size": [(f"""
            WITH seats AS (
                SELECT t.id, t.org_id, count(DISTINCT s.member_id) FILTER (
                    WHERE s.until IS NULL AND s.position <> 'group_leader') AS n
                FROM orgs_committeeterm t JOIN orgs_organization o ON o.id = t.org_id
                LEFT JOIN members_committeeseat s ON s.term_id = t.id
                WHERE t.is_current AND o.status = 'active' AND o.org_type = 'branch'
                GROUP BY t.id, t.org_id
                HAVING NOT (count(DISTINCT s.member_id) FILTER (WHERE s.until IS NULL AND s.position <> 'group_leader')
                            BETWEEN 3 AND 5))
            SELECT seats.id, seats.n FROM seats
            JOIN (SELECT org_id FROM members_member WHERE category = 'full' AND status IN {COUNTED}
                  AND org_id IN (SELECT org_id FROM seats) GROUP BY org_id HAVING count(*) >= 7) f
              ON f.org_id = seats.org_id""", [])],
        "org.should_upgrade": [(f"""
            SELECT o.id, count(m.id) FROM orgs_organization o JOIN members_member m ON m.org_id = o.id
            WHERE o.org_type = 'branch' AND o.status = 'active' AND m.status IN {COUNTED}
            GROUP BY o.id HAVING count(m.id) >= 50""", []),
            (f"""SELECT g.id, count(m.id) FROM orgs_organization g
                 JOIN orgs_organization o ON o.path >= g.path AND o.path < g.path || '~'
                 JOIN members_member m ON m.org_id = o.id AND m.status IN {COUNTED}
                 WHERE g.org_type = 'general_branch' AND g.status = 'active'
                 GROUP BY g.id HAVING count(m.id) >= 100""", [])],
        "org.term_expiring": [("""
            SELECT t.id, coalesce(t.postponed_until, t.end_date) FROM orgs_committeeterm t
            JOIN orgs_organization o ON o.id = t.org_id
            WHERE t.is_current AND o.status = 'active' AND coalesce(t.postponed_until, t.end_date) >= %s
              AND coalesce(t.postponed_until, t.end_date) - interval '6 months' <= %s""", [today, today])],
        "org.term_expired": [("""
            SELECT t.id, %s - coalesce(t.postponed_until, t.end_date) FROM orgs_committeeterm t
            JOIN orgs_organization o ON o.id = t.org_id
            WHERE t.is_current AND o.status = 'active' AND coalesce(t.postponed_until, t.end_date) < %s""",
            [today, today])],
        "org.no_secretary": [("""
            SELECT o.id FROM orgs_organization o
            WHERE o.org_type IN ('branch', 'general_branch', 'committee') AND o.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM members_committeeseat s JOIN orgs_committeeterm t ON t.id = s.term_id
                              WHERE t.org_id = o.id AND t.is_current AND s.position = 'secretary'
                                AND s.until IS NULL)""", [])],
        "members.lost_contact": [("""
            SELECT m.id, m.org_id, max(c.effective_on) FILTER (WHERE c.to_status = 'lost')
            FROM members_member m LEFT JOIN transfers_statuschange c ON c.member_id = m.id
            WHERE m.status = 'lost' GROUP BY m.id, m.org_id""", [])],
        "members.no_branch": [("""
            SELECT m.id, m.org_id FROM members_member m JOIN orgs_organization o ON o.id = m.org_id
            WHERE m.status NOT IN ('expelled', 'deceased', 'left')
              AND NOT (o.org_type = 'branch' AND o.status = 'active')""", [])],
        "development.step_overdue": [("""
            SELECT p.id FROM development_pipeline p WHERE p.next_due < %s
              AND NOT (p.stage = 'probationary' AND p.probation_end < %s)""", [today, today])],
        "development.probation_overdue": [("""
            SELECT p.id FROM development_pipeline p
            WHERE p.stage = 'probationary' AND p.probation_end + interval '1 month' < %s""", [today])],
        "transfers.overdue": [("""
            SELECT t.id FROM transfers_transfer t
            WHERE t.status IN ('sent', 'expired') AND t.due_on < %s AND t.from_org_id IS NOT NULL""", [today])],
        "dues.arrears": [("""
            SELECT b.member_id, min(b.period) FROM dues_duesbill b
            WHERE b.status IN ('unpaid', 'partial') AND b.period <= %s
            GROUP BY b.member_id HAVING min(b.period) <= %s""",
            [f"{today:%Y-%m}", f"{today - relativedelta(months=3):%Y-%m}"])],
    }
    cadence = []
    for unit in ("month", "quarter", "year"):
        window = last_completed_window(unit, today)
        cadence.append(("""
            SELECT o.id, r.kind_id, count(mt.id) FILTER (WHERE mt.status = 'held') AS held
            FROM orgs_organization o
            JOIN meetings_cadencerule r ON r.org_type = o.org_type AND r.enabled AND r.unit = %s
            JOIN meetings_meetingkind k ON k.id = r.kind_id AND k.is_active
            LEFT JOIN meetings_meeting mt ON coalesce(mt.party_group_id, mt.org_id) = o.id AND mt.kind_id = r.kind_id
                 AND mt.meeting_date >= %s AND mt.meeting_date < %s AND mt.status IN ('held', 'planned')
            WHERE o.status = 'active' AND (o.established_on IS NULL OR o.established_on < %s)
            GROUP BY o.id, r.kind_id, r.min_count
            HAVING count(mt.id) FILTER (WHERE mt.status = 'held') < r.min_count""",
            [unit, window.start, window.end, window.start]))
    out["meetings.cadence_shortfall"] = cadence
    return out


def run_raw(statements: list[tuple[str, list]]) -> int:
    from django.db import connection

    rows = 0
    with connection.cursor() as cur:
        for sql, params in statements:
            cur.execute(sql, params)
            rows += len(cur.fetchall())
    return rows


# --- measuring ----------------------------------------------------------------------------------------


def _best(fn, repeat: int = 3) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def measure_checks(today: dt.date) -> list[dict[str, Any]]:
    from django.utils import timezone

    from dangjian.health.rules import OrgScope, ScanContext
    from dangjian.health.selectors import rule_settings

    raw = raw_checks(today)
    rows = []

    def evaluate(setting, ctx=None) -> int:
        # a fresh context: each rule alone pays for the aggregates it shares with others in a scan
        ctx = ctx or ScanContext(scope=OrgScope.everything(), today=today, now=timezone.now())
        return sum(1 for _ in setting.rule.evaluate(ctx, setting.params))

    settings = [s for s in rule_settings() if s.runs]
    for setting in settings:
        orm_s, found = _best(lambda s=setting: evaluate(s), repeat=2)
        raw_s, raw_rows = _best(lambda code=setting.code: run_raw(raw[code]), repeat=2)
        rows.append({"code": setting.code, "orm_s": orm_s, "found": found, "raw_s": raw_s, "raw_rows": raw_rows})
        _log(f"  {setting.code:<32} {orm_s:7.3f} s ({found:,})   raw {raw_s:7.3f} s ({raw_rows:,})")

    def together() -> int:  # as a scan runs them: one context, the shared aggregates read once
        ctx = ScanContext(scope=OrgScope.everything(), today=today, now=timezone.now())
        return sum(evaluate(s, ctx) for s in settings)

    shared_s, found = _best(together, repeat=2)
    _log(f"  all rules in one scan context     {shared_s:7.3f} s ({found:,})")
    rows.append({"code": "*", "orm_s": shared_s, "found": found})
    return rows


def measure_scan(today: dt.date, label: str) -> dict[str, Any]:
    from dangjian.health.services import findings_scan

    started = time.perf_counter()
    result = findings_scan(today=today, audit=False)
    seconds = time.perf_counter() - started
    rules = sum(r.seconds for r in result.runs)
    _log(f"  scan ({label}): {seconds:.2f} s — rules {rules:.2f} s, rollups {seconds - rules:.2f} s; "
         f"{result.totals()}")
    if not result.ok:
        raise SystemExit(f"scan failed: {[r.error for r in result.runs if r.error]}")
    return {"seconds": seconds, "rules_s": rules, "rollups": result.rollups, "totals": result.totals(),
            "per_rule": {r.code: r.seconds for r in result.runs}}


def measure_monitor(repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from dangjian.accounts.models import User
    from dangjian.accounts.services import resolve_role, role_grant, user_create
    from dangjian.health.selectors import monitor_table
    from dangjian.orgs.models import Organization

    root = Organization.objects.filter(depth=1).order_by("path").first()
    user = User.objects.filter(username="bench_jiankong").first()
    if user is None:
        user = user_create(actor=None, username="bench_jiankong", password=None)
        role_grant(actor=None, user=user, role=resolve_role("branch_secretary"), org=root, scope="subtree")
    user = User.objects.get(pk=user.pk)
    selector, page, raw = [], [], []
    client = Client()
    client.force_login(user)
    url = f"/health/monitor/?org={root.code}"
    assert client.get(url).status_code == 200
    rows = len(monitor_table(actor=user, org=root).rows)
    for _ in range(repeat):
        fresh = User.objects.get(pk=user.pk)  # no cached grants
        started = time.perf_counter()
        monitor_table(actor=fresh, org=root)
        selector.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("""
                SELECT o.id, o.code, o.name, r.members_total, r.members_full, r.members_probationary, r.by_rule,
                       r.cadence, r.dues_due, r.dues_paid, r.findings_critical, r.findings_warning
                FROM orgs_organization o LEFT JOIN health_orgrollup r ON r.org_id = o.id AND r.kind = 'subtree'
                WHERE o.path >= %s AND o.path < %s AND o.depth = %s ORDER BY o.path""",
                        [root.path, root.path[:-1] + chr(ord(root.path[-1]) + 1), root.depth + 1])
            cur.fetchall()
        raw.append((time.perf_counter() - started) * 1000)

    def stats(values: list[float]) -> dict[str, float]:
        return {"p50": statistics.median(values), "p95": _pct(values, 95)}

    return {"root": root.code, "rows": rows, "selector": stats(selector), "page": stats(page), "raw": stats(raw)}


# --- report -------------------------------------------------------------------------------------------


def report(info: dict[str, Any], checks: list[dict], cold: dict, warm: dict, monitor: dict) -> str:
    def verdict(ok: bool, target: str) -> str:
        return f"{target} {'met' if ok else 'MISSED'}"

    lines = ["| measure | dangjian | hand-written SQL | ratio | target |", "|---|---|---|---|---|"]
    shared = next(c for c in checks if c["code"] == "*")
    checks = [c for c in checks if c["code"] != "*"]
    raw_total = sum(c["raw_s"] for c in checks)
    for c in checks:
        ratio = c["orm_s"] / c["raw_s"] if c["raw_s"] else float("nan")
        lines.append(f"| check `{c['code']}` ({c['found']:,} found) | {c['orm_s'] * 1000:,.0f} ms | "
                     f"{c['raw_s'] * 1000:,.0f} ms ({c['raw_rows']:,} rows) | {ratio:.2f}× | |")
    lines.append(f"| all checks in one scan context (shared aggregates read once), nothing written | "
                 f"{shared['orm_s']:.2f} s | {raw_total:.2f} s | {shared['orm_s'] / raw_total:.2f}× | |")
    for label, scan in (("cold: empty findings table", cold), ("warm: nightly steady state", warm)):
        lines.append(f"| full scan, {label} ({scan['totals']['produced']:,} findings, {scan['rollups']:,} rollups) | "
                     f"{scan['seconds']:.2f} s (rules {scan['rules_s']:.2f} s + rollups "
                     f"{scan['seconds'] - scan['rules_s']:.2f} s) | {raw_total:.2f} s (checks only, nothing written) | "
                     f"{scan['seconds'] / raw_total:.2f}× | {verdict(scan['seconds'] <= TARGET_SCAN_S, '≤ 10 s')} |")
    m = monitor
    lines.append(f"| monitoring table of the root {m['root']} ({m['rows']} rows), selector p50 / p95 | "
                 f"{m['selector']['p50']:.1f} / {m['selector']['p95']:.1f} ms | {m['raw']['p50']:.1f} / "
                 f"{m['raw']['p95']:.1f} ms | {m['selector']['p95'] / m['raw']['p95']:.1f}× | "
                 f"{verdict(m['selector']['p95'] <= TARGET_MONITOR_MS, '≤ 100 ms')} |")
    lines.append(f"| monitoring table page (HTTP, rendered), p50 / p95 | {m['page']['p50']:.1f} / "
                 f"{m['page']['p95']:.1f} ms | | | {verdict(m['page']['p95'] <= TARGET_MONITOR_MS, '≤ 100 ms')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default="dangjian_bench", help="the database bench/run.py built")
    parser.add_argument("--db", default="health_bench", help="the copy this benchmark works on")
    parser.add_argument("--fresh", action="store_true", help="copy the source again")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    started = dt.datetime.now().astimezone()
    copy_database(args.source, args.db, args.fresh)
    setup_django(args.db)
    from django.db import connection
    from django.utils import timezone

    from dangjian.health.models import Finding, OrgRollup
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    today = args.today or timezone.localdate()
    meetings = seed_meetings(today)
    members, orgs = Member.objects.count(), Organization.objects.count()
    _log(f"{members:,} members, {orgs:,} organisations, {meetings:,} meetings")
    _log("checks (evaluation only) beside hand-written SQL …")
    checks = measure_checks(today)
    Finding.objects.all().delete()
    OrgRollup.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE health_finding")
        cur.execute("VACUUM ANALYZE health_orgrollup")
    _log("full scan …")
    cold = measure_scan(today, "cold")
    with connection.cursor() as cur:
        cur.execute("ANALYZE health_finding")
        cur.execute("ANALYZE health_orgrollup")
    warm = measure_scan(today, "warm")
    _log("monitoring table …")
    monitor = measure_monitor(args.repeat)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    info = {"members": members, "orgs": orgs, "meetings": meetings}
    table = report(info, checks, cold, warm, monitor)
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with other work; "
               f"Python {platform.python_version()}, PostgreSQL {pg}; load average at start "
               + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    section = (f"## {started:%Y-%m-%d %H:%M %Z} — Health (组织健康监测): {members:,} members, {orgs:,} organisations, "
               f"{meetings:,} meetings\n\n"
               f"`bench/health_bench.py` on a copy of the `bench/run.py` enterprise (PostgreSQL `{args.source}` → "
               f"`{args.db}`), as of {today}. Machine: {machine}.\n\n{table}\n\n"
               "The monitoring table reads the rollup rows the scan keeps (`health.OrgRollup`): its cost is the "
               "number of children shown, not the size of the subtree. The hand-written checks return the same "
               "rows as the rules but write nothing; the full scan also upserts/resolves the findings and rebuilds "
               "every org's rollup row.\n")
    print("\n" + section)
    if not args.no_results:
        text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
        RESULTS.write_text(text.rstrip("\n") + "\n\n" + section.strip("\n") + "\n", encoding="utf-8")
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
