"""Writes of the organisation domain. Each validates, runs in one transaction and records an audit
entry (STYLE §2). ``actor=None`` means the system itself (demo build, migrations)."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError, errors_from_django
from dangjian.orgs.choices import ALLOWED_PARENTS, DEFAULT_TERM_YEARS, OrgsPerm, OrgStatus, OrgType
from dangjian.orgs.errors import OrgsError
from dangjian.orgs.events import OrgsChanged
from dangjian.orgs.models import CommitteeTerm, EnterpriseUnit, Organization, OrgUnitMapping, TermPolicy
from dangjian.orgs.selectors import require_org_in_scope

__all__ = [
    "ORG_FIELDS",
    "TERM_POSTPONE_MAX_MONTHS",
    "TermPostponeError",
    "org_create",
    "org_dissolve",
    "org_move",
    "org_snapshot",
    "org_unit_map",
    "org_unit_unmap",
    "org_update",
    "term_create",
    "term_postpone",
    "term_years_for",
    "unit_create",
]

ORG_FIELDS = (
    "name", "short_name", "code", "org_type", "is_joint", "established_on", "approval_doc",
    "approval_date", "contact_person", "contact_phone", "region", "latitude", "longitude",
)
_TREE_FIELDS = ["path", "depth", "numchild"]


def org_snapshot(org: Organization) -> dict[str, Any]:
    data = {name: getattr(org, name) for name in ORG_FIELDS}
    data.update(status=org.status, path=org.path)
    return data


def _check_parent(org_type: str, parent: Organization | None, *, field: str = "parent") -> None:
    allowed = ALLOWED_PARENTS[org_type]
    if parent is None:
        if None not in allowed:
            raise DomainError.one(OrgsError.ROOT_NOT_ALLOWED, field, _("党小组必须设在党支部之下"))
        return
    if parent.status != OrgStatus.ACTIVE:
        raise DomainError.one(OrgsError.PARENT_DISSOLVED, field, _("上级组织已撤销"))
    if parent.org_type not in allowed:
        raise DomainError.one(
            OrgsError.PARENT_NOT_ALLOWED,
            field,
            _("%(child)s不能设在%(parent)s之下")
            % {"child": OrgType(org_type).label, "parent": OrgType(parent.org_type).label},
        )


def _check_children_allow(org: Organization, new_type: str) -> None:
    """A type change must keep every existing child legal (e.g. a branch with groups stays a branch)."""
    child_types = set(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).values_list("org_type", flat=True)
    )
    for child_type in child_types:
        if new_type not in ALLOWED_PARENTS[child_type]:
            raise DomainError.one(
                OrgsError.CHILD_TYPE_CONFLICT,
                "org_type",
                _("该组织下设有%(child)s，不能改为%(new)s")
                % {"child": OrgType(child_type).label, "new": OrgType(new_type).label},
            )


def _full_clean(org: Organization, *, exclude: list[str]) -> None:
    try:
        org.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise DomainError(errors_from_django(exc, prefix="orgs"))
    clash = Organization.objects.filter(code=org.code).exclude(pk=org.pk).exists()
    if clash:
        raise DomainError.one(OrgsError.CODE_TAKEN, "code", _("组织代码“%(code)s”已被使用") % {"code": org.code})


@transaction.atomic
def org_create(*, actor: Any, parent: Organization | None, reason: str = "", **fields: Any) -> Organization:
    """Creates an organisation under *parent* (or a root when None).

    Permission: ``orgs.change`` on the parent (on "all" for a root). Audit: ``orgs.create``.
    Event: ``orgs.changed``.
    """
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown org fields: {sorted(unknown)}")
    if parent is not None:
        parent = Organization.objects.get(pk=parent.pk)
        require_org_in_scope(actor=actor, org=parent, perm=OrgsPerm.CHANGE)
    elif actor is not None and not Organization.objects.for_actor(actor, OrgsPerm.CHANGE).filter(depth=1).exists() \
            and Organization.objects.exists():
        raise DomainError.one(OrgsError.ROOT_NOT_ALLOWED, "parent", _("只有具有全部范围权限的用户可以建立顶层组织"))
    org = Organization(**fields)
    _check_parent(org.org_type, parent)
    _full_clean(org, exclude=_TREE_FIELDS)
    org = Organization.objects.add_child(parent, instance=org) if parent else Organization.objects.add_root(instance=org)
    record(actor=actor, action=AuditAction.ORG_CREATED, target=org, org=org, after=org_snapshot(org), reason=reason)
    events.publish(OrgsChanged(org_ids=(org.pk,)))
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Organization, reason: str = "", **fields: Any) -> Organization:
    """Changes an organisation's own fields (not its place in the tree: see :func:`org_move`).

    Permission: ``orgs.change`` on the org. Audit: ``orgs.update``.
    """
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown org fields: {sorted(unknown)}")
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require_org_in_scope(actor=actor, org=org, perm=OrgsPerm.CHANGE)
    before = org_snapshot(org)
    changed = [name for name, value in fields.items() if getattr(org, name) != value]
    if not changed:
        return org
    for name in changed:
        setattr(org, name, fields[name])
    if "org_type" in changed:
        parent = Organization.objects.get_parent(org, update=True)
        _check_parent(org.org_type, parent, field="org_type")
        _check_children_allow(org, org.org_type)
    _full_clean(org, exclude=_TREE_FIELDS)
    org.save(update_fields=[*changed, "updated_at"])
    record(actor=actor, action=AuditAction.ORG_UPDATED, target=org, org=org, before=before,
           after=org_snapshot(org), reason=reason)
    events.publish(OrgsChanged(org_ids=(org.pk,)))
    return org


@transaction.atomic
def org_move(*, actor: Any, org: Organization, new_parent: Organization, reason: str = "") -> Organization:
    """Moves *org* with its whole subtree under *new_parent*.

    Permission: ``orgs.change`` on both the org and the new parent. Audit: ``orgs.move``.
    Returns the re-fetched org (its path changed).
    """
    org = Organization.objects.get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    require_org_in_scope(actor=actor, org=org, perm=OrgsPerm.CHANGE)
    require_org_in_scope(actor=actor, org=new_parent, perm=OrgsPerm.CHANGE)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise DomainError.one(OrgsError.MOVE_INTO_ITSELF, "parent", _("不能把组织移到它自己或它的下级组织之下"))
    _check_parent(org.org_type, new_parent)
    before = org_snapshot(org)
    before["parent"] = Organization.objects.get_parent(org).code if org.depth > 1 else None
    Organization.objects.move(org, new_parent, "last-child")
    org = Organization.objects.get(pk=org.pk)
    after = org_snapshot(org)
    after["parent"] = new_parent.code
    record(actor=actor, action=AuditAction.ORG_MOVED, target=org, org=org, before=before, after=after, reason=reason)
    events.publish(OrgsChanged(org_ids=(org.pk, new_parent.pk)))
    return org


@transaction.atomic
def org_dissolve(*, actor: Any, org: Organization, on: dt.date, reason: str = "") -> Organization:
    """Dissolves (撤销) an organisation. Refused while it has active children or members.

    Permission: ``orgs.change`` on the org. Audit: ``orgs.dissolve``.
    """
    org = Organization.objects.select_for_update().get(pk=org.pk)
    require_org_in_scope(actor=actor, org=org, perm=OrgsPerm.CHANGE)
    if org.status == OrgStatus.DISSOLVED:
        raise DomainError.one(OrgsError.ALREADY_DISSOLVED, "status", _("该组织已撤销"))
    if Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, status=OrgStatus.ACTIVE).exists():
        raise DomainError.one(OrgsError.HAS_CHILDREN, "status", _("该组织还有下级组织，不能撤销"))
    if org.members.exclude(status__in=["expelled", "deceased", "left"]).exists():
        raise DomainError.one(OrgsError.HAS_MEMBERS, "status", _("该组织还有党员，不能撤销"))
    before = org_snapshot(org)
    org.status = OrgStatus.DISSOLVED
    org.dissolved_on = on
    org.save(update_fields=["status", "dissolved_on", "updated_at"])
    record(actor=actor, action=AuditAction.ORG_DISSOLVED, target=org, org=org, before=before,
           after=org_snapshot(org), reason=reason)
    events.publish(OrgsChanged(org_ids=(org.pk,)))
    return org


@transaction.atomic
def unit_create(*, actor: Any, parent: EnterpriseUnit | None, name: str, code: str, unit_type: str,
                is_legal_entity: bool = False, credit_code: str = "") -> EnterpriseUnit:
    """Adds an enterprise unit. Permission: ``orgs.change`` (any scope). Audit: ``orgs.unit_create``."""
    unit = EnterpriseUnit(name=name, code=code, unit_type=unit_type, is_legal_entity=is_legal_entity,
                          credit_code=credit_code)
    try:
        unit.full_clean(exclude=_TREE_FIELDS, validate_unique=False)
    except ValidationError as exc:
        raise DomainError(errors_from_django(exc, prefix="orgs"))
    if EnterpriseUnit.objects.filter(code=code).exists():
        raise DomainError.one(OrgsError.CODE_TAKEN, "code", _("单位代码“%(code)s”已被使用") % {"code": code})
    if parent is not None:
        unit = EnterpriseUnit.objects.add_child(EnterpriseUnit.objects.get(pk=parent.pk), instance=unit)
    else:
        unit = EnterpriseUnit.objects.add_root(instance=unit)
    record(actor=actor, action=AuditAction.UNIT_CREATED, target=unit,
           after={"name": name, "code": code, "unit_type": unit_type})
    return unit


@transaction.atomic
def org_unit_map(*, actor: Any, org: Organization, unit: EnterpriseUnit, valid_from: dt.date,
                 valid_to: dt.date | None = None) -> OrgUnitMapping:
    """Maps an org onto an enterprise unit from *valid_from*. Overlapping periods of the same pair are refused.

    Permission: ``orgs.change`` on the org. Audit: ``orgs.unit_map``.
    """
    require_org_in_scope(actor=actor, org=org, perm=OrgsPerm.CHANGE)
    if valid_to is not None and valid_to <= valid_from:
        raise DomainError.one(OrgsError.MAPPING_RANGE, "valid_to", _("失效日期必须晚于生效日期"))
    overlap = OrgUnitMapping.objects.filter(org=org, unit=unit).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    )
    if valid_to is not None:
        overlap = overlap.filter(valid_from__lt=valid_to)
    if overlap.exists():
        raise DomainError.one(OrgsError.MAPPING_OVERLAP, "valid_from", _("该组织与该单位在此期间已有关联"))
    mapping = OrgUnitMapping.objects.create(org=org, unit=unit, valid_from=valid_from, valid_to=valid_to)
    record(actor=actor, action=AuditAction.ORG_UNIT_MAPPED, target=mapping, org=org,
           after={"unit": unit.code, "valid_from": valid_from, "valid_to": valid_to})
    return mapping


@transaction.atomic
def org_unit_unmap(*, actor: Any, mapping: OrgUnitMapping, valid_to: dt.date) -> OrgUnitMapping:
    """Ends a mapping on *valid_to*. Permission: ``orgs.change`` on the org. Audit: ``orgs.unit_unmap``."""
    mapping = OrgUnitMapping.objects.select_for_update().get(pk=mapping.pk)
    require_org_in_scope(actor=actor, org=mapping.org, perm=OrgsPerm.CHANGE)
    if valid_to <= mapping.valid_from:
        raise DomainError.one(OrgsError.MAPPING_RANGE, "valid_to", _("失效日期必须晚于生效日期"))
    before = {"valid_to": mapping.valid_to}
    mapping.valid_to = valid_to
    mapping.save(update_fields=["valid_to", "updated_at"])
    record(actor=actor, action=AuditAction.ORG_UNIT_UNMAPPED, target=mapping, org=mapping.org, before=before,
           after={"valid_to": valid_to})
    return mapping


def term_years_for(org_type: str) -> int:
    """Term length for an org type: the TermPolicy row, else the DOMAIN §3 default."""
    policy = TermPolicy.objects.filter(org_type=org_type).first()
    if policy is not None:
        return policy.term_years
    return DEFAULT_TERM_YEARS[OrgType(org_type)][0]


@transaction.atomic
def term_create(*, actor: Any, org: Organization, start_date: dt.date, number: int | None = None,
                term_years: int | None = None) -> CommitteeTerm:
    """Records a new committee term (换届), which becomes the current one.

    Length defaults from :class:`TermPolicy` (DOMAIN §3). Permission: ``orgs.change`` on the org.
    Audit: ``orgs.term_create``.
    """
    require_org_in_scope(actor=actor, org=org, perm=OrgsPerm.CHANGE)
    if org.org_type == OrgType.GROUP:
        raise DomainError.one(OrgsError.TERM_ORG_TYPE, "org", _("党小组不设委员会届次"))
    last = CommitteeTerm.objects.filter(org=org).order_by("-number").first()
    if number is None:
        number = (last.number + 1) if last else 1
    if last is not None and number <= last.number:
        raise DomainError.one(OrgsError.TERM_NUMBER, "number", _("届次必须大于上一届（第%(n)s届）") % {"n": last.number})
    if number < 1:
        raise DomainError([FieldError(OrgsError.TERM_NUMBER, "number", _("届次必须大于 0"))])
    years = term_years or term_years_for(org.org_type)
    CommitteeTerm.objects.filter(org=org, is_current=True).update(is_current=False)
    term = CommitteeTerm.objects.create(org=org, number=number, start_date=start_date, term_years=years,
                                        end_date=start_date + relativedelta(years=years), is_current=True)
    record(actor=actor, action=AuditAction.TERM_CREATED, target=term, org=org,
           after={"number": number, "start_date": start_date, "term_years": years, "end_date": term.end_date})
    return term


# DOMAIN §3 "On-time elections": postponing an election needs the higher organisation's approval and
# the shift is generally ≤ 1 year. Configurable (``DANGJIAN_TERM_POSTPONE_MAX_MONTHS``): rules may tighten it.
TERM_POSTPONE_MAX_MONTHS = 12


class TermPostponeError(StrEnum):
    """Error codes of :func:`term_postpone` (kept beside it: the change was scoped to services/models)."""

    NOT_CURRENT = "orgs.term_not_current"
    UNTIL_NOT_AFTER_END = "orgs.postpone_not_after_end"
    TOO_LONG = "orgs.postpone_too_long"
    APPROVER_NOT_HIGHER = "orgs.postpone_approver_not_higher"
    APPROVED_ON_INVALID = "orgs.postpone_approved_on_invalid"
    DOC_REQUIRED = "orgs.postpone_doc_required"


def _postpone_max_months() -> int:
    return int(getattr(settings, "DANGJIAN_TERM_POSTPONE_MAX_MONTHS", TERM_POSTPONE_MAX_MONTHS))


@transaction.atomic
def term_postpone(*, actor: Any, term: CommitteeTerm, until: dt.date, approved_by: Organization,
                  approved_on: dt.date, approval_doc: str, reason: str = "",
                  today: dt.date | None = None) -> CommitteeTerm:
    """Records an approved postponement of the election (延期换届) of the current term to *until*.

    The approving organisation must be above the term's organisation; the postponement ends after
    the term's end date and at most ``DANGJIAN_TERM_POSTPONE_MAX_MONTHS`` (12, DOMAIN §3) after it;
    a second postponement replaces the first within the same limit. The approval date may not be in
    the future and the approval document number is required. Permission: ``orgs.change`` on the
    term's org. Audit: ``orgs.term_postpone`` with before/after. Nothing is written on error.
    """
    term = CommitteeTerm.objects.select_for_update().select_related("org").get(pk=term.pk)
    require_org_in_scope(actor=actor, org=term.org, perm=OrgsPerm.CHANGE)
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    if not term.is_current:
        errors.append(FieldError(TermPostponeError.NOT_CURRENT, "term", _("只能为本届委员会办理延期换届")))
    limit = term.end_date + relativedelta(months=_postpone_max_months())
    if until is None or until <= term.end_date:
        errors.append(FieldError(TermPostponeError.UNTIL_NOT_AFTER_END, "until",
                                 _("延期日期必须晚于届满日期（%(end)s）") % {"end": term.end_date.isoformat()}))
    elif until > limit:
        errors.append(FieldError(TermPostponeError.TOO_LONG, "until",
                                 _("延期换届一般不超过 %(months)s 个月，最晚 %(limit)s")
                                 % {"months": _postpone_max_months(), "limit": limit.isoformat()}))
    org_path = term.org.path
    if approved_by is None or not (org_path.startswith(approved_by.path) and approved_by.path != org_path):
        errors.append(FieldError(TermPostponeError.APPROVER_NOT_HIGHER, "approved_by",
                                 _("延期换届须由上级党组织批准")))
    if approved_on is None or approved_on > today:
        errors.append(FieldError(TermPostponeError.APPROVED_ON_INVALID, "approved_on", _("批准日期不能晚于今天")))
    approval_doc = (approval_doc or "").strip()
    if not approval_doc:
        errors.append(FieldError(TermPostponeError.DOC_REQUIRED, "approval_doc", _("请填写批准文号")))
    elif len(approval_doc) > 100:
        errors.append(FieldError(TermPostponeError.DOC_REQUIRED, "approval_doc", _("批准文号最多 100 个字符")))
    if errors:
        raise DomainError(errors)
    fields = ["postponed_until", "postponement_approved_by", "postponement_approved_on", "postponement_doc",
              "postponement_reason"]
    before = {"postponed_until": term.postponed_until, "approved_by": term.postponement_approved_by_id,
              "approved_on": term.postponement_approved_on, "approval_doc": term.postponement_doc}
    term.postponed_until = until
    term.postponement_approved_by = approved_by
    term.postponement_approved_on = approved_on
    term.postponement_doc = approval_doc
    term.postponement_reason = (reason or "").strip()[:200]
    term.save(update_fields=[*fields, "updated_at"])
    record(actor=actor, action=AuditAction.TERM_POSTPONED, target=term, org=term.org, before=before,
           after={"postponed_until": until, "end_date": term.end_date, "approved_by": approved_by.pk,
                  "approved_on": approved_on, "approval_doc": approval_doc}, reason=term.postponement_reason)
    return term
