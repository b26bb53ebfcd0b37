#!/usr/bin/env python3
"""Monthly dues bills for N members (issue #3 target: 1,000,000 members ≤ 60 s), on PostgreSQL.

    .venv/bin/python bench/dues_bench.py [--members 1000000] [--branches 1000] [--keep]

Builds a throwaway database (``DANGJIAN_BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432/dues_bench``):
migrations, an org tree through the services, then members and dues profiles with set-based SQL (the
register's own bulk path is benchmarked elsewhere; here only the dues work is timed). Then it times,
through the real services and selectors:

1. ``bills_generate`` for one month over everyone (streamed read, batched INSERTs);
2. the same call again (idempotent: creates nothing);
3. ``collection_rate`` for the root (one aggregate query) and for the root's children;
4. the first page of ``arrears_list`` at a later date.

Prints one line per step (seconds, rows/s) and a summary line. Wall-clock only: no assertions.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dues_bench"


def _recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _step(label: str, seconds: float, rows: int | None = None) -> None:
    rate = f"  {rows / seconds:>12,.0f} rows/s" if rows and seconds > 0 else ""
    print(f"{label:<48} {seconds:>8.2f} s{rate}")


def _build_tree(branches: int):
    from dangjian.orgs.models import Organization
    from dangjian.orgs.services import org_create

    per_committee = 50
    root = org_create(actor=None, parent=None, name="集团党委", code="G", org_type="committee")
    made = 0
    c = 0
    while made < branches:
        c += 1
        committee = org_create(actor=None, parent=Organization.objects.get(pk=root.pk), name=f"二级党委{c}",
                               code=f"C{c}", org_type="committee")
        for b in range(min(per_committee, branches - made)):
            org_create(actor=None, parent=Organization.objects.get(pk=committee.pk), name=f"支部{c}-{b}",
                       code=f"C{c}B{b}", org_type="branch")
            made += 1
    return Organization.objects.get(pk=root.pk)


def _seed_members(n: int) -> None:
    """Members spread over the branches, and their dues profiles: 80% in service (bases 1,500–25,000,
    two decimals), 12% retired, 8% fixed-amount categories. One INSERT … SELECT each."""
    from django.db import connection

    from dangjian.core.crypto import encrypt

    token = encrypt("11010119800101001X")  # one real ciphertext: pages that load members can decrypt it
    with connection.cursor() as cur:
        cur.execute("SELECT array_agg(id ORDER BY id) FROM orgs_organization WHERE org_type = 'branch'")
        (branch_ids,) = cur.fetchone()
        cur.execute(
            """
            INSERT INTO members_member (created_at, updated_at, name, gender, ethnicity, birth_date, id_number,
                id_number_bidx, id_number_tail, phone, phone_bidx, education, job_title, category, joined_on,
                full_member_on, status, org_id)
            SELECT now(), now(), '党员' || g, CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END, '汉族', DATE '1980-01-01',
                %s, 'bench-' || g, lpad((g %% 10000)::text, 4, '0'), '', '', '', '', 'full',
                DATE '2005-07-01', DATE '2006-07-01', 'normal', (%s::bigint[])[1 + g %% %s]
            FROM generate_series(1, %s) AS g
            """,
            [token, branch_ids, len(branch_ids), n],
        )
        cur.execute(
            """
            INSERT INTO dues_duesprofile (created_at, updated_at, member_id, category, declared_base, declared_on,
                base_amount, base_year)
            SELECT now(), now(), m.id, c.category, c.base, DATE '2024-01-01', c.base, 2024
            FROM members_member m
            CROSS JOIN LATERAL (
                SELECT CASE WHEN m.id % 100 < 80 THEN 'in_service'
                            WHEN m.id % 100 < 92 THEN 'retired'
                            WHEN m.id % 100 < 94 THEN 'farmer'
                            WHEN m.id % 100 < 96 THEN 'student'
                            WHEN m.id % 100 < 98 THEN 'unemployed'
                            ELSE 'low_income' END AS category,
                       CASE WHEN m.id % 100 < 92 THEN round((1500 + (m.id * 7919 % 2350000) / 100.0)::numeric, 2)
                            END AS base
            ) c
            """
        )
        cur.execute("ANALYZE members_member; ANALYZE dues_duesprofile; ANALYZE orgs_organization;")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    url = os.environ.get("DANGJIAN_BENCH_PG", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DANGJIAN_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dangjian.accounts.services import resolve_role, role_grant, user_create
    from dangjian.dues.selectors import arrears_list, collection_rate, collection_rates
    from dangjian.dues.services import bills_generate
    from dangjian.orgs.selectors import org_children

    print(f"dues bench: {args.members:,} members, {args.branches:,} branches, {connection.vendor} ({url})")
    try:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        _step("migrate", time.perf_counter() - t)
        t = time.perf_counter()
        root = _build_tree(args.branches)
        _step("org tree (services)", time.perf_counter() - t)
        t = time.perf_counter()
        _seed_members(args.members)
        _step("members + profiles (INSERT … SELECT)", time.perf_counter() - t, args.members)
        admin = user_create(actor=None, username="bench", password=None)
        role_grant(actor=None, user=admin, role=resolve_role("sysadmin"), org=None, scope="all")

        t = time.perf_counter()
        run = bills_generate(actor=None, period="2024-03")
        generate = time.perf_counter() - t
        _step(f"bills_generate 2024-03 (created {run.created:,})", generate, run.created)

        t = time.perf_counter()
        again = bills_generate(actor=None, period="2024-03")
        _step(f"bills_generate again (created {again.created:,})", time.perf_counter() - t)

        t = time.perf_counter()
        rate = collection_rate(actor=admin, org=root, period="2024-03")
        _step(f"collection_rate root ({rate.bills:,} bills, due {rate.due})", time.perf_counter() - t)

        children = list(org_children(actor=admin, org=root, perm="dues.view"))
        t = time.perf_counter()
        collection_rates(actor=admin, orgs=children, period="2024-03")
        _step(f"collection_rates of {len(children)} children (1 query)", time.perf_counter() - t)

        import datetime as dt

        t = time.perf_counter()
        page = list(arrears_list(actor=admin, org=root, as_of=dt.date(2024, 6, 15), min_level="warn")[:50])
        _step(f"arrears_list first page ({len(page)} rows)", time.perf_counter() - t)

        per_million = generate * 1_000_000 / max(run.created, 1)
        verdict = "OK" if per_million <= 60 else "OVER TARGET"
        print(f"RESULT dues bills: {run.created:,} bills in {generate:.1f} s ({run.created / generate:,.0f}/s); "
              f"1,000,000 at this rate: {per_million:.0f} s (target ≤ 60 s): {verdict}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        connection.close()
        if not args.keep:
            _drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
