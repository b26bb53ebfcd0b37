"""Shared helpers of the development services: snapshots for the audit log, date checks, people."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError, FieldError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.parsing import parse_id
from dangjian.development.choices import DevelopmentPerm
from dangjian.development.errors import DevelopmentError
from dangjian.development.models import Applicant, Pipeline, Step
from dangjian.development.plan import compute_plan
from dangjian.development.rules import RuleSet
from dangjian.members.choices import Category, MembersPerm, MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_can, require_org_in_scope

__all__ = [
    "APPLICANT_FIELDS",
    "applicant_snapshot",
    "check_not_future",
    "lock_pipeline",
    "pipeline_snapshot",
    "refresh_plan",
    "require_register_permission",
    "resolve_full_members",
    "step_snapshot",
    "today",
]

APPLICANT_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "education", "job_title", "unit", "org",
)
_PIPELINE_FIELDS = (
    "stage", "applied_on", "activist_on", "candidate_on", "admission_meeting_on", "admitted_on", "extension_months",
    "probation_end", "full_on", "closed_on", "closed_reason", "member_id", "next_step", "next_possible_on", "next_due",
)
_STEP_FIELDS = (
    "code", "number", "on", "responsible", "notes", "document_ref", "review_passed", "conclusion", "training_days",
    "class_hours", "notice_start", "notice_end", "entitled", "attending", "written_opinions", "votes_for",
    "votes_against", "votes_abstain", "passed", "conversion_outcome", "extension_months", "approver", "approved",
    "extension_reason", "party_group_id", "warnings",
)


def today() -> dt.date:
    return timezone.localdate()


def applicant_snapshot(applicant: Applicant) -> dict[str, Any]:
    """Audit snapshot of an applicant: ID number and phone masked."""
    data = {name: getattr(applicant, name + "_id" if name in ("unit", "org") else name) for name in APPLICANT_FIELDS}
    data["id_number"] = mask_id_number(applicant.id_number)
    data["phone"] = mask_phone(applicant.phone)
    return data


def pipeline_snapshot(pipeline: Pipeline) -> dict[str, Any]:
    return {name: getattr(pipeline, name) for name in _PIPELINE_FIELDS}


def step_snapshot(step: Step, people: Iterable[tuple[int, str]] = ()) -> dict[str, Any]:
    data = {name: getattr(step, name) for name in _STEP_FIELDS}
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    if step.document:
        data["document"] = step.document.name
    people = list(people)
    if people:
        data["people"] = [{"member": pk, "role": role} for pk, role in people]
    return data


def check_not_future(value: dt.date | None, field: str, errors: list[FieldError]) -> None:
    if isinstance(value, dt.date) and value > today():
        errors.append(FieldError(DevelopmentError.DATE_IN_FUTURE, field, _("日期不能晚于今天")))


def lock_pipeline(actor: Any, pipeline: Pipeline, perm: str = DevelopmentPerm.CHANGE) -> Pipeline:
    """Re-reads the pipeline locked for update, and 404 unless its branch is in the actor's scope."""
    locked = Pipeline.objects.select_for_update().select_related("applicant", "applicant__org").get(pk=pipeline.pk)
    require_org_in_scope(actor=actor, org=locked.applicant.org, perm=perm)
    return locked


def require_register_permission(actor: Any, org: Organization, field: str) -> None:
    """Admission and conversion write the member register: the actor also needs ``members.change``."""
    if actor is not None and not org_can(actor=actor, org=org, perm=MembersPerm.CHANGE):
        raise DomainError.one(DevelopmentError.INVALID, field,
                              _("本步骤将写入党员名册，需要“维护党员”权限（members.change）"))


def _people_queryset(actor: Any) -> QuerySet[Member]:
    if actor is None:
        return Member.objects.all()
    return Member.objects.for_actor(actor, MembersPerm.VIEW)


def resolve_full_members(actor: Any, raw: Any, field: str, errors: list[FieldError]) -> list[Member]:
    """Members named by primary key who are full members in normal standing (introducers, contacts).

    Probationary members cannot introduce (DOMAIN §5 "Introducers"); a member the actor cannot see is
    reported as not found, like a missing one.
    """
    values = list(raw or [])
    ids: list[int] = []
    for value in values:
        pk = parse_id(value)
        if pk is None:
            errors.append(FieldError(DevelopmentError.PERSON_NOT_FOUND, field, _("无效的党员编号：%(v)s") % {"v": value}))
            return []
        ids.append(pk)
    if len(set(ids)) != len(ids):
        errors.append(FieldError(DevelopmentError.PERSON_DUPLICATE, field, _("同一名党员不能重复填写")))
        return []
    found = {m.pk: m for m in _people_queryset(actor).filter(pk__in=ids)}
    members = []
    for pk in ids:
        member = found.get(pk)
        if member is None:
            errors.append(FieldError(DevelopmentError.PERSON_NOT_FOUND, field,
                                     _("未找到编号为 %(pk)s 的党员，或不在您的查看范围内") % {"pk": pk}))
        elif member.category != Category.FULL or member.status != MemberStatus.NORMAL:
            errors.append(FieldError(DevelopmentError.PERSON_NOT_FULL_MEMBER, field,
                                     _("%(name)s 不是党籍正常的正式党员") % {"name": member.name}))
        else:
            members.append(member)
    return members


def refresh_plan(pipeline: Pipeline, records: list[Step], rules: RuleSet) -> list[str]:
    """Stores the next step and its dates on the pipeline; returns the changed field names."""
    plan = compute_plan(pipeline, records, rules)
    primary = plan.primary
    values = {
        "next_step": primary.code if primary else "",
        "next_possible_on": primary.possible_on if primary else None,
        "next_due": plan.due,
    }
    changed = []
    for name, value in values.items():
        if getattr(pipeline, name) != value:
            setattr(pipeline, name, value)
            changed.append(name)
    return changed
