"""Receiving an application (入党申请), correcting an applicant, and ending a pipeline early."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.crypto import blind_index
from dangjian.core.errors import DomainError, FieldError, errors_from_django
from dangjian.core.idcard import IdNumberError, normalize, parse_id_number
from dangjian.development.choices import DevelopmentPerm, Stage, StepCode
from dangjian.development.errors import DevelopmentError
from dangjian.development.events import DevelopmentChanged
from dangjian.development.models import Applicant, Pipeline, Step
from dangjian.development.rules import RuleCode, check_min_age, load_rules
from dangjian.development.services.common import (
    APPLICANT_FIELDS,
    applicant_snapshot,
    check_not_future,
    lock_pipeline,
    pipeline_snapshot,
    refresh_plan,
    step_snapshot,
    today,
)
from dangjian.development.steps import STEPS
from dangjian.members.choices import ETHNICITIES
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgStatus, OrgType
from dangjian.orgs.selectors import require_org_in_scope

__all__ = ["applicant_create", "applicant_update", "normalize_applicant_input", "pipeline_close"]

_PHONE = re.compile(r"^1\d{10}$")
_CLOSE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)


def normalize_applicant_input(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim text, turn full-width digits into ASCII, upper-case the ID's X (forms, API and imports)."""
    out = {key: value.strip() if isinstance(value, str) else value for key, value in fields.items()}
    if out.get("id_number"):
        out["id_number"] = normalize(out["id_number"])
    if out.get("phone"):
        out["phone"] = normalize(out["phone"]).replace("-", "")
    return out


def _validate_applicant(applicant: Applicant) -> list[FieldError]:
    """The person's own fields: ID number (GB 11643), its agreement with birth date and sex, phone,
    ethnicity, and a branch that is active. Birth date and sex default to those in the ID number."""
    errors: list[FieldError] = []
    parsed = None
    if applicant.id_number:
        try:
            parsed = parse_id_number(applicant.id_number, today=today())
        except IdNumberError as exc:
            errors.append(FieldError(exc.code, "id_number", exc.message))
        else:
            applicant.id_number = parsed.value
            if applicant.birth_date is None:
                applicant.birth_date = parsed.birth_date
            if not applicant.gender:
                applicant.gender = parsed.gender
    try:
        applicant.full_clean(exclude=["id_number_bidx", "id_number_tail", "phone_bidx", "is_open"],
                             validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.extend(e for e in errors_from_django(exc, prefix="development") if e.field != "id_number" or not parsed)
    bad = {e.field for e in errors}
    if parsed is not None:
        if isinstance(applicant.birth_date, dt.date) and applicant.birth_date != parsed.birth_date and "birth_date" not in bad:
            errors.append(FieldError(DevelopmentError.BIRTH_DATE_MISMATCH, "birth_date",
                                     _("出生日期与身份证号码不符（身份证为 %(d)s）") % {"d": parsed.birth_date}))
        if applicant.gender and applicant.gender != parsed.gender and "gender" not in bad:
            errors.append(FieldError(DevelopmentError.GENDER_MISMATCH, "gender", _("性别与身份证号码不符")))
    if applicant.phone and not _PHONE.match(applicant.phone):
        errors.append(FieldError(DevelopmentError.PHONE_INVALID, "phone", _("手机号码应为以 1 开头的 11 位数字")))
    if applicant.ethnicity and applicant.ethnicity not in ETHNICITIES and "ethnicity" not in bad:
        errors.append(FieldError(DevelopmentError.INVALID, "ethnicity", _("民族名称无效")))
    if "birth_date" not in bad:
        check_not_future(applicant.birth_date, "birth_date", errors)
    if applicant.org_id:
        org = applicant.org
        if org.org_type != OrgType.BRANCH:
            errors.append(FieldError(DevelopmentError.ORG_NOT_BRANCH, "org", _("入党申请由党支部受理，请选择党支部")))
        elif org.status != OrgStatus.ACTIVE:
            errors.append(FieldError(DevelopmentError.ORG_DISSOLVED, "org", _("该党支部已撤销")))
    return errors


def _set_indexes(applicant: Applicant) -> None:
    applicant.id_number_bidx = blind_index("id_number", applicant.id_number)
    applicant.id_number_tail = applicant.id_number[-4:]
    applicant.phone_bidx = blind_index("phone", applicant.phone) if applicant.phone else ""


def _check_person(applicant: Applicant) -> list[FieldError]:
    """One open pipeline per ID number; nobody already in the member register."""
    errors = []
    if Member.objects.filter(id_number_bidx=applicant.id_number_bidx).exists():
        errors.append(FieldError(DevelopmentError.ALREADY_MEMBER, "id_number", _("此人已在党员名册中，不能作为入党申请人")))
    others = Applicant.objects.filter(id_number_bidx=applicant.id_number_bidx, is_open=True)
    if applicant.pk:
        others = others.exclude(pk=applicant.pk)
    if others.exists():
        errors.append(FieldError(DevelopmentError.ID_NUMBER_OPEN_PIPELINE, "id_number",
                                 _("此人已有进行中的发展程序（可能在其他党支部）")))
    return errors


@transaction.atomic
def applicant_create(*, actor: Any, applied_on: dt.date, responsible: str = "", notes: str = "",
                     document: Any = None, document_ref: str = "", reason: str = "", **fields: Any) -> Pipeline:
    """Receives an application to join the Party (step 1, 递交入党申请书): the applicant, their pipeline
    at stage 入党申请人, and the first step record.

    Refused: an invalid ID number, a person already in the member register or with an open pipeline,
    an application date in the future or before the 18th birthday (rule ``min_age``).
    Permission: ``development.change`` on the branch. Audit: ``development.applicant_create``.
    Event: ``development.changed``.
    """
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown applicant fields: {sorted(unknown)}")
    applicant = Applicant(**normalize_applicant_input(fields))
    if applicant.org_id:
        require_org_in_scope(actor=actor, org=applicant.org, perm=DevelopmentPerm.CHANGE)
    errors = _validate_applicant(applicant)
    rules = load_rules()
    if not isinstance(applied_on, dt.date):
        errors.append(FieldError(DevelopmentError.REQUIRED, "applied_on", _("请填写递交申请日期")))
    else:
        check_not_future(applied_on, "applied_on", errors)
        if isinstance(applicant.birth_date, dt.date):
            violation = check_min_age(rules[RuleCode.MIN_AGE], birth_date=applicant.birth_date, applied_on=applied_on)
            if violation is not None and not violation.warning:
                errors.append(violation)
    if not errors:
        _set_indexes(applicant)
        errors = _check_person(applicant)
    if errors:
        raise DomainError(errors)
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError:  # a concurrent application for the same person won the race
        raise DomainError.one(DevelopmentError.ID_NUMBER_OPEN_PIPELINE, "id_number", _("此人已有进行中的发展程序"))
    pipeline = Pipeline.objects.create(applicant=applicant, applied_on=applied_on)
    step = Step(pipeline=pipeline, code=StepCode.APPLICATION, number=STEPS[StepCode.APPLICATION].number,
                on=applied_on, responsible=responsible, notes=notes, document_ref=document_ref,
                recorded_by=actor if getattr(actor, "pk", None) else None)
    if document:
        step.document = document
    step.save()
    changed = refresh_plan(pipeline, [step], rules)
    if changed:
        pipeline.save(update_fields=[*changed, "updated_at"])
    record(actor=actor, action=AuditAction.DEV_APPLICANT_CREATED, target=pipeline, org=applicant.org,
           after={"applicant": applicant_snapshot(applicant), "pipeline": pipeline_snapshot(pipeline),
                  "step": step_snapshot(step)}, reason=reason)
    events.publish(DevelopmentChanged(pipeline_ids=(pipeline.pk,), org_ids=(applicant.org_id,)))
    return pipeline


@transaction.atomic
def applicant_update(*, actor: Any, applicant: Applicant, reason: str = "", **fields: Any) -> Applicant:
    """Corrects an applicant's personal fields, or moves them to another branch (both in scope).

    Permission: ``development.change`` on the current and the new branch.
    Audit: ``development.applicant_update``. After admission the member register is the record: the
    member's own page is used instead, so a pipeline past 发展对象 refuses changes here.
    """
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown applicant fields: {sorted(unknown)}")
    applicant = Applicant.objects.select_for_update().select_related("org").get(pk=applicant.pk)
    require_org_in_scope(actor=actor, org=applicant.org, perm=DevelopmentPerm.CHANGE)
    pipeline = Pipeline.objects.get(applicant=applicant)
    if pipeline.stage not in _CLOSE_STAGES:
        raise DomainError.one(DevelopmentError.PIPELINE_CLOSED, None,
                              _("已接收为预备党员或程序已终止，请在党员名册中修改个人信息"))
    before = applicant_snapshot(applicant)
    changed = []
    for name, value in normalize_applicant_input(fields).items():
        if getattr(applicant, name) != value:
            setattr(applicant, name, value)
            changed.append(name)
    if not changed:
        return applicant
    if "org" in changed:
        require_org_in_scope(actor=actor, org=applicant.org, perm=DevelopmentPerm.CHANGE)
    errors = _validate_applicant(applicant)
    if not errors and isinstance(applicant.birth_date, dt.date):
        violation = check_min_age(load_rules()[RuleCode.MIN_AGE], birth_date=applicant.birth_date,
                                  applied_on=pipeline.applied_on)
        if violation is not None and not violation.warning:
            errors.append(violation)
    if not errors:
        _set_indexes(applicant)
        if "id_number" in changed:
            errors = _check_person(applicant)
    if errors:
        raise DomainError(errors)
    update_fields = [name + "_id" if name in ("unit", "org") else name for name in changed]
    applicant.save(update_fields=[*update_fields, "id_number_bidx", "id_number_tail", "phone_bidx", "updated_at"])
    record(actor=actor, action=AuditAction.DEV_APPLICANT_UPDATED, target=applicant, org=applicant.org,
           before=before, after=applicant_snapshot(applicant), reason=reason)
    events.publish(DevelopmentChanged(pipeline_ids=(pipeline.pk,), org_ids=(applicant.org_id, before["org"])))
    return applicant


@transaction.atomic
def pipeline_close(*, actor: Any, pipeline: Pipeline, outcome: str, on: dt.date, reason: str) -> Pipeline:
    """Ends a pipeline before admission: the applicant withdraws (已撤回) or the branch stops the
    procedure (已取消, e.g. after a failed political review). After admission the probation ends only
    through a conversion resolution (extend or cancel).

    Permission: ``development.change`` on the branch. Audit: ``development.pipeline_close``.
    """
    pipeline = lock_pipeline(actor, pipeline)
    errors: list[FieldError] = []
    if pipeline.stage not in _CLOSE_STAGES:
        raise DomainError.one(DevelopmentError.STEP_NOT_CLOSABLE, "outcome",
                              _("已接收为预备党员或程序已终止，不能在此终止；预备党员须经支部大会讨论取消资格"))
    if outcome not in (Stage.WITHDRAWN, Stage.CANCELLED):
        errors.append(FieldError(DevelopmentError.INVALID, "outcome", _("请选择撤回申请或取消发展")))
    if not isinstance(on, dt.date):
        errors.append(FieldError(DevelopmentError.REQUIRED, "on", _("请填写日期")))
    else:
        check_not_future(on, "on", errors)
        if on < pipeline.applied_on:
            errors.append(FieldError(DevelopmentError.DATE_BEFORE_PREVIOUS, "on",
                                     _("不能早于递交申请日期 %(d)s") % {"d": pipeline.applied_on}))
    if not (reason or "").strip():
        errors.append(FieldError(DevelopmentError.REQUIRED, "reason", _("请填写原因")))
    if errors:
        raise DomainError(errors)
    before = pipeline_snapshot(pipeline)
    pipeline.stage = outcome
    pipeline.closed_on = on
    pipeline.closed_reason = reason.strip()
    pipeline.next_step, pipeline.next_possible_on, pipeline.next_due = "", None, None
    pipeline.save(update_fields=["stage", "closed_on", "closed_reason", "next_step", "next_possible_on", "next_due",
                                 "updated_at"])
    applicant = pipeline.applicant
    applicant.is_open = False
    applicant.save(update_fields=["is_open", "updated_at"])
    record(actor=actor, action=AuditAction.DEV_PIPELINE_CLOSED, target=pipeline, org=applicant.org, before=before,
           after=pipeline_snapshot(pipeline), reason=reason)
    events.publish(DevelopmentChanged(pipeline_ids=(pipeline.pk,), org_ids=(applicant.org_id,)))
    return pipeline
