"""The member status machine of DOMAIN §6 (正常 → 流动 → 失联 → 停止党籍 → 除名, and back), with every
move recorded as a :class:`~dangjian.transfers.models.StatusChange` and the register's status written
through ``members.services.member_update``.

A move that the machine does not allow is refused naming the transitions that are possible; a move
that comes too early is refused naming the rule (code and DOMAIN citation) and the first day it
becomes possible (``possible_on``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member
from dangjian.members.services import member_update
from dangjian.orgs.selectors import require_org_in_scope
from dangjian.transfers.choices import DECISION_TRANSITIONS, TRANSITIONS, StatusTransition, TransfersPerm
from dangjian.transfers.errors import TransfersError
from dangjian.transfers.events import MemberStatusChanged
from dangjian.transfers.models import ContactSearch, StatusChange
from dangjian.transfers.rules import (
    RuleCode,
    check_mobile_away,
    check_removal,
    check_restoration,
    check_suspension,
    load_rules,
)
from dangjian.transfers.services.common import (
    actor_user,
    check_not_future,
    search_snapshot,
    status_change_snapshot,
)

__all__ = ["STATE_MACHINE_CITATION", "contact_search_record", "last_status_change", "member_status_change"]

T = StatusTransition
STATE_MACHINE_CITATION = "DOMAIN §6 失联: 正常 → 失联 → 停止党籍 → 除名（《中国共产党党员教育管理工作条例》(2019) 第二十四条）"
_MOBILE_FIELDS = ("destination", "expected_return", "certificate_no")
# Statuses an import may hold without a recorded move: the move into them can be recorded afterwards (补录).
_BACKFILLABLE = {T.GO_MOBILE: MemberStatus.MOBILE, T.LOSE_CONTACT: MemberStatus.LOST, T.SUSPEND: MemberStatus.SUSPENDED}


def last_status_change(member: Member) -> StatusChange | None:
    return StatusChange.objects.filter(member=member).order_by("-effective_on", "-id").first()


def _allowed_from(status: str) -> list[str]:
    return [str(t.label) for t in T if status in TRANSITIONS[t][0]]


def _transition_error(member: Member, transition: str) -> DomainError:
    possible = _allowed_from(member.status)
    return DomainError.one(TransfersError.STATUS_TRANSITION, "transition", _(
        "党籍状态为“%(s)s”的党员不能办理“%(t)s”（可办理：%(p)s；%(c)s）") % {
        "s": member.get_status_display(), "t": T(transition).label, "p": "、".join(possible) or _("无"),
        "c": STATE_MACHINE_CITATION})


@transaction.atomic
def member_status_change(*, actor: Any, member: Member, transition: str, effective_on: dt.date,
                         decision_doc: str = "", decided_by: str = "", reason: str = "", destination: str = "",
                         expected_return: dt.date | None = None, certificate_no: str = "") -> StatusChange:
    """One move of the status machine:

    - 外出流动 (正常 → 流动): destination, expected return, the mobile-member certificate; away 6 months
      or more needs the reason the relationship cannot be transferred (rule ``mobile_max_away``);
    - 流动返回 (流动 → 正常); 失去联系 (正常/流动 → 失联, *effective_on* = the day contact was lost);
      恢复联系 (失联 → 正常);
    - 停止党籍 (失联 → 停止党籍): a decision, no earlier than 6 months after contact was lost and after a
      recorded search (rule ``lost_contact_suspension``);
    - 恢复党籍 (停止党籍 → 正常) before, 除名 (停止党籍 → 出党) from the second anniversary of the
      suspension (rule ``suspension_removal``); both decisions;
    - 去世 from any status still in the register.

    Decisions need the decision document and who approved them. A member's moves are chronological.
    A status the register holds without a recorded move (an import) may have that move recorded once
    (补录), without the time rules. Permission: ``transfers.change`` on the member's branch (and
    ``members.change``, which the register update requires). Audit: ``transfers.status_change`` and
    ``members.update``. Event: ``transfers.status_changed``.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    require_org_in_scope(actor=actor, org=member.org, perm=TransfersPerm.CHANGE)
    if transition not in TRANSITIONS:
        raise DomainError.one(TransfersError.INVALID, "transition", _("变更事项无效"))
    sources, target = TRANSITIONS[transition]
    last = last_status_change(member)
    recorded = last is not None and last.to_status == member.status
    backfill = (not recorded and _BACKFILLABLE.get(transition) == member.status)
    if member.status not in sources and not backfill:
        raise _transition_error(member, transition)
    errors: list[FieldError] = []
    check_not_future(errors, "effective_on", effective_on)
    if last is not None and effective_on < last.effective_on:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "effective_on", _(
            "生效日期不能早于上一次党籍状态变更（%(t)s，%(d)s）") % {
            "t": last.get_transition_display(), "d": last.effective_on}))
    if effective_on < member.joined_on:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "effective_on", _("生效日期不能早于入党日期")))
    if transition in DECISION_TRANSITIONS:
        if not decision_doc.strip():
            errors.append(FieldError(TransfersError.REQUIRED, "decision_doc", _("请填写党组织决定的文号")))
        if not decided_by.strip():
            errors.append(FieldError(TransfersError.REQUIRED, "decided_by", _("请填写批准的党组织或批准人")))
    rules = load_rules()
    if transition == T.GO_MOBILE:
        if not destination.strip():
            errors.append(FieldError(TransfersError.REQUIRED, "destination", _("请填写外出去向")))
        if expected_return is None:
            errors.append(FieldError(TransfersError.REQUIRED, "expected_return", _("请填写预计返回日期")))
        elif expected_return <= effective_on:
            errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "expected_return",
                                     _("预计返回日期应晚于外出日期")))
        elif not backfill:
            violation = check_mobile_away(rules[RuleCode.MOBILE_MAX_AWAY], left_on=effective_on,
                                          expected_return=expected_return, reason=reason)
            if violation:
                errors.append(violation)
    else:
        for name, value in (("destination", destination), ("expected_return", expected_return),
                            ("certificate_no", certificate_no)):
            if value:
                errors.append(FieldError(TransfersError.INVALID, name, _("此项仅在外出流动时填写")))
    if not backfill and not errors:
        errors += _time_rules(member, transition, last, effective_on, rules)
    if errors:
        raise DomainError(errors)
    change = StatusChange.objects.create(
        member=member, org=member.org, transition=transition, from_status=member.status,
        to_status=member.status if backfill else target, effective_on=effective_on,
        decision_doc=decision_doc.strip(), decided_by=decided_by.strip(), reason=reason.strip(),
        destination=destination.strip(), expected_return=expected_return, certificate_no=certificate_no.strip(),
        backfilled=backfill, recorded_by=actor_user(actor),
    )
    if not backfill:
        member_update(actor=actor, member=member, status=target, reason=f"{T(transition).label} {effective_on}")
    record(actor=actor, action=AuditAction.MEMBER_STATUS_CHANGED, target=member, org=member.org,
           before={"status": change.from_status}, after=status_change_snapshot(change), reason=reason)
    events.publish(MemberStatusChanged(status_change_id=change.pk, member_id=member.pk, org_ids=(member.org_id,),
                                       to_status=change.to_status))
    return change


def _time_rules(member: Member, transition: str, last: StatusChange | None, on: dt.date, rules) -> list[FieldError]:
    """The DOMAIN §6 periods, counted from the move that started the current status."""
    if transition not in (T.SUSPEND, T.RESTORE, T.REMOVE):
        return []
    needed = T.LOSE_CONTACT if transition == T.SUSPEND else T.SUSPEND
    if last is None or last.transition != needed:
        return [FieldError(TransfersError.HISTORY_MISSING, "transition", _(
            "没有“%(t)s”的记录，无法计算期限：请先补录%(t)s及其日期") % {"t": T(needed).label})]
    if transition == T.SUSPEND:
        searched = ContactSearch.objects.filter(member=member, searched_on__gte=last.effective_on,
                                                searched_on__lte=on).exists()
        return list(check_suspension(rules[RuleCode.LOST_CONTACT_SUSPENSION], lost_since=last.effective_on, on=on,
                                     searched=searched))
    rule = rules[RuleCode.SUSPENSION_REMOVAL]
    check = check_restoration if transition == T.RESTORE else check_removal
    violation = check(rule, suspended_on=last.effective_on, on=on)
    return [violation] if violation else []


@transaction.atomic
def contact_search_record(*, actor: Any, member: Member, searched_on: dt.date, method: str,
                          result: str = "") -> ContactSearch:
    """Records a search for a lost (or suspended) member — by phone, family, employer, public notice …
    A search since contact was lost is required before the membership is suspended (DOMAIN §6).

    Permission: ``transfers.change`` on the member's branch. Audit: ``transfers.search_record``.
    """
    member = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    require_org_in_scope(actor=actor, org=member.org, perm=TransfersPerm.CHANGE)
    if member.status not in (MemberStatus.LOST, MemberStatus.SUSPENDED):
        raise DomainError.one(TransfersError.MEMBER_STATUS, "member", _(
            "只对失联或停止党籍的党员记录查找情况（现为“%(s)s”）") % {"s": member.get_status_display()})
    errors: list[FieldError] = []
    if not method.strip():
        errors.append(FieldError(TransfersError.REQUIRED, "method", _("请填写查找方式")))
    check_not_future(errors, "searched_on", searched_on)
    last = last_status_change(member)
    if last is not None and searched_on < last.effective_on:
        errors.append(FieldError(TransfersError.DATE_TOO_EARLY, "searched_on", _(
            "查找日期不能早于%(t)s的日期 %(d)s") % {"t": last.get_transition_display(), "d": last.effective_on}))
    if errors:
        raise DomainError(errors)
    search = ContactSearch.objects.create(member=member, org=member.org, searched_on=searched_on,
                                          method=method.strip(), result=result.strip(), recorded_by=actor_user(actor))
    record(actor=actor, action=AuditAction.CONTACT_SEARCH_RECORDED, target=member, org=member.org,
           after=search_snapshot(search))
    return search
