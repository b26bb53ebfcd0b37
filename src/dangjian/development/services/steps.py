"""Recording one of the 25 steps (DOMAIN §5): order, dates, the step's own data, the rules, and the
effects on the pipeline and the member register (admission creates the member, conversion makes
them full)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.parsing import parse_id
from dangjian.development.choices import ConversionOutcome, PersonRole, Stage, StepCode
from dangjian.development.errors import DevelopmentError, RuleViolation
from dangjian.development.events import DevelopmentChanged, MemberAdmitted, MemberConverted
from dangjian.development.models import Pipeline, Step, StepPerson
from dangjian.development.rules import (
    RuleCode,
    RuleSet,
    check_activist_wait,
    check_approval_deadline,
    check_candidate_cultivation,
    check_contacts,
    check_conversion_meeting,
    check_extension,
    check_introducers,
    check_meeting_after_prereview,
    check_notice,
    check_oath,
    check_quorum,
    check_talk,
    check_training,
    load_rules,
    probation_end,
    rule_violation,
    vote_passes,
)
from dangjian.development.services.common import (
    check_not_future,
    lock_pipeline,
    pipeline_snapshot,
    refresh_plan,
    require_register_permission,
    resolve_full_members,
    step_snapshot,
)
from dangjian.development.steps import (
    NOTICE_FIELDS,
    STEPS,
    blocking_prerequisites,
    conversion_round,
    extensions_approved,
    latest,
    repeat_refusal,
)
from dangjian.members.choices import Category, MemberStatus
from dangjian.members.models import Member
from dangjian.members.services import member_create, member_update
from dangjian.orgs.choices import OrgType
from dangjian.orgs.models import Organization

__all__ = ["step_record"]

S = StepCode


@dataclass
class _Ctx:
    actor: Any
    pipeline: Pipeline
    records: list[Step]
    rules: RuleSet
    step: Step
    data: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)
    people: list[tuple[Member, str]] = field(default_factory=list)

    def rule(self, violation: RuleViolation | None) -> None:
        if violation is not None:
            self.errors.append(violation)

    def require(self, name: str, message: str) -> Any:
        value = self.data.get(name)
        if value is None or value == "":
            self.errors.append(FieldError(DevelopmentError.REQUIRED, name, message))
            return None
        return value

    def count(self, name: str, *, required: bool = True) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.errors.append(FieldError(DevelopmentError.REQUIRED, name, _("请填写人数")))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.errors.append(FieldError(DevelopmentError.INVALID, name, _("应为不小于 0 的整数")))
            return None
        return value


def _title(code: str) -> str:
    spec = STEPS[code]
    return _("第%(n)s步 %(t)s") % {"n": spec.number, "t": spec.title}


# --- step-specific checks ---------------------------------------------------------------------------


def _talk(ctx: _Ctx) -> None:
    ctx.rule(check_talk(ctx.rules[RuleCode.TALK_DEADLINE], applied_on=ctx.pipeline.applied_on, talk_on=ctx.step.on))


def _activist_confirm(ctx: _Ctx) -> None:
    ctx.rule(check_activist_wait(ctx.rules[RuleCode.ACTIVIST_MIN_WAIT], applied_on=ctx.pipeline.applied_on,
                                 on=ctx.step.on))


def _contacts(ctx: _Ctx) -> None:
    members = resolve_full_members(ctx.actor, ctx.data.get("contacts"), "contacts", ctx.errors)
    if not any(e.field == "contacts" for e in ctx.errors):
        ctx.rule(check_contacts(ctx.rules[RuleCode.CULTIVATION_CONTACTS], count=len(members)))
    ctx.people = [(m, PersonRole.CONTACT) for m in members]


def _candidate_confirm(ctx: _Ctx) -> None:
    ctx.rule(check_candidate_cultivation(ctx.rules[RuleCode.CANDIDATE_MIN_CULTIVATION],
                                         activist_on=ctx.pipeline.activist_on, on=ctx.step.on))


def _introducers(ctx: _Ctx) -> None:
    members = resolve_full_members(ctx.actor, ctx.data.get("introducers"), "introducers", ctx.errors)
    if not any(e.field == "introducers" for e in ctx.errors):
        ctx.rule(check_introducers(ctx.rules[RuleCode.INTRODUCERS], count=len(members)))
    ctx.people = [(m, PersonRole.INTRODUCER) for m in members]


def _political_review(ctx: _Ctx) -> None:
    passed = ctx.data.get("review_passed")
    if not isinstance(passed, bool):
        ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "review_passed", _("请选择政审结论是否合格")))
    conclusion = (ctx.data.get("conclusion") or "").strip()
    if not conclusion:
        ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "conclusion", _("政治审查须有书面结论")))
    ctx.step.review_passed, ctx.step.conclusion = passed, conclusion


def _training(ctx: _Ctx) -> None:
    days = ctx.count("training_days", required=False)
    hours = ctx.count("class_hours", required=False)
    if days is None and hours is None and not any(e.field in ("training_days", "class_hours") for e in ctx.errors):
        ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "training_days", _("请填写培训天数或学时")))
    elif not any(e.field in ("training_days", "class_hours") for e in ctx.errors):
        ctx.rule(check_training(ctx.rules[RuleCode.TRAINING_MINIMUM], days=days, class_hours=hours))
    ctx.step.training_days, ctx.step.class_hours = days, hours


def _votes(ctx: _Ctx) -> None:
    """Attendance and votes of a branch general meeting (DOMAIN §5 "Admission vote"; the same rules
    apply to conversion): counts consistent, quorum met (else the meeting is invalid and refused);
    the resolution passes with votes for > half of the full members entitled to attend."""
    names = ("entitled", "attending", "votes_for", "votes_against", "votes_abstain")
    values = {name: ctx.count(name) for name in names}
    written = ctx.count("written_opinions", required=False) or 0
    for name, value in values.items():
        setattr(ctx.step, name, value)
    ctx.step.written_opinions = written
    if any(v is None for v in values.values()) or any(e.field == "written_opinions" for e in ctx.errors):
        return
    entitled, attending = values["entitled"], values["attending"]
    total = values["votes_for"] + values["votes_against"] + values["votes_abstain"]
    if attending > entitled:
        ctx.errors.append(FieldError(DevelopmentError.ATTENDANCE_EXCEEDS_ENTITLED, "attending",
                                     _("实到人数（%(a)s）不能超过应到人数（%(e)s）") % {"a": attending, "e": entitled}))
        return
    if written > entitled - attending:
        ctx.errors.append(FieldError(DevelopmentError.ATTENDANCE_EXCEEDS_ENTITLED, "written_opinions",
                                     _("书面表决人数不能超过缺席人数（%(n)s）") % {"n": entitled - attending}))
        return
    if total > attending + written:
        ctx.errors.append(FieldError(DevelopmentError.VOTES_EXCEED_ATTENDANCE, "votes_for",
                                     _("赞成、反对、弃权合计 %(t)s 票，超过实到人数与书面表决之和（%(n)s）") % {
                                         "t": total, "n": attending + written}))
        return
    ctx.rule(check_quorum(ctx.rules[RuleCode.MEETING_QUORUM], entitled=entitled, attending=attending))
    ctx.step.passed = vote_passes(ctx.rules[RuleCode.VOTE_MAJORITY], entitled=entitled, votes_for=values["votes_for"])


def _admission_meeting(ctx: _Ctx) -> None:
    _votes(ctx)
    prereview = latest(ctx.records, S.PREREVIEW)
    ctx.rule(check_meeting_after_prereview(ctx.rules[RuleCode.MEETING_AFTER_PREREVIEW], prereview_on=prereview.on,
                                           on=ctx.step.on))


def _approval(ctx: _Ctx, meeting: Step, rule_code: str) -> None:
    ctx.step.approver = (ctx.require("approver", _("请填写审批人或审批机关")) or "").strip()
    ctx.step.extension_reason = (ctx.data.get("extension_reason") or "").strip()
    ctx.rule(check_approval_deadline(ctx.rules[rule_code], meeting_on=meeting.on, on=ctx.step.on,
                                     extension_reason=ctx.step.extension_reason))


def _admission_approval(ctx: _Ctx) -> None:
    approved = ctx.data.get("approved", True)
    if not isinstance(approved, bool):
        ctx.errors.append(FieldError(DevelopmentError.INVALID, "approved", _("请选择是否批准")))
    ctx.step.approved = approved
    _approval(ctx, latest(ctx.records, S.ADMISSION_MEETING), RuleCode.ADMISSION_APPROVAL_DEADLINE)
    if approved is True:
        require_register_permission(ctx.actor, ctx.pipeline.applicant.org, "approved")


def _placement(ctx: _Ctx) -> None:
    group = ctx.data.get("party_group")
    if group in (None, ""):
        return
    org = ctx.pipeline.applicant.org
    if not isinstance(group, Organization):
        pk = parse_id(group)
        group = Organization.objects.filter(pk=pk).first() if pk is not None else None
    if (group is None or group.org_type != OrgType.GROUP or not group.path.startswith(org.path)
            or group.depth != org.depth + 1):
        ctx.errors.append(FieldError(DevelopmentError.INVALID, "party_group",
                                     _("请选择党支部“%(b)s”下的党小组") % {"b": org.name}))
        return
    ctx.step.party_group = group
    require_register_permission(ctx.actor, org, "party_group")


def _oath(ctx: _Ctx) -> None:
    ctx.rule(check_oath(ctx.rules[RuleCode.OATH_DEADLINE], approved_on=ctx.pipeline.admitted_on, on=ctx.step.on))


def _conversion_meeting(ctx: _Ctx) -> None:
    ctx.rule(check_conversion_meeting(ctx.rules[RuleCode.PROBATION_LENGTH], end=ctx.pipeline.probation_end,
                                      on=ctx.step.on))
    _votes(ctx)
    outcome = ctx.data.get("conversion_outcome")
    months = ctx.data.get("extension_months")
    if outcome not in ConversionOutcome.values:
        ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "conversion_outcome",
                                     _("请选择按期转正、延长预备期或取消预备党员资格")))
        return
    ctx.step.conversion_outcome = outcome
    if outcome == ConversionOutcome.EXTEND:
        if months in (None, "") or isinstance(months, bool) or not isinstance(months, int) or months <= 0:
            ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "extension_months", _("请填写延长的月数（整数）")))
            return
        ctx.rule(check_extension(ctx.rules[RuleCode.PROBATION_EXTENSION], months=months,
                                 previous=extensions_approved(ctx.records)))
        ctx.step.extension_months = months
    elif months not in (None, "", 0):
        ctx.errors.append(FieldError(DevelopmentError.INVALID, "extension_months", _("仅延长预备期时填写延长月数")))


def _conversion_approval(ctx: _Ctx) -> None:
    meeting = latest(conversion_round(ctx.records), S.CONVERSION_MEETING)
    _approval(ctx, meeting, RuleCode.CONVERSION_APPROVAL_DEADLINE)
    ctx.step.approved = True
    ctx.step.conversion_outcome = meeting.conversion_outcome
    ctx.step.extension_months = meeting.extension_months
    if meeting.conversion_outcome != ConversionOutcome.EXTEND:
        require_register_permission(ctx.actor, ctx.pipeline.applicant.org, "approver")


_CHECKS: dict[str, Callable[[_Ctx], None]] = {
    S.TALK: _talk,
    S.ACTIVIST_CONFIRM: _activist_confirm,
    S.CONTACTS: _contacts,
    S.CANDIDATE_CONFIRM: _candidate_confirm,
    S.INTRODUCERS: _introducers,
    S.POLITICAL_REVIEW: _political_review,
    S.TRAINING: _training,
    S.ADMISSION_MEETING: _admission_meeting,
    S.ADMISSION_APPROVAL: _admission_approval,
    S.PLACEMENT: _placement,
    S.OATH: _oath,
    S.CONVERSION_MEETING: _conversion_meeting,
    S.CONVERSION_APPROVAL: _conversion_approval,
}


def _notice(ctx: _Ctx) -> None:
    start, end = ctx.data.get("notice_start"), ctx.data.get("notice_end")
    for name, value in (("notice_start", start), ("notice_end", end)):
        if value not in (None, "") and not isinstance(value, dt.date):
            ctx.errors.append(FieldError(DevelopmentError.INVALID, name, _("日期格式无效")))
            return
    start, end = start or None, end or None
    if start and end and end < start:
        ctx.errors.append(FieldError(DevelopmentError.INVALID, "notice_end", _("公示结束日期不能早于开始日期")))
        return
    check_not_future(end, "notice_end", ctx.errors)
    ctx.step.notice_start, ctx.step.notice_end = start, end
    ctx.errors.extend(check_notice(ctx.rules[RuleCode.PUBLIC_NOTICE], code=ctx.step.code, start=start, end=end,
                                   on=ctx.step.on))


# --- order and dates --------------------------------------------------------------------------------


def _check_order(records: list[Step], code: str) -> None:
    if repeat_refusal(records, code):
        raise DomainError.one(DevelopmentError.STEP_ALREADY_RECORDED, "code",
                              _("%(s)s 已经记录，不能重复办理") % {"s": _title(code)})
    missing = blocking_prerequisites(records, code)
    if not missing:
        return
    failed_review = latest(records, S.POLITICAL_REVIEW)
    if S.POLITICAL_REVIEW in missing and failed_review is not None:
        rule = load_rules()[RuleCode.POLITICAL_REVIEW]
        raise DomainError([rule_violation(rule, "code", _("政治审查结论为不合格，不能发展"))])
    raise DomainError.one(DevelopmentError.STEP_OUT_OF_ORDER, "code",
                          _("步骤顺序不对：办理%(s)s前须先完成 %(m)s") % {
                              "s": _title(code), "m": "、".join(_title(c) for c in missing)})


def _check_date(ctx: _Ctx) -> None:
    on = ctx.step.on
    if not isinstance(on, dt.date):
        ctx.errors.append(FieldError(DevelopmentError.REQUIRED, "on", _("请填写日期")))
        return
    check_not_future(on, "on", ctx.errors)
    pool = conversion_round(ctx.records) if ctx.step.code in (S.CONVERSION_MEETING, S.CONVERSION_APPROVAL) else ctx.records
    previous = [r for r in (latest(pool, req) for req in STEPS[ctx.step.code].requires) if r is not None]
    if ctx.step.code == S.CONVERSION_APPLICATION:
        previous.append(latest(ctx.records, S.ADMISSION_APPROVAL))
    for prior in previous:
        if on < prior.on:
            ctx.errors.append(FieldError(DevelopmentError.DATE_BEFORE_PREVIOUS, "on",
                                         _("不能早于%(s)s的日期 %(d)s") % {"s": _title(prior.code), "d": prior.on}))
            return


# --- effects ----------------------------------------------------------------------------------------


def _close(pipeline: Pipeline, stage: str, on: dt.date, reason: str) -> list[str]:
    pipeline.stage, pipeline.closed_on, pipeline.closed_reason = stage, on, reason
    applicant = pipeline.applicant
    applicant.is_open = False
    applicant.save(update_fields=["is_open", "updated_at"])
    return ["stage", "closed_on", "closed_reason"]


def _apply(ctx: _Ctx) -> tuple[str, list[str]]:
    """Moves the pipeline (and the member register) on; returns the audit action and changed fields."""
    p, step, actor = ctx.pipeline, ctx.step, ctx.actor
    code = step.code
    if code == S.ACTIVIST_CONFIRM:
        p.stage, p.activist_on = Stage.ACTIVIST, step.on
        return AuditAction.DEV_STEP_RECORDED, ["stage", "activist_on"]
    if code == S.CANDIDATE_CONFIRM:
        p.stage, p.candidate_on = Stage.CANDIDATE, step.on
        return AuditAction.DEV_STEP_RECORDED, ["stage", "candidate_on"]
    if code == S.ADMISSION_MEETING and step.passed:
        p.admission_meeting_on = step.on
        return AuditAction.DEV_STEP_RECORDED, ["admission_meeting_on"]
    if code == S.ADMISSION_APPROVAL:
        if not step.approved:
            reason = _("上级党委不批准接收为预备党员")
            return AuditAction.DEV_ADMISSION_REJECTED, _close(p, Stage.CANCELLED, step.on, reason)
        a = p.applicant
        # DOMAIN §5 "Party membership status": membership dates from the branch meeting that passed
        # the admission, once the committee approves; dues are owed from that date too (§1).
        member = member_create(
            actor=actor, reason=_("发展党员：上级党委批准接收为预备党员"),
            name=a.name, gender=a.gender, ethnicity=a.ethnicity, birth_date=a.birth_date, id_number=a.id_number,
            phone=a.phone, education=a.education, job_title=a.job_title, unit=a.unit, org=a.org,
            category=Category.PROBATIONARY, joined_on=p.admission_meeting_on,
        )
        p.member, p.stage, p.admitted_on = member, Stage.PROBATIONARY, step.on
        p.probation_end = probation_end(ctx.rules[RuleCode.PROBATION_LENGTH],
                                        admission_meeting_on=p.admission_meeting_on)
        return AuditAction.DEV_ADMITTED, ["member", "stage", "admitted_on", "probation_end"]
    if code == S.PLACEMENT and step.party_group_id:
        member_update(actor=actor, member=p.member, party_group=step.party_group, reason=_("发展党员：编入党小组"))
        return AuditAction.DEV_STEP_RECORDED, []
    if code == S.CONVERSION_APPROVAL:
        outcome = step.conversion_outcome
        if outcome == ConversionOutcome.EXTEND:
            p.extension_months += step.extension_months
            p.probation_end = probation_end(ctx.rules[RuleCode.PROBATION_LENGTH],
                                            admission_meeting_on=p.admission_meeting_on,
                                            extension_months=p.extension_months)
            return AuditAction.DEV_PROBATION_EXTENDED, ["extension_months", "probation_end"]
        if outcome == ConversionOutcome.CANCEL:
            member_update(actor=actor, member=p.member, status=MemberStatus.EXPELLED,
                          reason=_("发展党员：取消预备党员资格"))
            return AuditAction.DEV_PROBATION_CANCELLED, _close(p, Stage.CANCELLED, step.on, _("取消预备党员资格"))
        # DOMAIN §5 "Conversion": party age counts from the day probation ends, not the approval date.
        member_update(actor=actor, member=p.member, category=Category.FULL, full_member_on=p.probation_end,
                      reason=_("发展党员：预备党员按期转为正式党员"))
        p.stage, p.full_on = Stage.FULL, p.probation_end
        p.applicant.is_open = False
        p.applicant.save(update_fields=["is_open", "updated_at"])
        return AuditAction.DEV_CONVERTED, ["stage", "full_on"]
    return AuditAction.DEV_STEP_RECORDED, []


@transaction.atomic
def step_record(*, actor: Any, pipeline: Pipeline, code: str, on: dt.date, responsible: str = "", notes: str = "",
                document: Any = None, document_ref: str = "", reason: str = "", **data: Any) -> Step:
    """Records one step of DOMAIN §5 for a pipeline.

    Refused with field errors (nothing written): a closed pipeline; a step already recorded or whose
    prerequisites are missing (out of order); a date in the future or before the steps it follows;
    missing or inconsistent step data (introducers, review conclusion, votes exceeding attendance …);
    a blocking rule (each error names the rule, its citation and, when waiting helps, the first date
    the step becomes possible). Warning rules (late talk, late oath …) are stored on the step.

    Effects: stage changes at steps 3, 7, 17 and 24; the admission approval creates the probationary
    member (``members.services.member_create``, joined on the admission meeting's date); the
    conversion approval makes them full from the day probation ends (``member_update``), extends the
    probation, or cancels it (status 出党).
    Permission: ``development.change`` on the applicant's branch (and ``members.change`` where the
    register is written). Audit: ``development.step_record`` / ``.admit`` / ``.admission_reject`` /
    ``.convert`` / ``.probation_extend`` / ``.probation_cancel``. Event: ``development.changed``.
    """
    spec = STEPS.get(code)
    if spec is None or code == S.APPLICATION:
        raise DomainError.one(DevelopmentError.INVALID, "code", _("无效的步骤"))
    unknown = set(data) - set(spec.fields) - set(NOTICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown data for step {code}: {sorted(unknown)}")
    pipeline = lock_pipeline(actor, pipeline)
    if pipeline.is_closed:
        raise DomainError.one(DevelopmentError.PIPELINE_CLOSED, "code", _("发展程序已终止"))
    records = list(pipeline.steps.order_by("id"))
    _check_order(records, code)
    rules = load_rules()
    step = Step(pipeline=pipeline, code=code, number=spec.number, on=on, responsible=(responsible or "").strip(),
                notes=(notes or "").strip(), document_ref=(document_ref or "").strip(),
                recorded_by=actor if getattr(actor, "pk", None) else None)
    ctx = _Ctx(actor=actor, pipeline=pipeline, records=records, rules=rules, step=step, data=data)
    _check_date(ctx)
    if not ctx.errors:
        check = _CHECKS.get(code)
        if check is not None:
            check(ctx)
        _notice(ctx)
    blocking = [e for e in ctx.errors if not getattr(e, "warning", False)]
    if blocking:
        raise DomainError(blocking)
    step.warnings = [{"rule": e.rule, "message": e.message} for e in ctx.errors if getattr(e, "warning", False)]
    if code in (S.ADMISSION_MEETING, S.CONVERSION_MEETING) and step.passed is False:
        step.warnings.append({"rule": RuleCode.VOTE_MAJORITY, "message": _(
            "赞成票未超过应到会有表决权正式党员的半数，决议未通过（可另行召开支部党员大会）")})
    if document:
        step.document = document
    before = pipeline_snapshot(pipeline)
    step.save()
    if ctx.people:
        StepPerson.objects.bulk_create(StepPerson(step=step, member=m, role=role) for m, role in ctx.people)
    action, changed = _apply(ctx)
    changed += refresh_plan(pipeline, [*records, step], rules)
    pipeline.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    org = pipeline.applicant.org
    record(actor=actor, action=action, target=pipeline, org=org, before=before,
           after={**pipeline_snapshot(pipeline), "step": step_snapshot(step, [(m.pk, r) for m, r in ctx.people])},
           reason=reason)
    events.publish(DevelopmentChanged(pipeline_ids=(pipeline.pk,), org_ids=(org.pk,)))
    if action == AuditAction.DEV_ADMITTED:
        events.publish(MemberAdmitted(pipeline_id=pipeline.pk, member_id=pipeline.member_id, org_ids=(org.pk,)))
    elif action == AuditAction.DEV_CONVERTED:
        events.publish(MemberConverted(pipeline_id=pipeline.pk, member_id=pipeline.member_id, org_ids=(org.pk,),
                                       full_member_on=pipeline.full_on))
    return step
