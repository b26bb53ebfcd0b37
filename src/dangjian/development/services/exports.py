"""Export of the register of activists and development objects (入党积极分子/发展对象名册) to xlsx."""
from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.spreadsheet import XLSX, TableWriter
from dangjian.development.choices import PersonRole, Stage, StepCode
from dangjian.development.selectors import register_rows
from dangjian.orgs.models import Organization

__all__ = ["REGISTER_COLUMNS", "REGISTER_STAGES", "register_export"]

REGISTER_STAGES = (Stage.ACTIVIST, Stage.CANDIDATE)
REGISTER_COLUMNS = (
    "序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "手机号码", "学历", "工作单位", "职务/岗位", "所在党支部",
    "阶段", "递交申请日期", "确定为入党积极分子日期", "确定为发展对象日期", "培养联系人", "入党介绍人", "下一步", "期限",
)


@transaction.atomic
def register_export(*, actor: Any, out: IO[bytes], org: Organization | None = None,
                    stages: tuple[str, ...] = REGISTER_STAGES, unmasked: bool = False) -> int:
    """Writes the register of the pipelines at *stages* in the actor's scope (optionally *org*'s
    subtree) as an xlsx workbook to *out*; returns the number of people.

    ID numbers and phones are masked unless *unmasked* is asked for **and** the actor holds
    ``members.reveal`` on that person's branch. Rows are streamed (write-only workbook, batches).
    Permission: ``development.view`` (scope applies). Audit: ``development.export`` with the count
    and how many rows were unmasked.
    """
    sheet = TableWriter(out, XLSX, REGISTER_COLUMNS, title=_("入党积极分子和发展对象名册"))
    count = revealed = 0
    for pipeline, reveal, people in register_rows(actor=actor, org=org, stages=tuple(stages), unmasked=unmasked):
        a = pipeline.applicant
        count += 1
        revealed += reveal
        sheet.append([
            count, a.name, str(a.get_gender_display()), a.ethnicity, a.birth_date,
            a.id_number if reveal else mask_id_number(a.id_number), a.phone if reveal else mask_phone(a.phone),
            str(a.get_education_display()), a.unit.name if a.unit else "", a.job_title, a.org.name,
            str(pipeline.get_stage_display()), pipeline.applied_on, pipeline.activist_on, pipeline.candidate_on,
            "、".join(people.get(PersonRole.CONTACT, [])), "、".join(people.get(PersonRole.INTRODUCER, [])),
            str(StepCode(pipeline.next_step).label) if pipeline.next_step else "", pipeline.next_due,
        ])
    sheet.close()
    record(actor=actor, action=AuditAction.DEV_EXPORTED, target=org, org=org,
           after={"count": count, "revealed": revealed, "stages": list(stages)})
    return count
