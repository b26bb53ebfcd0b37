"""Writes of the health app (STYLE §2): the scan, the rollup refresh, rule settings, acknowledging."""
from dangjian.health.services.config import rule_update
from dangjian.health.services.findings import finding_acknowledge
from dangjian.health.services.rollup import rollups_refresh
from dangjian.health.services.scan import RuleRun, ScanResult, affected_scope, findings_scan

__all__ = ["RuleRun", "ScanResult", "affected_scope", "finding_acknowledge", "findings_scan", "rollups_refresh",
           "rule_update"]
