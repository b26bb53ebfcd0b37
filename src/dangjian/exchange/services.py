"""Writes of data exchange (STYLE §2): imports (one transaction, one audit entry), export records,
import jobs and their progress, and the column mappings.

Permissions: ``exchange.import`` / ``exchange.export`` are declared by the pages; within an import the
rows are limited by the owning app's permission in scope (``members.change``, ``orgs.change``,
``development.change``, ``dues.change``), exactly as if typed in one by one.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from typing import IO, Any

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.scoping import SYSTEM, system_if_none
from dangjian.exchange.choices import ERRORS_SHOWN, ImportKind, ImportMode, JobStatus
from dangjian.exchange.columns import FIELDS, Mapping, T
from dangjian.exchange.engine import ImportReport, Progress, RowError, execute
from dangjian.exchange.errors import ExchangeError
from dangjian.exchange.exports import chunked, write_table
from dangjian.exchange.importers import IMPORTERS
from dangjian.exchange.models import ExchangeProfile, ImportJob
from dangjian.exchange.selectors import export_members_qs, revealable_ids
from dangjian.members.choices import MemberStatus
from dangjian.members.models import CommitteeSeat, Member
from dangjian.orgs.choices import Position
from dangjian.orgs.models import Organization, OrgUnitMapping
from dangjian.orgs.selectors import org_can, org_list, org_parent_codes, require_org_in_scope

__all__ = [
    "export_members",
    "export_orgs",
    "import_run",
    "job_claim_commit",
    "job_create",
    "job_run",
    "jobs_purge_files",
    "profile_copy",
    "profile_update",
    "validate_columns",
]

log = logging.getLogger(__name__)
EXPORT_BATCH = 2000
JOB_FILE_DAYS = 30  # how long an uploaded file is kept after its upload


# --------------------------------------------------------------------------------------------- import

def import_run(*, actor: Any, kind: str, data: bytes, file_name: str = "", mapping: Mapping | None = None,
               mode: str = ImportMode.CREATE, dry_run: bool = True, default_org: Organization | None = None,
               progress: Progress | None = None, max_errors: int | None = None) -> ImportReport:
    """Checks every row of an uploaded table and, unless *dry_run*, writes all of it or nothing.

    The commit re-reads and re-checks the file inside one transaction; any error rolls everything
    back. Permission: ``exchange.import`` (declared by the caller) and the owning app's change
    permission on every row's organisation. Audit: one ``exchange.import`` entry per committed import
    (kind, mode, file, counts); member rows updated in upsert mode, and orgs, applicants and dues
    profiles (written by their own services), also leave their own entries. Events: those of the
    services used (``members.changed`` once for the new members).
    """
    mapping = mapping or Mapping.standard(kind)
    importer = IMPORTERS[kind](actor=actor, mapping=mapping, mode=mode, default_org=default_org, progress=progress)
    if default_org is not None and actor is not None and not org_can(actor=actor, org=default_org,
                                                                     perm=importer.perm):
        report = ImportReport(kind=kind, mode=mode, dry_run=dry_run, max_errors=max_errors)
        report.add(RowError(None, "", None, ExchangeError.ORG_UNKNOWN,
                            _("组织“%(c)s”不存在或不在您的管理范围内") % {"c": default_org.code}))
        return report
    if dry_run and not importer.trial_writes:
        return execute(importer, data, file_name, dry_run=True, max_errors=max_errors)
    with transaction.atomic():
        report = execute(importer, data, file_name, dry_run=dry_run, max_errors=max_errors)
        if dry_run or not report.ok:
            report.committed = False
            transaction.set_rollback(True)
            return report
        record(actor=actor, action=AuditAction.EXCHANGE_IMPORTED, target=None, org=default_org,
               after={"kind": kind, "mode": mode, "file": file_name[:200], "mapping": mapping.name,
                      "format": report.format, **report.counts()},
               reason=_("导入%(kind)s") % {"kind": ImportKind(kind).label})
    return report


def job_create(*, actor: Any, kind: str, mode: str, file_name: str, data: bytes, profile: ExchangeProfile | None = None,
               default_org: Organization | None = None) -> ImportJob:
    """Keeps an uploaded file as an import job of *actor* (nothing in the register changes yet); the
    file is stored encrypted (``ImportJob.data``) and forgotten when the job ends.

    Permission: ``exchange.import`` (declared by the page). No audit entry: the commit records one.
    """
    if kind not in ImportKind.values:
        raise DomainError.one(ExchangeError.FILE_TYPE, "kind", _("未知的数据类别"))
    if profile is not None and profile.kind != kind:
        raise DomainError.one(ExchangeError.PROFILE_INVALID, "profile", _("所选交换方案不适用于该数据类别"))
    return ImportJob.objects.create(kind=kind, mode=mode, profile=profile, default_org=default_org,
                                    file_name=file_name[:255], data=data, size=len(data),
                                    created_by=actor if getattr(actor, "pk", None) else None)


class _JobProgress:
    """Writes a job's progress at most twice a second. Outside a transaction it updates the row; inside
    the commit's transaction PostgreSQL gets it through a second connection (so the page sees it before
    the commit), while SQLite — one writer at a time — shows the write phase without a count."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.side = None

    def __call__(self, phase: str, processed: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and processed < total:
            return
        self.last = now
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(phase=phase, processed=processed, total=total)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            with self.side.cursor() as cursor:
                cursor.execute("UPDATE exchange_importjob SET phase = %s, processed = %s, total = %s WHERE id = %s",
                               [phase, processed, total, self.job_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def job_claim_commit(*, job_id: int) -> bool:
    """Moves a job from "validated" to "committing" — once: a second click, or a second worker, finds
    it already claimed and does nothing. Returns whether this caller claimed it."""
    return ImportJob.objects.filter(pk=job_id, status=JobStatus.VALIDATED).update(
        status=JobStatus.COMMITTING, processed=0, phase="", updated_at=timezone.now()) == 1


def job_run(*, job_id: int, commit: bool) -> ImportJob:
    """Runs a job's dry run (*commit* False) or its commit, storing the report on the job.

    A commit runs only for a job claimed with :func:`job_claim_commit` (its dry run found no error).
    Runs as the job's owner, in the request for small files or in the django-tasks worker
    (``tasks.run_import_job``).
    """
    job = ImportJob.objects.select_related("created_by", "profile", "default_org").get(pk=job_id)
    if commit and job.status != JobStatus.COMMITTING:
        raise DomainError.one(ExchangeError.JOB_STATE, None, _("只有校验通过的导入才能提交"))
    job.status = JobStatus.COMMITTING if commit else JobStatus.VALIDATING
    job.processed, job.phase = 0, ""
    job.save(update_fields=["status", "processed", "phase", "updated_at"])
    progress = _JobProgress(job.pk)
    mapping = Mapping(job.kind, job.profile.columns, name=job.profile.name) if job.profile else None
    try:
        report = import_run(actor=job.created_by, kind=job.kind, data=bytes(job.data), file_name=job.file_name,
                            mapping=mapping, mode=job.mode, dry_run=not commit, default_org=job.default_org,
                            progress=progress, max_errors=ERRORS_SHOWN)
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        job.status, job.message, job.finished_at = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000], timezone.now()
        job.data = b""  # issue 7 §4: a failed job's file is not kept (it holds ID numbers and phones)
        job.save(update_fields=["status", "message", "finished_at", "data", "updated_at"])
        raise
    finally:
        progress.close()
    job.counts = report.counts()
    job.error_count = report.error_count
    job.errors = [e.as_dict() for e in report.errors]
    job.processed = job.total = report.rows
    job.phase = "done"
    if not report.ok:
        job.status = JobStatus.REJECTED
    else:
        job.status = JobStatus.COMMITTED if commit else JobStatus.VALIDATED
    job.finished_at = timezone.now()
    fields = ["counts", "error_count", "errors", "processed", "total", "phase", "status", "finished_at", "updated_at"]
    if job.status != JobStatus.VALIDATED:
        # issue 7 §4: only a job waiting for its commit needs its file; a committed or rejected one
        # (a rejected job cannot be committed: it is uploaded again) forgets it at once
        job.data = b""
        fields.append("data")
    job.save(update_fields=fields)
    return job


def jobs_purge_files(*, older_than_days: int = JOB_FILE_DAYS) -> int:
    """Drops the uploaded files of jobs older than *older_than_days* (their reports stay): uploads hold
    personal data and are only needed between the preview and the commit. Run daily by
    ``tasks.purge_import_files``; idempotent. No audit entry (no register data changes)."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    return ImportJob.objects.filter(created_at__lt=cutoff).exclude(data=b"").update(data=b"")


# --------------------------------------------------------------------------------------------- export

def _member_value(member: Member, field_name: str, reveal: bool) -> Any:
    if field_name == "id_number":
        return member.id_number if reveal else mask_id_number(member.id_number)
    if field_name == "phone":
        return member.phone if reveal else mask_phone(member.phone)
    if field_name == "org":
        return member.org.code
    if field_name in ("org_name", "org_label"):
        return member.org.name
    if field_name == "party_group":
        return member.party_group.code if member.party_group_id else ""
    if field_name == "unit":
        return member.unit.code if member.unit_id else ""
    if field_name == "is_lost":
        return member.status == MemberStatus.LOST
    if field_name == "is_mobile":
        return member.status == MemberStatus.MOBILE
    return getattr(member, field_name, "")


@transaction.atomic
def export_members(*, actor: Any, out: IO[bytes], fmt: str = "xlsx", mapping: Mapping | None = None,
                   unmasked: bool = False, org: Organization | None = None, subtree: bool = True,
                   status: str | None = None, category: str | None = None, q: str | None = None) -> dict[str, int]:
    """Writes the member list (the member list's filters and scope) to *out*.

    ID numbers and phones are masked unless *unmasked* is asked for **and** the actor may reveal that
    member (``members.reveal`` in scope, or their own record). Streamed in batches.
    Permission: ``exchange.export`` (declared by the caller). Audit: ``exchange.export`` with the
    count and how many rows went out unmasked.
    """
    mapping = mapping or Mapping.standard(ImportKind.MEMBERS)
    reader = system_if_none(actor)
    qs = export_members_qs(actor=reader, org=org, subtree=subtree, status=status, category=category, q=q)
    counts = {"count": 0, "revealed": 0}

    def records():
        for batch in chunked(qs.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            allowed = revealable_ids(actor=reader, member_ids=[m.pk for m in batch]) if unmasked else set()
            for member in batch:
                reveal = member.pk in allowed
                counts["revealed"] += reveal
                yield member, reveal

    counts["count"] = write_table(mapping, fmt, out, records(), lambda rec, f: _member_value(rec[0], f, rec[1]),
                                  csv_text_fields=("id_number", "phone"))
    record(actor=actor, action=AuditAction.EXCHANGE_EXPORTED, target=org, org=org,
           after={"kind": ImportKind.MEMBERS, "format": fmt, "mapping": mapping.name, "unmasked": unmasked,
                  "filters": {"org": org.code if org else None, "subtree": subtree, "status": status,
                              "category": category, "q": bool(q)}, **counts})
    return counts


def _org_extras(actor: Any, orgs: list[Organization], wanted: set[str]) -> dict[str, dict[int, Any]]:
    extras: dict[str, dict[int, Any]] = {}
    if wanted & {"parent_code", "parent_name"}:
        extras["parent_code"] = org_parent_codes(actor=SYSTEM if actor is None else actor, orgs=orgs)
        parents = {o.path[:-Organization.steplen] for o in orgs if o.depth > 1}
        names = dict(Organization.objects.filter(path__in=parents).values_list("path", "name"))
        extras["parent_name"] = {o.pk: names.get(o.path[:-Organization.steplen], "") if o.depth > 1 else ""
                                 for o in orgs}
    if "secretary" in wanted:
        extras["secretary"] = dict(
            CommitteeSeat.objects.filter(term__org__in=orgs, term__is_current=True, position=Position.SECRETARY,
                                         until__isnull=True).values_list("term__org_id", "member__name"))
    if wanted & {"unit_name", "unit_type", "unit_situation"}:
        today = timezone.localdate()
        units: dict[int, Any] = {}
        for mapping in OrgUnitMapping.objects.effective_on(today).filter(org__in=orgs).select_related("unit"):
            units.setdefault(mapping.org_id, mapping.unit)
        extras["unit"] = units
    return extras


def _org_value(org: Organization, field_name: str, extras: dict[str, dict[int, Any]]) -> Any:
    if field_name in ("parent_code", "parent_name", "secretary"):
        return extras[field_name].get(org.pk) or ""
    if field_name == "unit_name":
        unit = extras["unit"].get(org.pk)
        return unit.name if unit else ""
    if field_name == "unit_type":
        unit = extras["unit"].get(org.pk)
        return unit.get_unit_type_display() if unit else ""
    if field_name == "unit_situation":
        if org.is_joint:
            return "joint"
        unit = extras["unit"].get(org.pk)
        return "legal" if unit is not None and unit.is_legal_entity else "same"
    return getattr(org, field_name, "")


@transaction.atomic
def export_orgs(*, actor: Any, out: IO[bytes], fmt: str = "xlsx", mapping: Mapping | None = None,
                subtree_of: Organization | None = None, org_type: str | None = None, status: str | None = None,
                q: str | None = None) -> dict[str, int]:
    """Writes the organisation list (``orgs.selectors.org_list``: its filters and scope) to *out*.

    Permission: ``exchange.export`` (declared by the caller). Audit: ``exchange.export`` with the count.
    """
    mapping = mapping or Mapping.standard(ImportKind.ORGS)
    if actor is None:
        qs = Organization.objects.get_queryset()
        if subtree_of is not None:
            from dangjian.core.scoping import path_range_q

            qs = qs.filter(path_range_q("path", subtree_of.path))
        if org_type:
            qs = qs.filter(org_type=org_type)
        if status:
            qs = qs.filter(status=status)
    else:
        qs = org_list(actor=actor, subtree_of=subtree_of, org_type=org_type, status=status, q=q)
    wanted = {c.field for c in mapping.columns}

    def records():
        for batch in chunked(qs.order_by("path").iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            extras = _org_extras(actor, batch, wanted)
            for org in batch:
                yield org, extras

    count = write_table(mapping, fmt, out, records(), lambda rec, f: _org_value(rec[0], f, rec[1]))
    record(actor=actor, action=AuditAction.EXCHANGE_EXPORTED, target=subtree_of, org=subtree_of,
           after={"kind": ImportKind.ORGS, "format": fmt, "mapping": mapping.name, "count": count})
    return {"count": count}


# --------------------------------------------------------------------------------------------- mappings

def validate_columns(kind: str, columns: Any) -> list[dict[str, Any]]:
    """Checks a mapping's columns: titles present and distinct, fields of this kind, code lists that
    map labels onto the field's platform values. Returns the cleaned list; raises :class:`DomainError`."""
    from dangjian.exchange.cells import clean_title

    errors: list[FieldError] = []
    if not isinstance(columns, list) or not columns:
        raise DomainError.one(ExchangeError.PROFILE_INVALID, "columns", _("至少需要一列"))
    registry = FIELDS[kind]
    out, titles, used = [], set(), set()
    for n, raw in enumerate(columns, start=1):
        if not isinstance(raw, dict):
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "columns", _("第%(n)s列格式不正确") % {"n": n}, row=n))
            continue
        title = str(raw.get("title") or "").strip()
        field_name = str(raw.get("field") or "").strip()
        codes = raw.get("codes") or {}
        if not title:
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "title", _("第%(n)s列缺少列名") % {"n": n}, row=n))
        elif clean_title(title) in titles:
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "title", _("列名“%(t)s”重复") % {"t": title}, row=n))
        titles.add(clean_title(title))
        spec = registry.get(field_name)
        if field_name and spec is None:
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "field",
                                     _("第%(n)s列的字段“%(f)s”不存在") % {"n": n, "f": field_name}, row=n))
        elif field_name and field_name in used and spec.type not in (T.DERIVED, T.NONE):
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "field",
                                     _("字段“%(f)s”对应了两列") % {"f": spec.title}, row=n))
        used.add(field_name)
        if not isinstance(codes, dict):
            errors.append(FieldError(ExchangeError.PROFILE_INVALID, "codes", _("第%(n)s列的代码表格式不正确") % {"n": n},
                                     row=n))
            codes = {}
        if codes and spec is not None:
            allowed = {v for v, _label in spec.choices}
            unknown = sorted({str(v) for v in codes.values()} - allowed)
            if not allowed or unknown:
                errors.append(FieldError(ExchangeError.PROFILE_INVALID, "codes",
                                         _("第%(n)s列的代码表含有无效的值：%(v)s") % {"n": n, "v": "、".join(unknown) or "—"},
                                         row=n))
        out.append({"title": title, "field": field_name, "required": bool(raw.get("required")),
                    "codes": {str(k).strip(): str(v) for k, v in codes.items()}})
    if errors:
        raise DomainError(errors)
    return out


def _profile_snapshot(profile: ExchangeProfile) -> dict[str, Any]:
    return {"code": profile.code, "name": profile.name, "kind": profile.kind, "columns": profile.columns,
            "org": profile.org_id}


def _require_profile_scope(actor: Any, profile: ExchangeProfile) -> None:
    from dangjian.core.scoping import ScopeKind, resolver
    from dangjian.exchange.choices import ExchangePerm

    if actor is None:
        return
    if profile.org_id is None:
        if not any(g.kind == ScopeKind.ALL for g in resolver().grants(actor, ExchangePerm.IMPORT)):
            raise DomainError.one(ExchangeError.PROFILE_INVALID, None,
                                  _("平台通用的交换方案只有全系统范围的导入权限可以修改；请先“复制为本单位方案”"))
    else:
        require_org_in_scope(actor=actor, org=profile.org, perm=ExchangePerm.IMPORT)


@transaction.atomic
def profile_update(*, actor: Any, profile: ExchangeProfile, name: str | None = None,
                   columns: list[dict[str, Any]] | None = None, reason: str = "") -> ExchangeProfile:
    """Changes a mapping's name, column titles, fields and code lists (e.g. to match the template the
    organisation department issues).

    Permission: ``exchange.import`` on the mapping's org (a platform-wide mapping: an all-scope grant).
    Audit: ``exchange.profile_change`` with the before/after columns.
    """
    profile = ExchangeProfile.objects.select_for_update().get(pk=profile.pk)
    _require_profile_scope(actor, profile)
    before = _profile_snapshot(profile)
    changed = []
    if name is not None and name.strip() != profile.name:
        if not name.strip():
            raise DomainError.one(ExchangeError.PROFILE_INVALID, "name", _("请填写名称"))
        profile.name = name.strip()[:100]
        changed.append("name")
    if columns is not None:
        cleaned = validate_columns(profile.kind, columns)
        if cleaned != profile.columns:
            profile.columns = cleaned
            changed.append("columns")
    if not changed:
        return profile
    profile.save(update_fields=[*changed, "updated_at"])
    record(actor=actor, action=AuditAction.EXCHANGE_PROFILE_CHANGED, target=profile, org=profile.org, before=before,
           after=_profile_snapshot(profile), reason=reason)
    return profile


@transaction.atomic
def profile_copy(*, actor: Any, profile: ExchangeProfile, org: Organization, reason: str = "") -> ExchangeProfile:
    """Copies a mapping as *org*'s own, which that unit may then edit.

    Permission: ``exchange.import`` on *org*. Audit: ``exchange.profile_change`` (before empty).
    """
    from dangjian.exchange.choices import ExchangePerm

    require_org_in_scope(actor=actor, org=org, perm=ExchangePerm.IMPORT)
    base = re.sub(r"[^a-z0-9-]+", "-", f"{profile.code}-{org.code}".lower()).strip("-")[:50]
    code, n = base, 1
    while ExchangeProfile.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    copy = ExchangeProfile.objects.create(code=code, name=f"{profile.name}（{org.name}）"[:100], kind=profile.kind,
                                          columns=profile.columns, description=profile.description, org=org)
    record(actor=actor, action=AuditAction.EXCHANGE_PROFILE_CHANGED, target=copy, org=org, before=None,
           after=_profile_snapshot(copy), reason=reason)
    return copy
