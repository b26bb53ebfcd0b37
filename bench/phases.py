"""The two halves of the benchmark, each run in its own process by ``bench/run.py`` with Django set
up for one database: ``build`` (demo enterprise + raw-SQL copy baseline + audit log) and
``measure`` (counts, member list, audit verify — each beside its hand-written SQL / hashlib twin).

Each phase prints one JSON object on its last line of stdout.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import statistics
import sys
import time
from typing import Any

import django

AUDIT_SEED = 20240701


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _progress():
    last = {"stage": None, "shown": 0.0}

    def show(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if stage != last["stage"] or share - last["shown"] >= 0.1 or done == total:
            last.update(stage=stage, shown=share)
            _log(f"  {stage:<8} {done:>10,} / {total:,}")

    return show


# -- build ---------------------------------------------------------------------------------------
def build(*, members: int, orgs: int, audit_entries: int, workers: int | None) -> dict[str, Any]:
    django.setup()
    from django.core.management import call_command

    from dangjian.demo.builder import build_demo

    _log("migrate …")
    call_command("migrate", verbosity=0)
    _log(f"demo build: {members:,} members, ~{orgs:,} organisations …")
    result = build_demo(members=members, target_orgs=orgs, workers=workers, progress=_progress())
    _log(f"  {result.seconds:.1f} s, {result.rate:,.0f} members/s; "
         + ", ".join(f"{k} {v:.1f} s" for k, v in result.stages.items()))
    copy_seconds = raw_copy_members()
    _log(f"raw SQL copy of the member table: {copy_seconds:.1f} s")
    _log(f"audit log: {audit_entries:,} entries …")
    fill_seconds = fill_audit(audit_entries)
    return {
        "members": result.members, "orgs": result.orgs, "units": result.units, "terms": result.terms,
        "seats": result.seats, "counts": result.counts, "workers": result.workers,
        "build_seconds": result.seconds, "build_rate": result.rate, "build_cpu_rate": result.cpu_rate,
        "build_stages": result.stages,
        "load": os.getloadavg()[0],
        "raw_copy_seconds": copy_seconds, "raw_copy_rate": result.members / copy_seconds,
        "audit_fill_seconds": fill_seconds, "audit_entries": audit_entries,
    }


def raw_copy_members() -> float:
    """Hand-written SQL twin of the build: ``INSERT … SELECT`` of the same member rows into a copy of
    the table with the same indexes (the database's own cost of writing those rows), rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TEMP TABLE bench_member_copy (LIKE members_member INCLUDING ALL)")
        else:
            cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'members_member' "
                           "AND sql IS NOT NULL ORDER BY type DESC")
            for kind, name, sql in cursor.fetchall():
                sql = sql.replace('"members_member"', '"bench_member_copy"', 1)
                if kind == "index":
                    sql = sql.replace(f'"{name}"', f'"bench_copy_{name}"', 1)
                cursor.execute(sql)
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_member_copy SELECT * FROM members_member")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def fill_audit(count: int, batch: int = 5000) -> float:
    """Appends *count* realistic entries (member updates, reveals, sign-ins) exactly as
    ``audit.services.record`` would chain them — same fields, same ``entry_digest``, same JSON
    round trip — but inserted in batches. Deterministic content, real timestamps."""
    from django.db import transaction
    from django.utils import timezone

    from dangjian.audit.models import AuditChainHead, AuditEntry
    from dangjian.audit.services import entry_digest
    from dangjian.members.models import Member

    rng = random.Random(AUDIT_SEED)
    sample = list(Member.objects.order_by("pk").values_list("pk", "name", "org__path", "status", "job_title")[:5000])
    started = time.perf_counter()
    base = timezone.now() - dt.timedelta(days=365)
    done = 0
    while done < count:
        n = min(batch, count - done)
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            seq, prev = head.last_seq, head.last_hash
            objs = []
            for i in range(n):
                seq += 1
                pk, name, path, status, title = sample[rng.randrange(len(sample))]
                kind = rng.random()
                if kind < 0.6:
                    action, before, after = "members.update", {"status": status, "job_title": title}, {
                        "status": rng.choice(["normal", "mobile", "lost"]), "job_title": rng.choice(["工程师", "主任", "班长"])}
                elif kind < 0.85:
                    action, before, after = "members.reveal", None, {"field": rng.choice(["id_number", "phone"])}
                else:
                    action, before, after = "accounts.login", None, None
                values = {
                    "seq": seq,
                    "created_at": base + dt.timedelta(microseconds=(done + i) * 157_301 + rng.randrange(1000)),
                    "actor_id": rng.randrange(1, 500), "actor_name": f"user{rng.randrange(1, 500):03d}",
                    "action": action, "target_type": "members.member", "target_id": str(pk), "target_repr": name,
                    "org_path": path, "before": before, "after": after,
                    "reason": rng.choice(["", "", "年度信息核对", "组织关系转接"]),
                    "request_id": f"{rng.getrandbits(128):032x}",
                    "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" if kind < 0.9 else None,
                    "channel": rng.choice(["web", "web", "api"]), "algorithm": "sha256", "prev_hash": prev,
                }
                values["hash"] = prev = entry_digest(values)
                objs.append(AuditEntry(**values))
            AuditEntry.objects.bulk_create(objs, batch_size=1000)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
        done += n
    return time.perf_counter() - started


# -- measure -------------------------------------------------------------------------------------
def _timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds (this process only, not the database server) of *repeat* calls."""
    fn()  # warm the caches
    wall, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return wall, cpu


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _stats(timed: tuple[list[float], list[float]]) -> dict[str, float]:
    wall, cpu = timed
    return {"p50": _p(wall, 50), "p95": _p(wall, 95), "cpu_p50": _p(cpu, 50), "n": len(wall)}


def measure(*, repeat: int) -> dict[str, Any]:
    django.setup()
    from django.db import connection
    from django.test import Client

    from dangjian.accounts.models import User
    from dangjian.accounts.services import apitoken_create, resolve_role, role_grant, user_create
    from dangjian.core.pagination import encode_cursor
    from dangjian.core.scoping import next_prefix
    from dangjian.members.selectors import member_list
    from dangjian.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    # mid level: the depth-3 committee with the most members below it (a second-level subsidiary)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.id, COUNT(*) FROM orgs_organization o JOIN orgs_organization b ON b.path >= o.path "
            "AND b.path < o.path || '~' JOIN members_member m ON m.org_id = b.id WHERE o.depth = 3 "
            "AND o.org_type = 'committee' GROUP BY o.id ORDER BY 2 DESC, 1 LIMIT 1")
        row = cursor.fetchone()
    mid = Organization.objects.get(pk=row[0]) if row else Organization.objects.filter(depth=2).last()

    def user(username: str, role: str, org: Organization):
        existing = User.objects.filter(username=username).first()
        if existing is None:
            existing = user_create(actor=None, username=username, password=None)
            role_grant(actor=None, user=existing, role=resolve_role(role), org=org, scope="subtree")
        _token, plaintext = apitoken_create(actor=None, user=existing, name="bench")
        return User.objects.get(pk=existing.pk), plaintext

    org_dept, org_dept_token = user("bench_zuzhibu", "org_dept", root)
    secretary, secretary_token = user("bench_dangwei", "committee_secretary", mid)

    out: dict[str, Any] = {"root": {"code": root.code, "name": root.name},
                           "mid": {"code": mid.code, "name": mid.name, "depth": mid.depth}}

    # subtree member counts
    raw_count_sql = ("SELECT COUNT(*) FROM members_member m JOIN orgs_organization o ON o.id = m.org_id "
                     "WHERE o.path >= %s AND o.path < %s")
    for label, actor, org in (("root", org_dept, root), ("mid", secretary, mid)):
        orm_n = member_list(actor=actor, org=org).count()
        with connection.cursor() as cursor:
            cursor.execute(raw_count_sql, [org.path, next_prefix(org.path)])
            raw_n = cursor.fetchone()[0]
        assert orm_n == raw_n, (label, orm_n, raw_n)

        def orm(actor=actor, org=org):
            return member_list(actor=actor, org=org).count()

        def raw(org=org):
            with connection.cursor() as cursor:
                cursor.execute(raw_count_sql, [org.path, next_prefix(org.path)])
                return cursor.fetchone()[0]

        out[f"count_{label}"] = {"members": orm_n, "orm": _stats(_timed(orm, max(5, repeat // 4))),
                                 "raw": _stats(_timed(raw, max(5, repeat // 4)))}
        _log(f"count {label}: {orm_n:,} members")

    # member list, first and deep page, through the REST API
    raw_list_sql = (
        "SELECT m.id, m.name, m.gender, m.category, m.status, m.joined_on, m.id_number, m.phone, m.party_group_id, "
        "o.id, o.code, o.name, g.code FROM members_member m JOIN orgs_organization o ON o.id = m.org_id "
        "LEFT JOIN orgs_organization g ON g.id = m.party_group_id WHERE o.path >= %s AND o.path < %s AND m.id > %s "
        "ORDER BY m.id LIMIT 51")
    client = Client()
    for label, token, org, total in (("mid", secretary_token, mid, out["count_mid"]["members"]),
                                     ("root", org_dept_token, root, out["count_root"]["members"])):
        with connection.cursor() as cursor:
            cursor.execute("SELECT m.id FROM members_member m JOIN orgs_organization o ON o.id = m.org_id "
                           "WHERE o.path >= %s AND o.path < %s ORDER BY m.id LIMIT 1 OFFSET %s",
                           [org.path, next_prefix(org.path), int(total * 0.9)])
            deep_after = cursor.fetchone()[0]
        for page, after in (("first", 0), ("deep", deep_after)):
            query = f"/api/v1/members?org={org.code}&limit=50" + (f"&cursor={encode_cursor(after)}" if after else "")

            def api(query=query, token=token):
                response = client.get(query, headers={"authorization": f"Bearer {token}"})
                assert response.status_code == 200, (response.status_code, response.content[:300])
                assert len(response.json()["items"]) == 50
                return response

            def raw(org=org, after=after):
                with connection.cursor() as cursor:
                    cursor.execute(raw_list_sql, [org.path, next_prefix(org.path), after])
                    rows = cursor.fetchall()
                assert len(rows) == 51
                return rows

            out[f"list_{label}_{page}"] = {"api": _stats(_timed(api, repeat)), "raw": _stats(_timed(raw, repeat)),
                                           "path": query}
        _log(f"list {label}: done")

    # audit verify vs hashing the same canonical bytes with hashlib alone
    from dangjian.audit.models import AuditEntry
    from dangjian.audit.services import HASHED_FIELDS, canonical_bytes
    from dangjian.audit.verify import verify_chain

    started, cpu_started = time.perf_counter(), time.process_time()
    result = verify_chain()
    verify_seconds, verify_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert result.ok, result
    fields = (*HASHED_FIELDS, "hash")
    blobs = []
    for row in AuditEntry.objects.order_by("seq").values_list(*fields).iterator(chunk_size=5000):
        values = dict(zip(fields, row, strict=True))
        if values["ip"] is not None:
            values["ip"] = str(values["ip"])
        blobs.append(canonical_bytes(values))
    started = time.perf_counter()
    for blob in blobs:
        hashlib.sha256(blob).hexdigest()
    hash_seconds = time.perf_counter() - started
    out["audit_verify"] = {"entries": result.checked, "verify_seconds": verify_seconds, "verify_cpu": verify_cpu,
                           "hash_seconds": hash_seconds, "bytes": sum(map(len, blobs))}
    out["load"] = os.getloadavg()[0]
    _log(f"audit verify: {result.checked:,} entries in {verify_seconds:.2f} s")
    return out


def main() -> None:
    phase = sys.argv[1]
    args = json.loads(sys.argv[2])
    result = build(**args) if phase == "build" else measure(**args)
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
