"""Builds the demo enterprise into the database: a planned org and unit tree, committee terms and
seats, and the members, streamed branch by branch in batches.

The write path is the validated bulk path of the register, made fast:

- organisations, units, mappings and terms: treebeard paths computed in the plan, every node
  checked against ``ALLOWED_PARENTS``, every row against the model's field rules
  (:class:`dangjian.core.rowrules.FieldRules`) and a sample through ``full_clean`` itself;
- members: every row checked by :class:`dangjian.members.rules.MemberRules` (the rules of
  ``members.services.validate_member``), every ``sample_every``-th row — every row with
  ``strict=True`` — also by ``validate_member`` itself; ID number and phone encrypted and
  blind-indexed exactly as ``core.crypto`` does (checked against it before the build);
- rows go in with explicit keys, one statement per batch (``executemany`` / ``COPY``); for a large
  build into an empty register the member table's secondary indexes are built, and its foreign keys
  checked, once at the end (:func:`dangjian.demo.writer.bulk_load`);
- one audit entry per batch of every kind (``members.bulk_create``, ``orgs.bulk_create`` ...) and a
  closing ``demo.build`` entry with the seed and the counts.

Member rows are prepared (generated, checked, encrypted) in this process or in worker processes
(``workers``); the data is identical either way. Everything runs in one transaction: a failed build
leaves the database as it was.
"""
from __future__ import annotations

import collections
import datetime as dt
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import crypto, events
from dangjian.core.errors import DomainError, FieldError, errors_from_django
from dangjian.core.rowrules import FieldRules
from dangjian.demo import worker
from dangjian.demo.people import COMMITTEE_POSITIONS, BranchSpec
from dangjian.demo.plan import Plan, plan_enterprise
from dangjian.demo.writer import (
    allocate_ids,
    bulk_load,
    check_foreign_keys,
    insert_rows,
    sqlite_build_pragmas,
    stored_datetime,
)
from dangjian.members.events import MembersChanged
from dangjian.members.models import CommitteeSeat, Member
from dangjian.members.services import validate_member
from dangjian.orgs.choices import ALLOWED_PARENTS, OrgStatus, OrgType
from dangjian.orgs.events import OrgsChanged
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping
from dangjian.orgs.services import term_years_for
from dangjian.orgs.snapshots import OrgInfo

__all__ = ["DEFAULT_SEED", "BuildResult", "DemoError", "build_demo"]

DEFAULT_SEED = 20240701
PARALLEL_FROM = 50_000        # members; below this, worker processes cost more than they save
BULK_LOAD_FROM = 50_000       # members; below this, building indexes and checking references at the end does not pay
_TREE_FIELDS = ["path", "depth", "numchild"]
_MEMBER_COLUMNS = (
    "id", "created_at", "updated_at", "name", "gender", "ethnicity", "birth_date", "id_number", "id_number_bidx",
    "id_number_tail", "phone", "phone_bidx", "education", "job_title", "unit_id", "hire_date", "category",
    "joined_on", "full_member_on", "org_id", "party_group_id", "status", "user_id",
)
_SEAT_COLUMNS = ("id", "created_at", "updated_at", "term_id", "member_id", "position", "since", "until")
_ORG_COLUMNS = (
    "path", "depth", "numchild", "name", "short_name", "code", "org_type", "is_joint", "established_on",
    "approval_doc", "approval_date", "status", "dissolved_on", "contact_person", "contact_phone", "region",
    "latitude", "longitude",
)
_UNIT_COLUMNS = ("path", "depth", "numchild", "name", "code", "unit_type", "is_legal_entity", "credit_code")
_TERM_COLUMNS = ("org_id", "number", "start_date", "term_years", "end_date", "is_current")
_MAPPING_COLUMNS = ("org_id", "unit_id", "valid_from", "valid_to")

Progress = Callable[[str, int, int], None]


class DemoError(Exception):
    pass


@dataclass
class BuildResult:
    seed: int
    today: dt.date
    members: int = 0
    orgs: int = 0
    units: int = 0
    mappings: int = 0
    terms: int = 0
    seats: int = 0
    audit_entries: int = 0
    checked_by_service: int = 0
    workers: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0      # this process and its worker processes (not the database server)
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds per stage
    counts: dict[str, int] = field(default_factory=dict)
    group_name: str = ""
    root_id: int | None = None

    @property
    def rate(self) -> float:
        return self.members / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        """Members per CPU-second of the building processes: the rate on an otherwise idle machine
        with one core per process, whatever else was running."""
        return self.members / self.cpu_seconds if self.cpu_seconds else 0.0


class _Build:
    def __init__(self, *, plan: Plan, batch_size: int, strict: bool, sample_every: int, workers: int,
                 progress: Progress | None, actor: Any) -> None:
        self.plan = plan
        self.seed = plan.seed
        self.today = plan.today
        self.batch_size = batch_size
        self.strict = strict
        self.sample_every = max(1, sample_every)
        self.workers = workers
        self.progress = progress or (lambda stage, done, total: None)
        self.actor = actor
        self.result = BuildResult(seed=plan.seed, today=plan.today, counts=plan.counts(), workers=workers,
                                  group_name=plan.group_name)
        self.root_path = plan.orgs[0].path
        self.now = stored_datetime(timezone.now())
        self.pools: dict[int, list[int]] = {}  # committee / general branch idx → seat candidates (member ids)
        self.term_pk: dict[int, int] = {}      # org idx → its current term's pk

    def audit(self, action: str, after: dict[str, Any]) -> None:
        record(actor=self.actor, action=action, org_path=self.root_path, after=after,
               reason=f"演示数据（种子 {self.seed}）")
        self.result.audit_entries += 1

    # -- organisations, units, mappings, terms ---------------------------------------------------
    def write_checked(self, model: type[models.Model], columns: tuple[str, ...], rows: list[dict[str, Any]],
                      rules: FieldRules, *, action: str, stage: str | None = None,
                      exclude: list[str] | None = None, label: Callable[[dict], str] = lambda row: "") -> list[int]:
        """Checks every row (every 500th also with ``full_clean``), inserts in batches of 5000, one audit
        entry per batch; returns the new keys in row order."""
        pks: list[int] = []
        for start in range(0, len(rows), 5000):
            chunk = rows[start:start + 5000]
            for n, row in enumerate(chunk, start=start):
                problems = rules.errors(row)
                if problems or n % 500 == 0:
                    _full_clean(model(**row), exclude or [], label(row))
                if problems:
                    raise DomainError([FieldError(f"demo.{code}", name, f"{label(row)}: {code}") for name, code in problems])
            ids = allocate_ids(model, len(chunk))
            insert_rows(model, ("id", "created_at", "updated_at", *columns),
                        [(pk, self.now, self.now, *(row[c] for c in columns)) for pk, row in zip(ids, chunk, strict=True)])
            pks.extend(ids)
            after: dict[str, Any] = {"count": len(chunk)}
            if label(chunk[0]):
                after.update(first=label(chunk[0]), last=label(chunk[-1]))
            self.audit(action, after)
            if stage:
                self.progress(stage, start + len(chunk), len(rows))
        return pks

    def write_tree(self) -> None:
        plan = self.plan
        unit_rows = [{"path": u.path, "depth": u.depth, "numchild": u.numchild, "name": u.name, "code": u.code,
                      "unit_type": str(u.unit_type), "is_legal_entity": u.is_legal_entity, "credit_code": u.credit_code}
                     for u in plan.units]
        pks = self.write_checked(EnterpriseUnit, _UNIT_COLUMNS, unit_rows, FieldRules(EnterpriseUnit),
                                 action=AuditAction.UNITS_BULK_CREATED, stage="units", exclude=_TREE_FIELDS,
                                 label=lambda row: row["code"])
        for node, pk in zip(plan.units, pks, strict=True):
            node.pk = pk
        self.result.units = len(pks)

        org_rows = []
        for node in plan.orgs:
            parent_type = plan.orgs[node.parent].org_type if node.parent is not None else None
            if parent_type not in ALLOWED_PARENTS[node.org_type]:
                raise DemoError(f"{node.code}: {node.org_type} under {parent_type} is not allowed")
            org_rows.append({
                "path": node.path, "depth": node.depth, "numchild": node.numchild, "name": node.name,
                "short_name": "", "code": node.code, "org_type": str(node.org_type), "is_joint": node.is_joint,
                "established_on": node.established_on, "approval_doc": node.approval_doc,
                "approval_date": node.established_on, "status": OrgStatus.ACTIVE.value, "dissolved_on": None,
                "contact_person": "", "contact_phone": node.contact_phone, "region": node.region_label,
                "latitude": node.latitude, "longitude": node.longitude,
            })
        pks = self.write_checked(Organization, _ORG_COLUMNS, org_rows, FieldRules(Organization),
                                 action=AuditAction.BULK_IMPORTED_ORGS, stage="orgs", exclude=_TREE_FIELDS,
                                 label=lambda row: row["code"])
        for node, pk in zip(plan.orgs, pks, strict=True):
            node.pk = pk
        self.result.orgs = len(pks)
        self.result.root_id = plan.orgs[0].pk

        org_keys = {node.pk for node in plan.orgs}
        mapping_rows = [{"org_id": node.pk, "unit_id": plan.units[u].pk, "valid_from": node.established_on,
                         "valid_to": None} for node in plan.orgs for u in node.units]
        self.write_checked(OrgUnitMapping, _MAPPING_COLUMNS, mapping_rows,
                           FieldRules(OrgUnitMapping, keys={"org_id": org_keys, "unit_id": {u.pk for u in plan.units}}),
                           action=AuditAction.ORG_UNITS_BULK_MAPPED)
        self.result.mappings = len(mapping_rows)

        with_terms = [node for node in plan.orgs if node.term is not None]
        term_rows = [{"org_id": node.pk, "number": node.term.number, "start_date": node.term.start_date,
                      "term_years": node.term.term_years, "end_date": node.term.end_date, "is_current": True}
                     for node in with_terms]
        pks = self.write_checked(CommitteeTerm, _TERM_COLUMNS, term_rows,
                                 FieldRules(CommitteeTerm, keys={"org_id": org_keys}),
                                 action=AuditAction.TERMS_BULK_CREATED)
        for node, pk in zip(with_terms, pks, strict=True):
            self.term_pk[node.idx] = pk
        self.result.terms = len(pks)

    # -- members ---------------------------------------------------------------------------------
    def config(self) -> worker.Config:
        plan = self.plan
        return worker.Config(
            seed=self.seed, today=self.today, members=plan.members, field_key=settings.FIELD_ENCRYPTION_KEY,
            blind_key=settings.BLIND_INDEX_KEY, sample_every=self.sample_every, strict=self.strict,
            orgs={n.pk: OrgInfo(n.pk, n.code, n.name, n.org_type, OrgStatus.ACTIVE.value, n.path, n.depth)
                  for n in plan.orgs},
            unit_ids=frozenset(u.pk for u in plan.units),
        )

    def chunks(self) -> Iterator[list[BranchSpec]]:
        plan = self.plan
        chunk: list[BranchSpec] = []
        size = first = 0
        for node in plan.orgs:
            if node.org_type != OrgType.BRANCH:
                continue
            chunk.append(BranchSpec(
                idx=node.idx, kind=node.kind, size=node.size, first=first, county_codes=node.region.county_codes,
                org_pk=node.pk, unit_pks=tuple(plan.units[u].pk for u in node.units),
                group_pks=tuple(plan.orgs[g].pk for g in node.groups),
            ))
            first += node.size
            size += node.size
            if size >= self.batch_size:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk

    def prepared(self, config: worker.Config) -> Iterator[worker.Prepared]:
        """Prepared chunks in plan order; with workers, at most two chunks per worker in flight."""
        if not self.workers:
            worker.init(config, setup_django=False)
            yield from map(worker.prepare, self.chunks())
            return
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(self.workers, initializer=worker.init, initargs=(config,)) as pool:
            inflight: collections.deque = collections.deque()
            chunks = self.chunks()
            for chunk in chunks:
                inflight.append(pool.apply_async(worker.prepare, (chunk,)))
                if len(inflight) >= 2 * self.workers:
                    yield inflight.popleft().get()
            while inflight:
                yield inflight.popleft().get()

    def write_members(self) -> None:
        _check_sealer()
        config = self.config()
        orgs = self.plan.orgs
        done = 0
        for prep in self.prepared(config):
            for row_no, row, problems in prep.failures[:1]:
                self.check_with_service(config, row_no, row)
                raise DomainError([FieldError(f"members.{code}", name, code, row=row_no) for name, code in problems])
            for row_no, row in prep.samples:
                self.check_with_service(config, row_no, row)
            ids = allocate_ids(Member, len(prep.rows))
            now = self.now
            insert_rows(Member, _MEMBER_COLUMNS, [(pk, now, now, *row) for pk, row in zip(ids, prep.rows, strict=True)])
            self.audit(AuditAction.BULK_IMPORTED_MEMBERS, {"count": len(ids), "org_count": len(prep.org_pks),
                                                           "first_id": ids[0], "last_id": ids[-1]})
            self.write_seats([(self.term_pk[b], ids[k], pos, orgs[b].term.start_date)  # type: ignore[union-attr]
                              for b, k, pos in prep.seats])
            for b, offsets in prep.seniors:
                parent = orgs[b].parent
                while parent is not None:
                    pool = self.pools.setdefault(parent, [])
                    for k in offsets:
                        if len(pool) < len(COMMITTEE_POSITIONS) and ids[k] not in pool:
                            pool.append(ids[k])
                    parent = orgs[parent].parent
            done += len(ids)
            self.progress("members", done, self.plan.members)
        self.result.members = done

    def check_with_service(self, config: worker.Config, row_no: int, row: dict[str, Any]) -> None:
        """The register's own ``validate_member`` on a sampled row (every row when strict), and to word
        the errors of a row the fast rules rejected."""
        self.result.checked_by_service += 1
        member = Member(**{k: v for k, v in row.items() if k not in ("org_id", "party_group_id")})
        member.org = _org_instance(config, row["org_id"])
        if row["party_group_id"] is not None:
            member.party_group = _org_instance(config, row["party_group_id"])
        errors = validate_member(member, today=self.today)
        if errors:
            raise DomainError([FieldError(e.code, e.field, e.message, row=row_no) for e in errors])

    # -- committee seats -------------------------------------------------------------------------
    def write_seats(self, seats: list[tuple[int, int, str, dt.date]]) -> None:
        if not seats:
            return
        ids = allocate_ids(CommitteeSeat, len(seats))
        now = self.now
        insert_rows(CommitteeSeat, _SEAT_COLUMNS,
                    [(pk, now, now, term, member, pos, since, None)
                     for pk, (term, member, pos, since) in zip(ids, seats, strict=True)])
        self.result.seats += len(seats)
        self.audit(AuditAction.SEATS_BULK_ASSIGNED, {"count": len(seats)})

    def write_committee_seats(self) -> None:
        seats = []
        for node in self.plan.orgs:
            pool = self.pools.get(node.idx)
            if pool and node.term is not None:
                seats.extend((self.term_pk[node.idx], member, pos, node.term.start_date)
                             for pos, member in zip(COMMITTEE_POSITIONS, pool, strict=False))
        for start in range(0, len(seats), self.batch_size):
            self.write_seats(seats[start:start + self.batch_size])

    def run(self, lap: Callable[[str], None]) -> BuildResult:
        self.write_tree()
        lap("tree")
        big = self.plan.members >= BULK_LOAD_FROM and not Member.objects.exists()
        with bulk_load(Member, enabled=big):
            self.write_members()
            lap("members")
        lap("indexes")
        self.write_committee_seats()
        lap("seats")
        bad = check_foreign_keys([EnterpriseUnit, Organization, OrgUnitMapping, CommitteeTerm, Member, CommitteeSeat])
        if bad:
            raise DemoError(f"dangling references after the build: {bad[:3]}")
        lap("checks")
        res = self.result
        self.audit(AuditAction.DEMO_BUILT, {
            "seed": self.seed, "today": self.today.isoformat(), "members": res.members, "orgs": res.orgs,
            "units": res.units, "terms": res.terms, "seats": res.seats, "by_type": res.counts,
            "group": self.plan.group_name, "validated_by_service": res.checked_by_service,
        })
        return res

    def publish(self) -> None:
        """One event for the whole build, not one per batch: subscribers (health re-checks) see the
        enterprise once; above their own limits they leave it to their nightly full run."""
        events.publish(OrgsChanged(org_ids=tuple(node.pk for node in self.plan.orgs)))
        events.publish(MembersChanged(org_ids=tuple(n.pk for n in self.plan.branches)))


def _full_clean(obj: models.Model, exclude: list[str], label: str) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise DomainError([FieldError(e.code, e.field, f"{label}: {e.message}")
                           for e in errors_from_django(exc, prefix="demo")])


def _org_instance(config: worker.Config, pk: int) -> Organization:
    info = config.orgs[pk]
    return Organization(pk=pk, code=info.code, name=info.name, org_type=info.org_type, status=info.status,
                        path=info.path, depth=info.depth)


def _check_sealer() -> None:
    """The worker's encryption and blind index must be exactly ``core.crypto``'s."""
    sealer = worker.Sealer(settings.FIELD_ENCRYPTION_KEY, settings.BLIND_INDEX_KEY)
    sample = "11010519491231002X"
    if crypto.decrypt(sealer.encrypt(sample)) != sample or \
            sealer.blind_index("id_number", sample) != crypto.blind_index("id_number", sample):
        raise DemoError("demo.worker.Sealer no longer matches core.crypto")


def default_workers(members: int) -> int:
    return 0 if members < PARALLEL_FROM else max(1, min(4, os.cpu_count() or 1))


def build_demo(*, members: int = 3000, seed: int = DEFAULT_SEED, today: dt.date | None = None,
               target_orgs: int | None = None, orgs_per_branch: float | None = None, batch_size: int = 10_000, strict: bool = False,
               sample_every: int = 1000, workers: int | None = None, progress: Progress | None = None,
               actor: Any = None) -> BuildResult:
    """Builds the demo enterprise into an empty organisation tree and returns what was written.

    The same *seed* and *today* give the same enterprise, names and ID numbers (whatever the number
    of *workers*). Refuses to run when any organisation exists. Audit: one entry per batch, then
    ``demo.build``.
    """
    if members < 3:
        raise DemoError("the demo needs at least 3 members")
    if Organization.objects.exists():
        raise DemoError("the database already holds organisations; build the demo into an empty database")
    today = today or timezone.localdate()
    workers = default_workers(members) if workers is None else workers
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    stages: dict[str, float] = {}
    last = [started]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    term_years = {t: term_years_for(t) for t in (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)}
    plan = plan_enterprise(members=members, seed=seed, today=today, term_years=term_years, target_orgs=target_orgs,
                           orgs_per_branch=orgs_per_branch)
    lap("plan")
    build = _Build(plan=plan, batch_size=batch_size, strict=strict, sample_every=sample_every, workers=workers,
                   progress=progress, actor=actor)
    with sqlite_build_pragmas(), transaction.atomic():
        result = build.run(lap)
    lap("commit")
    _refresh_statistics()
    lap("statistics")
    result.seconds = time.perf_counter() - started
    result.cpu_seconds = _cpu_seconds() - cpu_started
    result.stages = stages
    build.publish()  # after commit (or with the caller's): what subscribers do is not the build's time
    return result


def _refresh_statistics() -> None:
    """Planner statistics for the loaded tables, so the first queries get good plans. On PostgreSQL
    outside a transaction also VACUUM the big ones: it sets the visibility map that index-only scans
    (subtree counts) rely on, which autovacuum would otherwise do at some later moment."""
    tables = [connection.ops.quote_name(m._meta.db_table)
              for m in (Member, CommitteeSeat, Organization, CommitteeTerm, EnterpriseUnit, OrgUnitMapping)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            vacuum = not connection.in_atomic_block
            for table in tables:
                cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum and table in tables[:2] else 'ANALYZE'} {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
