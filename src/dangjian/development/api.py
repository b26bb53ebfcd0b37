"""REST endpoints of member development (发展党员): reads through selectors, writes through services.

ID numbers and phones of applicants are always masked here (the xlsx register is the one place a
caller holding ``members.reveal`` gets them unmasked, audited). A pipeline outside the caller's scope
is "not found" (404), exactly like a missing one.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Status

from dangjian.core.api import MAX_ID, Router
from dangjian.core.errors import DomainError, FieldError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.pagination import keyset_page
from dangjian.core.rules_api import rule_operations
from dangjian.development.choices import DevelopmentPerm
from dangjian.development.errors import DevelopmentError
from dangjian.development.models import Pipeline, Step
from dangjian.development.schemas import (
    ApplicantCreateIn,
    ApplicantUpdateIn,
    BoardOut,
    BoardQuery,
    CloseIn,
    DevelopmentRuleIn,
    PipelineDetailOut,
    PipelineFilters,
    PipelinePageOut,
    StepIn,
    StepOut,
)
from dangjian.development.selectors import (
    pipeline_board,
    pipeline_get,
    pipeline_list,
    pipeline_timeline,
    step_get,
)
from dangjian.development.services import (
    applicant_create,
    applicant_update,
    pipeline_close,
    rule_update,
    step_record,
)
from dangjian.development.services.rules_admin import RULESET
from dangjian.development.steps import NOTICE_FIELDS, STEPS
from dangjian.orgs.api import org_ref_or_error
from dangjian.orgs.errors import OrgsError
from dangjian.orgs.selectors import org_child_by_code, unit_get_by_code

__all__ = ["router"]

router = Router(app="development")

PipelineId = PathEx[int, P(ge=1, le=MAX_ID, description="发展程序 id")]
_COMMON_STEP_FIELDS = ("code", "on", "responsible", "notes", "document_ref", "reason")


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "code": obj.code, "name": obj.name} if obj is not None else None


def _list_item(p: Pipeline, today) -> dict[str, Any]:
    a = p.applicant
    return {
        "id": p.pk, "stage": p.stage, "name": a.name, "org": _ref(a.org), "id_number": mask_id_number(a.id_number),
        "applied_on": p.applied_on, "activist_on": p.activist_on, "candidate_on": p.candidate_on,
        "next_step": p.next_step or None, "next_possible_on": p.next_possible_on, "next_due": p.next_due,
        "overdue": p.next_due is not None and p.next_due < today,
    }


def _step(step: Step) -> dict[str, Any]:
    return {
        **{name: getattr(step, name) for name in (
            "id", "code", "number", "on", "responsible", "notes", "document_ref", "review_passed", "conclusion",
            "training_days", "class_hours", "notice_start", "notice_end", "entitled", "attending",
            "written_opinions", "votes_for", "votes_against", "votes_abstain", "passed", "extension_months",
            "approver", "approved", "extension_reason", "warnings")},
        "conversion_outcome": step.conversion_outcome or None,
        "document": step.document.name if step.document else None,
        "people": [{"member_id": sp.member_id, "name": sp.member.name, "role": sp.role}
                   for sp in step.step_people.all()],
        "party_group": step.party_group.code if step.party_group_id else None,
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    timeline = pipeline_timeline(actor=actor, pk=pk)
    p, a, today = timeline.pipeline, timeline.pipeline.applicant, timeline.today
    steps = [record for _phase, _label, rows in timeline.phases for row in rows for record in row.records]
    return {
        "id": p.pk, "stage": p.stage,
        "applicant": {
            "id": a.pk, "name": a.name, "gender": a.gender, "ethnicity": a.ethnicity, "birth_date": a.birth_date,
            "id_number": mask_id_number(a.id_number), "phone": mask_phone(a.phone), "education": a.education or None,
            "job_title": a.job_title, "unit": _ref(a.unit), "org": _ref(a.org),
        },
        **{name: getattr(p, name) for name in (
            "applied_on", "activist_on", "candidate_on", "admission_meeting_on", "admitted_on", "probation_end",
            "extension_months", "full_on", "closed_on", "closed_reason", "member_id")},
        "steps": [_step(s) for s in sorted(steps, key=lambda s: s.pk)],
        "next": [{"code": n.code, "number": n.number, "title": n.title, "possible_on": n.possible_on,
                  "due": n.due, "overdue": n.overdue(today)} for n in timeline.plan.steps],
    }


def _org_and_unit(actor: Any, fields: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    out = dict(fields)
    if "org" in fields:
        try:
            out["org"] = org_ref_or_error(actor=actor, ref=fields["org"], field="org", perm=DevelopmentPerm.CHANGE)
        except DomainError as exc:
            errors += exc.errors
    if fields.get("unit"):
        out["unit"] = unit_get_by_code(actor=actor, code=fields["unit"])
        if out["unit"] is None:
            errors.append(FieldError(OrgsError.UNKNOWN_UNIT, "unit", _("工作单位代码不存在")))
    elif "unit" in fields:
        out["unit"] = None
    if "education" in out:
        out["education"] = out["education"] or ""
    if "gender" in out:
        out["gender"] = out["gender"] or ""
    if errors:
        raise DomainError(errors)
    return out


@router.get(
    "/pipelines",
    perm=DevelopmentPerm.VIEW,
    response=PipelinePageOut,
    operation_id="development_pipelines_list",
    summary="发展党员列表",
    description="""
        您数据范围内的发展程序（入党申请人、积极分子、发展对象、预备党员……），按 id 升序，键集分页。
        筛选：`org`（组织代码或 id，含下级）、`stage`、`q`（姓名片段、完整身份证号或后 4 位）、`overdue`。
        每项给出下一步、最早可办日期和期限（`overdue`：期限已过）。身份证号脱敏。
    """,
)
def development_pipelines_list(request, filters: Query[PipelineFilters]):
    actor = request.auth
    org = None
    if filters.org:
        org = org_ref_or_error(actor=actor, ref=filters.org, field="org", perm=DevelopmentPerm.VIEW, by_id=True)
    today = timezone.localdate()
    qs = pipeline_list(actor=actor, org=org, stage=filters.stage, q=(filters.q or "").strip() or None,
                       overdue=filters.overdue, today=today)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_list_item(p, today) for p in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/board",
    perm=DevelopmentPerm.VIEW,
    response=BoardOut,
    operation_id="development_board",
    summary="发展党员看板",
    description="""
        按阶段分列（入党申请人、积极分子、发展对象、预备党员、正式党员）：每列的人数、逾期人数，
        以及按期限排序的前 `limit` 人。`org`：只看该组织及其下级。
    """,
)
def development_board(request, query: Query[BoardQuery]):
    actor = request.auth
    org = None
    if query.org:
        org = org_ref_or_error(actor=actor, ref=query.org, field="org", perm=DevelopmentPerm.VIEW, by_id=True)
    board = pipeline_board(actor=actor, org=org, limit=query.limit)
    return {"today": board.today, "columns": [
        {"stage": c.stage, "label": c.label, "count": c.count, "overdue": c.overdue,
         "items": [_list_item(p, board.today) for p in c.items]} for c in board.columns]}


@router.get(
    "/pipelines/{pipeline_id}",
    perm=DevelopmentPerm.VIEW,
    response=PipelineDetailOut,
    operation_id="development_pipelines_get",
    summary="发展党员时间线",
    description="""
        一名申请人的全部记录：个人信息（脱敏）、各阶段日期、已办的每一步（日期、经办人、介绍人和联系人、
        政审、培训、公示、表决、审批、提醒），以及接下来可办的步骤、最早日期和期限（`overdue`）。
        不在您数据范围内的与不存在的一样返回 404。
    """,
)
def development_pipelines_get(request, pipeline_id: PipelineId):
    return _detail(request.auth, pipeline_id)


@router.post(
    "/pipelines",
    perm=DevelopmentPerm.CHANGE,
    response=PipelineDetailOut,
    status=201,
    operation_id="development_applicants_create",
    summary="接收入党申请",
    description="""
        登记入党申请人并记录第 1 步（递交入党申请书）。身份证号按 GB 11643 校验，出生日期和性别默认取自身份证；
        已在党员名册中的、已有进行中发展程序的，以及申请日未满 18 周岁的（规则 `min_age`，给出 `possible_on`）
        返回 422。`org` 为受理的党支部代码，须在您的数据范围内。
    """,
)
def development_applicants_create(request, payload: ApplicantCreateIn):
    actor = request.auth
    fields = _org_and_unit(actor, payload.model_dump())
    step = {name: fields.pop(name) for name in ("applied_on", "responsible", "notes", "document_ref", "reason")}
    if fields["birth_date"] is None:
        fields.pop("birth_date")
    pipeline = applicant_create(actor=actor, **step, **fields)
    return Status(201, _detail(actor, pipeline.pk))


@router.patch(
    "/pipelines/{pipeline_id}/applicant",
    perm=DevelopmentPerm.CHANGE,
    response=PipelineDetailOut,
    operation_id="development_applicants_update",
    summary="修改申请人信息",
    description="""
        接收为预备党员之前修改申请人的个人信息或受理党支部（只改所给字段）。接收后请在党员名册中修改。
    """,
)
def development_applicants_update(request, payload: ApplicantUpdateIn, pipeline_id: PipelineId):
    actor = request.auth
    pipeline = pipeline_get(actor=actor, pk=pipeline_id, perm=DevelopmentPerm.CHANGE)
    data = payload.model_dump(exclude_unset=True)
    reason = data.pop("reason", "")
    applicant_update(actor=actor, applicant=pipeline.applicant, reason=reason, **_org_and_unit(actor, data))
    return _detail(actor, pipeline.pk)


@router.post(
    "/pipelines/{pipeline_id}/steps",
    perm=DevelopmentPerm.CHANGE,
    response=StepOut,
    status=201,
    operation_id="development_steps_record",
    summary="记录发展步骤",
    description="""
        记录 25 个步骤中的一步（`code`）及其数据。顺序不对、重复、日期晚于今天或早于前一步、数据不全或不一致
        （如表决票数超过到会人数）、不满足规则（如积极分子培养不满一年、介绍人不是两名正式党员、培训不足 3 天
        且不足 24 学时、到会未过半数、超过审批期限）的，返回 422，每个错误给出字段、规则代码、依据和
        `possible_on`（何日起方可办理）。上级党委批准接收时在党员名册中登记为预备党员（入党日期为支部大会
        通过之日）；批准按期转正时转为正式党员，转正日期为预备期满之日。
    """,
)
def development_steps_record(request, payload: StepIn, pipeline_id: PipelineId):
    actor = request.auth
    pipeline = pipeline_get(actor=actor, pk=pipeline_id, perm=DevelopmentPerm.CHANGE)
    data = payload.model_dump(exclude_unset=True)
    code = data["code"]
    allowed = {*_COMMON_STEP_FIELDS, *STEPS[code].fields, *NOTICE_FIELDS}
    stray = sorted(set(data) - allowed)
    if stray:
        raise DomainError([FieldError(DevelopmentError.INVALID, name, _("此项不属于该步骤")) for name in stray])
    if data.get("party_group"):
        group = org_child_by_code(actor=actor, parent=pipeline.applicant.org, code=data["party_group"],
                                  perm=DevelopmentPerm.CHANGE)
        if group is None:
            raise DomainError.one(OrgsError.UNKNOWN_ORG, "party_group", _("组织不存在或不在您的数据范围内"))
        data["party_group"] = group
    step = step_record(actor=actor, pipeline=pipeline, **data)
    return Status(201, _step(step_get(actor=actor, pk=step.pk)))


@router.post(
    "/pipelines/{pipeline_id}/close",
    perm=DevelopmentPerm.CHANGE,
    response=PipelineDetailOut,
    operation_id="development_pipelines_close",
    summary="终止发展程序",
    description="""
        接收为预备党员之前终止：本人撤回申请（`withdrawn`）或党组织取消发展（`cancelled`），须写明原因。
        预备党员只能经支部大会讨论延长预备期或取消预备党员资格。
    """,
)
def development_pipelines_close(request, payload: CloseIn, pipeline_id: PipelineId):
    actor = request.auth
    pipeline = pipeline_get(actor=actor, pk=pipeline_id, perm=DevelopmentPerm.CHANGE)
    pipeline_close(actor=actor, pipeline=pipeline, outcome=payload.outcome, on=payload.on, reason=payload.reason)
    return _detail(actor, pipeline.pk)


rule_operations(
    router, ruleset=RULESET, view_perm=DevelopmentPerm.VIEW, update=rule_update, into=DevelopmentRuleIn,
    list_summary="发展党员规则",
    list_description="""
        服务端执行的全部规则（DOMAIN §5）：代码、名称、参数及其范围、处理方式（`block` 禁止 / `warn` 提醒）、
        依据（DOMAIN 条目与文件名称条款）和可信度。
    """,
    update_summary="修改规则参数",
    update_description="""
        修改一条规则的参数、处理方式或是否启用（如公示期改为 7 个自然日），须写明依据；记入操作日志，
        进行中的发展程序的期限随后重新计算。规则适用于整个平台。
    """,
)
