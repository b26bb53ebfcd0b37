"""Hardship relief (减免): approval by the next higher committee, revocation."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.money import ZERO
from dangjian.dues.choices import (
    DuesPerm,
    ReliefKind,
)
from dangjian.dues.errors import DuesError
from dangjian.dues.models import (
    DuesRelief,
)
from dangjian.dues.services.common import _date, _money, _require_member
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

# --------------------------------------------------------------------------------------------- relief

def _next_higher_committee(member: Member) -> Organization | None:
    """The nearest committee (党委) above the member's branch: it approves hardship relief."""
    org = member.org
    prefixes = [org.path[:i] for i in range(Organization.steplen, len(org.path), Organization.steplen)]
    return (
        Organization.objects.filter(path__in=prefixes, org_type=OrgType.COMMITTEE).order_by("-depth").first()
    )


@transaction.atomic
def relief_approve(
    *,
    actor: Any,
    member: Member,
    kind: Any,
    valid_from: Any,
    valid_to: Any,
    approved_by: Organization,
    approved_on: Any,
    amount: Any = None,
    document: str = "",
    reason: str = "",
) -> DuesRelief:
    """Records a hardship reduction or waiver approved by the next-higher Party committee (DOMAIN §1,
    Dues Rules 2008 art. 7). ``amount`` is what the member pays a month while reduced.

    Permission: ``dues.change`` on the approving committee. Audit: ``dues.relief_approve``.
    """
    today = timezone.localdate()
    errors: list[FieldError] = []
    if kind not in ReliefKind.values:
        errors.append(FieldError(DuesError.RELIEF_KIND_INVALID, "kind", _("减免方式应为少交或免交")))
    value = ZERO
    if kind == ReliefKind.REDUCE:
        value = _money(amount, "amount", errors, positive=True, code_invalid=DuesError.RELIEF_AMOUNT_INVALID,
                       code_sign=DuesError.RELIEF_AMOUNT_INVALID)
    start = _date(valid_from, "valid_from", errors, today=today, not_future=False)
    end = _date(valid_to, "valid_to", errors, today=today, not_future=False)
    approved = _date(approved_on, "approved_on", errors, today=today)
    if start and end and end < start:
        errors.append(FieldError(DuesError.RELIEF_RANGE_INVALID, "valid_to", _("有效期截止日不能早于起始日")))
    expected = _next_higher_committee(member)
    if expected is None or approved_by is None or approved_by.pk != expected.pk:
        errors.append(FieldError(DuesError.RELIEF_APPROVER_INVALID, "approved_by",
                                 _("党费减免须由上一级党委批准（%(o)s）") % {"o": expected.name if expected else "—"}))
    if errors:
        raise DomainError(errors)
    _require_member(actor, member)
    require_org_in_scope(actor=actor, org=approved_by, perm=DuesPerm.CHANGE)
    overlap = DuesRelief.objects.filter(member=member, revoked_on__isnull=True, valid_from__lte=end,
                                        valid_to__gte=start).exists()
    if overlap:
        raise DomainError.one(DuesError.RELIEF_OVERLAP, "valid_from", _("与该党员已批准的减免有效期重叠"))
    relief = DuesRelief.objects.create(member=member, kind=kind, amount=value, valid_from=start, valid_to=end,
                                       approved_by=approved_by, approved_on=approved, document=document.strip(),
                                       reason=reason.strip())
    record(actor=actor, action=AuditAction.DUES_RELIEF_APPROVED, target=relief, org=member.org,
           after={"kind": kind, "amount": value, "valid_from": start, "valid_to": end,
                  "approved_by": approved_by.pk, "approved_on": approved, "document": relief.document},
           reason=reason)
    return relief


@transaction.atomic
def relief_revoke(*, actor: Any, relief: DuesRelief, on: dt.date, reason: str = "") -> DuesRelief:
    """Ends a relief early: it no longer applies from *on*. Bills already issued keep their amount.

    Permission: ``dues.change``. Audit: ``dues.relief_revoke``.
    """
    relief = DuesRelief.objects.select_for_update().select_related("member__org").get(pk=relief.pk)
    _require_member(actor, relief.member)
    relief.revoked_on = on
    relief.save(update_fields=["revoked_on", "updated_at"])
    record(actor=actor, action=AuditAction.DUES_RELIEF_REVOKED, target=relief, org=relief.member.org,
           after={"revoked_on": on}, reason=reason)
    return relief
