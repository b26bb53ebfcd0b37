"""Writes of the dues domain: validated, atomic, audited in the same transaction (STYLE §2).

Permission for every service here is ``dues.change`` on the member's branch (rule sets: a system-wide
grant). ``actor=None`` is the system (scheduled jobs, migrations, tests).
"""
from dangjian.dues.services.bills import BillRun, bills_generate
from dangjian.dues.services.common import quarter_average
from dangjian.dues.services.exports import reconciliation_export_record
from dangjian.dues.services.payments import payment_record
from dangjian.dues.services.profiles import bases_fix_year, profile_set
from dangjian.dues.services.relief import relief_approve, relief_revoke
from dangjian.dues.services.rules import bracket_update, rule_set_update
from dangjian.dues.services.versions import rule_set_add

__all__ = [
    "BillRun",
    "bases_fix_year",
    "bills_generate",
    "bracket_update",
    "payment_record",
    "profile_set",
    "quarter_average",
    "reconciliation_export_record",
    "relief_approve",
    "relief_revoke",
    "rule_set_add",
    "rule_set_update",
]
