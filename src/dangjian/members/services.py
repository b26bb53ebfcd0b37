"""Writes of the member register: validated, atomic, audited (STYLE §2)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.crypto import blind_index
from dangjian.core.errors import DomainError, FieldError, errors_from_django
from dangjian.core.idcard import normalize
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.members.choices import INACTIVE_STATUSES, MembersPerm, MemberStatus
from dangjian.members.errors import MembersError
from dangjian.members.events import MembersChanged
from dangjian.members.models import CommitteeSeat, Member, MembershipPeriod
from dangjian.members.rules import EXCLUDED, REGISTER_FIELDS, register_problems
from dangjian.orgs.choices import Position
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.selectors import require_org_in_scope
from dangjian.orgs.snapshots import OrgInfo

__all__ = [
    "MEMBER_FIELDS",
    "member_change_branch",
    "member_create",
    "member_leave",
    "member_link_user",
    "member_reveal",
    "member_snapshot",
    "member_update",
    "members_bulk_create",
    "normalize_member_input",
    "seat_assign",
    "seat_end",
    "validate_member",
]

MEMBER_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title", "unit",
    "hire_date", "category", "joined_on", "full_member_on", "org", "party_group", "status",
)


def member_snapshot(member: Member) -> dict[str, Any]:
    """Audit snapshot: sensitive fields masked."""
    data: dict[str, Any] = {}
    for name in MEMBER_FIELDS:
        value = getattr(member, name + "_id" if name in ("unit", "org", "party_group") else name)
        data[name] = value
    data["id_number"] = mask_id_number(member.id_number)
    data["phone"] = mask_phone(member.phone)
    return data


def normalize_member_input(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim text, convert full-width digits, upper-case the ID's X (imports and forms alike)."""
    out = dict(fields)
    for key, value in fields.items():
        if isinstance(value, str):
            out[key] = value.strip()
    if out.get("id_number"):
        out["id_number"] = normalize(out["id_number"])
    if out.get("phone"):
        out["phone"] = normalize(out["phone"]).replace("-", "")
    return out


def validate_member(member: Member, *, today: dt.date | None = None) -> list[FieldError]:
    """Every rule of the register; returns all errors (empty when valid). Does not touch uniqueness.

    The field rules by ``full_clean``, then the register's own (:func:`dangjian.members.rules.register_problems`,
    the one copy the importer and the demo build use as well). A valid ID number is stored normalised.
    """
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    try:
        member.full_clean(exclude=sorted(EXCLUDED), validate_unique=False)
    except ValidationError as exc:
        errors.extend(errors_from_django(exc, prefix="members"))
    bad_fields = {e.field for e in errors}
    org = OrgInfo.of(member.org) if member.org_id else None
    group = OrgInfo.of(member.party_group) if member.party_group_id else None
    problems = register_problems({name: getattr(member, name) for name in REGISTER_FIELDS}, today=today,
                                 org=org, group=group, bad=bad_fields)
    errors.extend(FieldError(p.error_code, p.field, p.message or p.code) for p in problems)
    if member.id_number and "id_number" not in bad_fields and not any(p.field == "id_number" for p in problems):
        member.id_number = normalize(member.id_number)
    return errors


def _set_indexes(member: Member) -> None:
    member.id_number_bidx = blind_index("id_number", member.id_number)
    member.id_number_tail = member.id_number[-4:]
    member.phone_bidx = blind_index("phone", member.phone) if member.phone else ""


def _check_duplicate(member: Member) -> None:
    qs = Member.objects.filter(id_number_bidx=member.id_number_bidx)
    if member.pk:
        qs = qs.exclude(pk=member.pk)
    if qs.exists():
        raise DomainError.one(MembersError.ID_NUMBER_DUPLICATE, "id_number", _("该身份证号码已登记在党员名册中"))


PERIOD_REGISTERED = "登记入册"


@transaction.atomic
def member_create(*, actor: Any, reason: str = "", since: dt.date | None = None, period_reason: str = "",
                  **fields: Any) -> Member:
    """Registers a member in a branch and opens their membership period there, from *since* (default:
    ``joined_on``; a member arriving from outside the group starts on the day they were received).

    Permission: ``members.change`` on the branch. Audit: ``members.create``. Event: ``members.changed``.
    """
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    fields = normalize_member_input(fields)
    member = Member(**fields)
    if member.org_id:
        require_org_in_scope(actor=actor, org=member.org, perm=MembersPerm.CHANGE)
    errors = validate_member(member)
    if errors:
        raise DomainError(errors)
    _set_indexes(member)
    _check_duplicate(member)
    member.save()
    MembershipPeriod.objects.create(member=member, org=member.org, valid_from=since or member.joined_on,
                                    reason=period_reason or PERIOD_REGISTERED)
    record(actor=actor, action=AuditAction.MEMBER_CREATED, target=member, org=member.org,
           after=member_snapshot(member), reason=reason)
    events.publish(MembersChanged(member_ids=(member.pk,), org_ids=(member.org_id,)))
    return member


@transaction.atomic
def member_update(*, actor: Any, member: Member, reason: str = "", **fields: Any) -> Member:
    """Changes register fields. Moving a member to a branch outside the actor's scope is refused.

    Permission: ``members.change`` on the member's branch and on the new branch. Audit: ``members.update``.
    """
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_org_in_scope(actor=actor, org=member.org, perm=MembersPerm.CHANGE)
    before = member_snapshot(member)
    fields = normalize_member_input(fields)
    changed = []
    for name, value in fields.items():
        current = getattr(member, name)
        if current != value:
            setattr(member, name, value)
            changed.append(name)
    if not changed:
        return member
    if "org" in changed:
        require_org_in_scope(actor=actor, org=member.org, perm=MembersPerm.CHANGE)
    errors = validate_member(member)
    if errors:
        raise DomainError(errors)
    _set_indexes(member)
    if "id_number" in changed:
        _check_duplicate(member)
    update_fields = [name + "_id" if name in ("unit", "org", "party_group") else name for name in changed]
    member.save(update_fields=[*update_fields, "id_number_bidx", "id_number_tail", "phone_bidx", "updated_at"])
    record(actor=actor, action=AuditAction.MEMBER_UPDATED, target=member, org=member.org, before=before,
           after=member_snapshot(member), reason=reason)
    events.publish(MembersChanged(member_ids=(member.pk,), org_ids=(member.org_id, before["org"])))
    return member


def _period_dict(period: MembershipPeriod | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {"id": period.pk, "org": period.org_id, "valid_from": period.valid_from, "valid_to": period.valid_to,
            "reason": period.reason, "transfer_ref": period.transfer_ref}


def _close_open_period(member: Member, org_id: int, on: dt.date) -> tuple[MembershipPeriod, dict[str, Any] | None]:
    """Closes the member's open period (at *org_id*) on *on*, locked; returns it and its state before.

    Members written by the bulk paths (imports, demo build) may have no period yet: their history
    starts here, with the period at the current branch from ``joined_on``.
    """
    period = MembershipPeriod.objects.select_for_update().filter(member=member, valid_to__isnull=True).first()
    if period is None:
        period = MembershipPeriod(member=member, org_id=org_id, valid_from=member.joined_on,
                                  reason=PERIOD_REGISTERED)
    before = _period_dict(period) if period.pk else None
    if on < period.valid_from:
        raise DomainError.one(MembersError.BEFORE_PERIOD_START, "on",
                              _("日期不能早于在现党支部的起始日期 %(d)s") % {"d": period.valid_from})
    period.valid_to = on
    if period.pk:
        period.save(update_fields=["valid_to"])
    else:
        period.save()
    return period, before


@transaction.atomic
def member_change_branch(*, actor: Any, member: Member, new_org: Organization, on: dt.date, reason: str,
                         transfer: Any = None) -> Member:
    """Moves a member's organisational relationship to *new_org* from *on*: closes the open membership
    period on *on*, opens one at *new_org*, sets ``Member.org`` and clears the party group (a group
    belongs to its branch) — all in one transaction.

    Permission: ``members.change`` on the current and the new branch. When *transfer* is given (a
    ``transfers.Transfer`` being received), the transfers service has authorised the move instead: the
    sending branch issued the letter and the receiving branch holds ``transfers.change`` on *new_org*
    (DOMAIN §6: the receiving organisation receives), so no grant on the sending branch is needed.
    Audit: ``members.change_branch`` (at the new branch). Event: ``members.changed``.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if transfer is None:
        require_org_in_scope(actor=actor, org=member.org, perm=MembersPerm.CHANGE)
        require_org_in_scope(actor=actor, org=new_org, perm=MembersPerm.CHANGE)
    if new_org.pk == member.org_id:
        raise DomainError.one(MembersError.SAME_BRANCH, "org", _("党员已在该党支部"))
    if on > timezone.localdate():
        raise DomainError.one(MembersError.DATE_IN_FUTURE, "on", _("日期不能晚于今天"))
    snapshot = member_snapshot(member)
    old_org_id = member.org_id
    member.org = new_org
    member.party_group = None
    errors = [e for e in validate_member(member) if e.field in ("org", "party_group")]
    if errors:
        raise DomainError(errors)
    closed, closed_before = _close_open_period(member, old_org_id, on)
    opened = MembershipPeriod.objects.create(member=member, org=new_org, valid_from=on, reason=reason[:200],
                                             transfer_ref=getattr(transfer, "pk", transfer))
    member.save(update_fields=["org", "party_group", "updated_at"])
    record(actor=actor, action=AuditAction.MEMBER_BRANCH_CHANGED, target=member, org=new_org,
           before={"org": snapshot["org"], "party_group": snapshot["party_group"], "period": closed_before},
           after={"org": new_org.pk, "party_group": None, "closed": _period_dict(closed),
                  "opened": _period_dict(opened)},
           reason=reason)
    events.publish(MembersChanged(member_ids=(member.pk,), org_ids=(old_org_id, new_org.pk)))
    return member


@transaction.atomic
def member_leave(*, actor: Any, member: Member, on: dt.date, reason: str, transfer: Any = None) -> Member:
    """The member's organisational relationship left the group (transferred to an outside organisation,
    receipt confirmed): closes the open membership period on *on* and sets the status to 已转出
    (``left``). The row stays, at its last branch, for history; ``left`` is one of the
    ``INACTIVE_STATUSES``, so counts, dues bills and org dissolution no longer see the member.

    Permission: ``members.change`` on the member's branch — or, when *transfer* is given, the transfers
    service has authorised it (the sending branch confirms the receipt, holding ``transfers.change``).
    Audit: ``members.leave``. Event: ``members.changed``.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    if transfer is None:
        require_org_in_scope(actor=actor, org=member.org, perm=MembersPerm.CHANGE)
    if member.status in INACTIVE_STATUSES:
        raise DomainError.one(MembersError.NOT_IN_REGISTER, "status",
                              _("党籍状态为“%(s)s”，不在党员名册中") % {"s": member.get_status_display()})
    if on > timezone.localdate():
        raise DomainError.one(MembersError.DATE_IN_FUTURE, "on", _("日期不能晚于今天"))
    before = {"status": member.status, "party_group": member.party_group_id}
    closed, closed_before = _close_open_period(member, member.org_id, on)
    member.status = MemberStatus.LEFT
    member.party_group = None
    member.save(update_fields=["status", "party_group", "updated_at"])
    record(actor=actor, action=AuditAction.MEMBER_LEFT, target=member, org=member.org,
           before={**before, "period": closed_before},
           after={"status": member.status, "party_group": None, "closed": _period_dict(closed)}, reason=reason)
    events.publish(MembersChanged(member_ids=(member.pk,), org_ids=(member.org_id,)))
    return member


@transaction.atomic
def member_reveal(*, actor: Any, member: Member, field: str, reason: str = "") -> str:
    """Returns an unmasked sensitive value and records who saw it.

    Permission: ``members.reveal`` on the member's branch (checked by the caller's selector).
    Audit: ``members.reveal``.
    """
    if field not in ("id_number", "phone"):
        raise ValueError(field)
    record(actor=actor, action=AuditAction.MEMBER_REVEALED, target=member, org=member.org,
           after={"field": field}, reason=reason)
    return getattr(member, field)


@transaction.atomic
def member_link_user(*, actor: Any, member: Member, user: Any) -> Member:
    """Links a login account to a member (so "my record" works). Audit: ``members.link_user``."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise DomainError.one(MembersError.USER_TAKEN, "user", _("该账号已关联其他党员"))
    before = {"user": member.user_id}
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    record(actor=actor, action=AuditAction.MEMBER_LINKED_USER, target=member, org=member.org, before=before,
           after={"user": user.pk if user else None})
    return member


@transaction.atomic
def seat_assign(*, actor: Any, term: CommitteeTerm, member: Member, position: str, since: dt.date) -> CommitteeSeat:
    """Puts a member into a committee position of a term. The member must belong to the org's subtree.

    Permission: ``orgs.change`` on the org. Audit: ``members.seat_assign``.
    """
    org = term.org
    require_org_in_scope(actor=actor, org=org, perm="orgs.change")
    if not member.org.path.startswith(org.path):
        raise DomainError.one(MembersError.SEAT_ORG, "member", _("委员必须是本组织（含下级组织）的党员"))
    if position == Position.SECRETARY and CommitteeSeat.objects.filter(
        term=term, position=Position.SECRETARY, until__isnull=True
    ).exists():
        raise DomainError.one(MembersError.SEAT_TAKEN, "position", _("本届已有在任书记"))
    seat = CommitteeSeat.objects.create(term=term, member=member, position=position, since=since)
    record(actor=actor, action=AuditAction.SEAT_ASSIGNED, target=seat, org=org,
           after={"member": member.pk, "position": position, "since": since})
    return seat


@transaction.atomic
def seat_end(*, actor: Any, seat: CommitteeSeat, until: dt.date) -> CommitteeSeat:
    """Ends a seat (免职). Audit: ``members.seat_end``."""
    require_org_in_scope(actor=actor, org=seat.term.org, perm="orgs.change")
    seat.until = until
    seat.save(update_fields=["until", "updated_at"])
    record(actor=actor, action=AuditAction.SEAT_ENDED, target=seat, org=seat.term.org, after={"until": until})
    return seat


@transaction.atomic
def members_bulk_create(*, actor: Any, rows: Iterable[dict[str, Any]], org_cache: dict[int, Organization] | None = None,
                        reason: str = "", validate: bool = True, batch_size: int = 2000) -> int:
    """Validated bulk path (demo build, imports): every row passes :func:`validate_member`, then rows
    are inserted in batches. All or nothing. One audit entry per call (``members.bulk_create``)
    summarising the count and the branches touched.
    """
    created = 0
    batch: list[Member] = []
    org_ids: set[int] = set()
    seen: set[str] = set()
    for index, fields in enumerate(rows, start=1):
        member = Member(**normalize_member_input(fields))
        if validate:
            errors = validate_member(member)
            if errors:
                raise DomainError([FieldError(e.code, e.field, e.message, row=index) for e in errors])
        _set_indexes(member)
        if member.id_number_bidx in seen:
            raise DomainError([FieldError(MembersError.ID_NUMBER_DUPLICATE, "id_number",
                                          _("该身份证号码在本批数据中重复"), row=index)])
        seen.add(member.id_number_bidx)
        batch.append(member)
        org_ids.add(member.org_id)
        if len(batch) >= batch_size:
            _insert_batch(batch)
            created += len(batch)
            batch = []
    if batch:
        _insert_batch(batch)
        created += len(batch)
    if created:
        record(actor=actor, action=AuditAction.BULK_IMPORTED_MEMBERS, target=None,
               after={"count": created, "org_count": len(org_ids)}, reason=reason)
        events.publish(MembersChanged(org_ids=tuple(org_ids)))
    return created


def _insert_batch(batch: list[Member]) -> None:
    clashes = set(
        Member.objects.filter(id_number_bidx__in=[m.id_number_bidx for m in batch]).values_list(
            "id_number_bidx", flat=True
        )
    )
    if clashes:
        raise DomainError.one(MembersError.ID_NUMBER_DUPLICATE, "id_number", _("该身份证号码已登记在党员名册中"))
    Member.objects.bulk_create(batch)
