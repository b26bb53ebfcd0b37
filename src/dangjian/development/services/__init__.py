"""Writes of member development: validated, atomic, audited (STYLE §2). One module per concern."""
from dangjian.development.services.applicants import (
    applicant_create,
    applicant_update,
    normalize_applicant_input,
    pipeline_close,
)
from dangjian.development.services.exports import REGISTER_COLUMNS, REGISTER_STAGES, register_export
from dangjian.development.services.maintenance import pipelines_refresh_plans
from dangjian.development.services.rules_admin import rule_update
from dangjian.development.services.steps import step_record

__all__ = [
    "REGISTER_COLUMNS",
    "REGISTER_STAGES",
    "applicant_create",
    "applicant_update",
    "normalize_applicant_input",
    "pipeline_close",
    "pipelines_refresh_plans",
    "register_export",
    "rule_update",
    "step_record",
]
