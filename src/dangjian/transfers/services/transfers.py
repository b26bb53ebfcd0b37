"""Writes of organisation-relationship transfers (组织关系转接, DOMAIN §6).

Who acts: the sending branch initiates, issues the introduction letter, cancels, and — for a transfer
out of the group — records the receipt slip; the receiving branch of a transfer inside the group
receives or returns the letter; a branch receiving a member from outside the group registers them.
Each action requires ``transfers.change`` on *its* side: anything else is 404, like a missing
transfer, and writes nothing. The sending branch stays responsible until receipt (DOMAIN §6): the
member stays in its register, an expired letter included, until the receiving branch receives.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.members.models import Member
from dangjian.members.services import member_change_branch, member_create, member_leave
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope
from dangjian.transfers.choices import (
    IN_TRANSIT_STATUSES,
    OPEN_STATUSES,
    TRANSFERABLE_MEMBER_STATUSES,
    TransferKind,
    TransfersPerm,
    TransferStatus,
)
from dangjian.transfers.errors import TransfersError
from dangjian.transfers.events import TransferChanged, TransferReceived
from dangjian.transfers.models import Transfer
from dangjian.transfers.rules import (
    RuleCode,
    check_letter_valid,
    check_validity_days,
    letter_due_on,
    load_rules,
)
from dangjian.transfers.services.common import (
    actor_user,
    check_not_future,
    remap_fields,
    today,
    transfer_snapshot,
)

__all__ = [
    "transfer_cancel",
    "transfer_external_in",
    "transfer_initiate",
    "transfer_issue_letter",
    "transfer_receive",
    "transfer_return",
    "transfers_expire",
]

CHANGE = TransfersPerm.CHANGE


def _lock(transfer: Transfer) -> Transfer:
    # only the transfer row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the org joins
    return (Transfer.objects.select_for_update(of=("self",)).select_related("member", "from_org", "to_org")
            .get(pk=transfer.pk))


def _audit(actor: Any, action: str, transfer: Transfer, org: Organization, before: dict | None, reason: str = ""):
    record(actor=actor, action=action, target=transfer, org=org, before=before, after=transfer_snapshot(transfer),
           reason=reason)


def _changed(transfer: Transfer) -> None:
    events.publish(TransferChanged(transfer_id=transfer.pk, member_id=transfer.member_id,
                                   org_ids=(transfer.from_org_id, transfer.to_org_id)))


def _check_destination(errors: list[FieldError], to_org: Organization | None, current: Organization) -> None:
    if to_org is None:
        errors.append(FieldError(TransfersError.REQUIRED, "to_org", _("请填写接收党组织")))
    elif to_org.status == OrgStatus.DISSOLVED:
        errors.append(FieldError(TransfersError.ORG_DISSOLVED, "to_org",
                                 _("接收党组织“%(o)s”已撤销") % {"o": to_org.name}))
    elif to_org.org_type != OrgType.BRANCH:
        errors.append(FieldError(TransfersError.ORG_NOT_BRANCH, "to_org",
                                 _("组织关系只能转入党支部，“%(o)s”不是党支部") % {"o": to_org.name}))
    elif to_org.pk == current.pk:
        errors.append(FieldError(TransfersError.SAME_ORG, "to_org", _("接收党组织与党员现所在党支部相同")))


def _check_letter(errors: list[FieldError], *, letter_no: str, issued_on: dt.date | None,
                  validity_days: int | None) -> tuple[int | None, dt.date | None]:
    """The letter's number, date and validity (rule ``letter_validity``): returns (days, due date)."""
    rule = load_rules()[RuleCode.LETTER_VALIDITY]
    if not letter_no.strip():
        errors.append(FieldError(TransfersError.REQUIRED, "letter_no", _("请填写介绍信编号")))
    if issued_on is None:
        errors.append(FieldError(TransfersError.REQUIRED, "issued_on", _("请填写介绍信开具日期")))
    check_not_future(errors, "issued_on", issued_on)
    days = rule["days"] if validity_days is None else validity_days
    violation = check_validity_days(rule, days=days)
    if violation:
        errors.append(violation)
    if issued_on is None or violation:
        return days, None
    return days, letter_due_on(issued_on, days)


@transaction.atomic
def transfer_initiate(*, actor: Any, member: Member, kind: str, to_org: Organization | None = None,
                      outside_org_name: str = "", letter_no: str = "", issued_on: dt.date | None = None,
                      validity_days: int | None = None, notes: str = "", reason: str = "") -> Transfer:
    """Starts a transfer out of the member's branch: to another branch of the group (``internal_out``)
    or to an organisation outside it (``external_out``). With a letter number and date the letter is
    issued at once (status 转接中, due date from rule ``letter_validity``), else a draft is saved.

    Refused: a destination that is dissolved, not a branch or the member's own branch (field
    ``to_org``); a member with an open transfer (``member``) or not 正常/流动; a letter dated in the
    future or with a validity outside the rule.
    Permission: ``transfers.change`` on the member's branch. Audit: ``transfers.initiate``.
    Event: ``transfers.changed``.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    require_org_in_scope(actor=actor, org=member.org, perm=CHANGE)
    errors: list[FieldError] = []
    if kind not in (TransferKind.INTERNAL, TransferKind.EXTERNAL_OUT):
        raise DomainError.one(TransfersError.INVALID, "kind", _("转接类型应为系统内转接或转出到系统外"))
    if member.status not in TRANSFERABLE_MEMBER_STATUSES:
        errors.append(FieldError(TransfersError.MEMBER_STATUS, "member", _(
            "党籍状态为“%(s)s”的党员不能转接组织关系") % {"s": member.get_status_display()}))
    open_transfer = Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).first()
    if open_transfer is not None:
        errors.append(FieldError(TransfersError.IN_TRANSIT, "member", _(
            "该党员已有未办结的组织关系转接（编号 %(n)s，%(s)s），请先办结或撤销") % {
            "n": open_transfer.pk, "s": open_transfer.get_status_display()}))
    if kind == TransferKind.INTERNAL:
        _check_destination(errors, to_org, member.org)
        outside_org_name = ""
    else:
        if to_org is not None:
            errors.append(FieldError(TransfersError.INVALID, "to_org", _("转出到系统外时不填写系统内接收党组织")))
        if not outside_org_name.strip():
            errors.append(FieldError(TransfersError.REQUIRED, "outside_org_name", _("请填写接收的系统外党组织名称")))
    send = bool(letter_no.strip() or issued_on)
    days = due = None
    if send:
        days, due = _check_letter(errors, letter_no=letter_no, issued_on=issued_on, validity_days=validity_days)
    if errors:
        raise DomainError(errors)
    transfer = Transfer.objects.create(
        kind=kind, status=TransferStatus.SENT if send else TransferStatus.DRAFT, member=member, from_org=member.org,
        to_org=to_org if kind == TransferKind.INTERNAL else None, outside_org_name=outside_org_name.strip(),
        letter_no=letter_no.strip(), issued_on=issued_on if send else None, validity_days=days, due_on=due,
        notes=notes, initiated_by=actor_user(actor),
    )
    _audit(actor, AuditAction.TRANSFER_INITIATED, transfer, member.org, None, reason)
    _changed(transfer)
    return transfer


@transaction.atomic
def transfer_issue_letter(*, actor: Any, transfer: Transfer, letter_no: str, issued_on: dt.date,
                          validity_days: int | None = None, reason: str = "") -> Transfer:
    """Issues the introduction letter of a draft, or reissues it (new number and date, new due date)
    for a letter not yet received — e.g. one that expired: the sending branch is still responsible.

    Permission: ``transfers.change`` on the sending branch. Audit: ``transfers.issue_letter``.
    """
    transfer = _lock(transfer)
    if transfer.kind == TransferKind.EXTERNAL_IN:
        raise DomainError.one(TransfersError.WRONG_KIND, "kind", _("系统外转入的组织关系由接收党支部登记，无须开具介绍信"))
    require_org_in_scope(actor=actor, org=transfer.from_org, perm=CHANGE)
    if transfer.status not in OPEN_STATUSES:
        raise DomainError.one(TransfersError.WRONG_STATUS, "status", _("转接已%(s)s，不能开具介绍信") % {
            "s": transfer.get_status_display()})
    errors: list[FieldError] = []
    if transfer.kind == TransferKind.INTERNAL and transfer.to_org.status == OrgStatus.DISSOLVED:
        errors.append(FieldError(TransfersError.ORG_DISSOLVED, "to_org", _("接收党组织“%(o)s”已撤销") % {
            "o": transfer.to_org.name}))
    days, due = _check_letter(errors, letter_no=letter_no, issued_on=issued_on, validity_days=validity_days)
    if transfer.issued_on and issued_on and issued_on < transfer.issued_on:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "issued_on", _(
            "重新开具的日期不能早于原介绍信的开具日期 %(d)s") % {"d": transfer.issued_on}))
    if errors:
        raise DomainError(errors)
    before = transfer_snapshot(transfer)
    transfer.letter_no, transfer.issued_on, transfer.validity_days, transfer.due_on = (
        letter_no.strip(), issued_on, days, due)
    transfer.status = TransferStatus.SENT
    transfer.save(update_fields=["letter_no", "issued_on", "validity_days", "due_on", "status", "updated_at"])
    _audit(actor, AuditAction.TRANSFER_LETTER_ISSUED, transfer, transfer.from_org, before, reason)
    _changed(transfer)
    return transfer


def _check_receipt(errors: list[FieldError], transfer: Transfer, received_on: dt.date) -> None:
    check_not_future(errors, "received_on", received_on)
    if received_on < transfer.issued_on:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "received_on", _(
            "接收日期不能早于介绍信开具日期 %(d)s") % {"d": transfer.issued_on}))
    violation = check_letter_valid(load_rules()[RuleCode.LETTER_VALIDITY], due_on=transfer.due_on,
                                   received_on=received_on)
    if violation:
        errors.append(violation)


@transaction.atomic
def transfer_receive(*, actor: Any, transfer: Transfer, received_on: dt.date, notes: str = "") -> Transfer:
    """The relationship arrives, within the letter's validity (rule ``letter_validity``).

    - inside the group: the receiving branch receives; in the same transaction the member changes
      branch (``members.services.member_change_branch``: the membership period at the sending branch
      closes on *received_on* and one at the receiving branch opens);
    - out of the group: the sending branch records the receipt slip (回执) of the outside organisation;
      the member leaves the register (``members.services.member_leave``: status 已转出).

    Permission: ``transfers.change`` on the receiving branch (inside) or the sending branch (out).
    Audit: ``transfers.receive`` plus the register's own entry. Event: ``transfers.received``.
    """
    transfer = _lock(transfer)
    if transfer.kind == TransferKind.EXTERNAL_IN:
        raise DomainError.one(TransfersError.WRONG_KIND, "kind", _("系统外转入的组织关系在登记时已接收"))
    internal = transfer.kind == TransferKind.INTERNAL
    side = transfer.to_org if internal else transfer.from_org
    require_org_in_scope(actor=actor, org=side, perm=CHANGE)
    if transfer.status not in IN_TRANSIT_STATUSES:
        raise DomainError.one(TransfersError.WRONG_STATUS, "status", _("转接状态为“%(s)s”，不能接收") % {
            "s": transfer.get_status_display()})
    errors: list[FieldError] = []
    _check_receipt(errors, transfer, received_on)
    member = transfer.member
    if member.status not in TRANSFERABLE_MEMBER_STATUSES:
        errors.append(FieldError(TransfersError.MEMBER_STATUS, "member", _(
            "党员的党籍状态已变为“%(s)s”，不能接收") % {"s": member.get_status_display()}))
    if internal and transfer.to_org.status == OrgStatus.DISSOLVED:
        errors.append(FieldError(TransfersError.ORG_DISSOLVED, "to_org", _("接收党组织“%(o)s”已撤销") % {
            "o": transfer.to_org.name}))
    if errors:
        raise DomainError(errors)
    before = transfer_snapshot(transfer)
    reason = _("组织关系转接（介绍信 %(n)s）") % {"n": transfer.letter_no}
    try:
        if internal:
            member_change_branch(actor=actor, member=member, new_org=transfer.to_org, on=received_on,
                                 reason=reason, transfer=transfer)
        else:
            member_leave(actor=actor, member=member, on=received_on,
                         reason=_("组织关系转出到 %(o)s（介绍信 %(n)s）") % {
                             "o": transfer.outside_org_name, "n": transfer.letter_no},
                         transfer=transfer)
    except DomainError as exc:
        raise DomainError(remap_fields(exc, {"on": "received_on", "org": "to_org"})) from exc
    transfer.status = TransferStatus.RECEIVED
    transfer.received_on = received_on
    transfer.received_by = actor_user(actor)
    if notes.strip():
        transfer.notes = (transfer.notes + "\n" + notes).strip()
    transfer.save(update_fields=["status", "received_on", "received_by", "notes", "updated_at"])
    _audit(actor, AuditAction.TRANSFER_RECEIVED, transfer, side, before)
    events.publish(TransferReceived(transfer_id=transfer.pk, member_id=member.pk,
                                    org_ids=(transfer.from_org_id, transfer.to_org_id)))
    return transfer


def _close(actor: Any, transfer: Transfer, *, on: dt.date, reason: str, status: str, action: str,
           side: Organization, allowed: tuple[str, ...]) -> Transfer:
    require_org_in_scope(actor=actor, org=side, perm=CHANGE)
    if transfer.status not in allowed:
        raise DomainError.one(TransfersError.WRONG_STATUS, "status", _("转接状态为“%(s)s”，不能办理") % {
            "s": transfer.get_status_display()})
    errors: list[FieldError] = []
    if not reason.strip():
        errors.append(FieldError(TransfersError.REQUIRED, "reason", _("请写明原因（党组织不得无故拒绝转接）")))
    check_not_future(errors, "on", on)
    start = transfer.issued_on or transfer.created_at.date()
    if on < start:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "on", _("日期不能早于 %(d)s") % {"d": start}))
    if errors:
        raise DomainError(errors)
    before = transfer_snapshot(transfer)
    transfer.status, transfer.closed_on, transfer.closed_reason = status, on, reason.strip()
    transfer.save(update_fields=["status", "closed_on", "closed_reason", "updated_at"])
    _audit(actor, action, transfer, side, before, reason)
    _changed(transfer)
    return transfer


@transaction.atomic
def transfer_return(*, actor: Any, transfer: Transfer, on: dt.date, reason: str) -> Transfer:
    """The letter is returned unreceived (退回), with the reason — DOMAIN §6: no organisation refuses
    without reason. Inside the group the receiving branch returns it; for a transfer out of the group
    the sending branch records that the outside organisation returned it. The member stays where
    they are; the sending branch may start a new transfer.

    Permission: ``transfers.change`` on the receiving (inside) or sending (out) branch.
    Audit: ``transfers.return``.
    """
    transfer = _lock(transfer)
    if transfer.kind == TransferKind.EXTERNAL_IN:
        raise DomainError.one(TransfersError.WRONG_KIND, "kind", _("系统外转入的组织关系在登记时已接收"))
    side = transfer.to_org if transfer.kind == TransferKind.INTERNAL else transfer.from_org
    return _close(actor, transfer, on=on, reason=reason, status=TransferStatus.RETURNED,
                  action=AuditAction.TRANSFER_RETURNED, side=side, allowed=IN_TRANSIT_STATUSES)


@transaction.atomic
def transfer_cancel(*, actor: Any, transfer: Transfer, on: dt.date, reason: str) -> Transfer:
    """The sending branch withdraws a transfer not yet received (draft, in transit or expired).

    Permission: ``transfers.change`` on the sending branch. Audit: ``transfers.cancel``.
    """
    transfer = _lock(transfer)
    if transfer.kind == TransferKind.EXTERNAL_IN:
        raise DomainError.one(TransfersError.WRONG_KIND, "kind", _("系统外转入的组织关系在登记时已接收"))
    return _close(actor, transfer, on=on, reason=reason, status=TransferStatus.CANCELLED,
                  action=AuditAction.TRANSFER_CANCELLED, side=transfer.from_org, allowed=OPEN_STATUSES)


@transaction.atomic
def transfer_external_in(*, actor: Any, to_org: Organization, outside_org_name: str, letter_no: str,
                         issued_on: dt.date | None, received_on: dt.date | None, validity_days: int | None = None,
                         notes: str = "", reason: str = "", member: dict[str, Any]) -> Transfer:
    """A member arrives from an organisation outside the group with an introduction letter: the
    receiving branch registers them (``members.services.member_create``, membership period from
    *received_on*) and the transfer is recorded as received. Every problem — the letter (number, dates,
    validity) and the person (ID number, duplicate, dates …) — is reported at once; nothing is written.

    Permission: ``transfers.change`` and ``members.change`` on the receiving branch.
    Audit: ``transfers.external_in`` plus ``members.create``. Event: ``transfers.received``.
    """
    require_org_in_scope(actor=actor, org=to_org, perm=CHANGE)
    errors: list[FieldError] = []
    if not outside_org_name.strip():
        errors.append(FieldError(TransfersError.REQUIRED, "outside_org_name", _("请填写转出的系统外党组织名称")))
    days, due = _check_letter(errors, letter_no=letter_no, issued_on=issued_on, validity_days=validity_days)
    if received_on is None:
        errors.append(FieldError(TransfersError.REQUIRED, "received_on", _("请填写接收日期")))
    elif issued_on is not None and due is not None:
        draft = Transfer(issued_on=issued_on, due_on=due)
        _check_receipt(errors, draft, received_on)
    else:
        check_not_future(errors, "received_on", received_on)
    created = None
    try:
        with transaction.atomic():
            created = member_create(
                actor=actor, since=received_on, reason=reason,
                period_reason=(_("组织关系从系统外转入（%(o)s，介绍信 %(n)s）") % {
                    "o": outside_org_name.strip(), "n": letter_no.strip()})[:200],
                **{**member, "org": to_org})
    except DomainError as exc:
        errors += remap_fields(exc, {"org": "to_org"})
    if errors:
        raise DomainError(errors)
    transfer = Transfer.objects.create(
        kind=TransferKind.EXTERNAL_IN, status=TransferStatus.RECEIVED, member=created, to_org=to_org,
        outside_org_name=outside_org_name.strip(), letter_no=letter_no.strip(), issued_on=issued_on,
        validity_days=days, due_on=due, received_on=received_on, received_by=actor_user(actor), notes=notes,
        initiated_by=actor_user(actor),
    )
    _audit(actor, AuditAction.TRANSFER_EXTERNAL_IN, transfer, to_org, None, reason)
    events.publish(TransferReceived(transfer_id=transfer.pk, member_id=created.pk, org_ids=(to_org.pk,)))
    return transfer


@transaction.atomic
def transfers_expire(*, on: dt.date | None = None) -> int:
    """Marks letters past their due date and still unreceived as 介绍信已过期 (the daily task). The
    transfer stays open — the sending branch remains responsible and reissues or cancels. Running it
    twice changes nothing the second time. Audit: one ``transfers.expire`` entry with the count.
    """
    on = on or today()
    stale = Transfer.objects.filter(status=TransferStatus.SENT, due_on__lt=on)
    count = stale.update(status=TransferStatus.EXPIRED, updated_at=timezone.now())
    if count:
        record(actor=None, action=AuditAction.TRANSFERS_EXPIRED, after={"count": count, "as_of": on})
    return count
