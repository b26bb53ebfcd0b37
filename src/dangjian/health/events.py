"""Domain events the health app publishes through ``core.events`` (delivered after commit, STYLE §8)."""

__all__ = ["FINDINGS_CHANGED", "RULES_CHANGED"]

# payload: rule_codes (the rules evaluated), org_ids (None: every org, or a subtree), since (ISO time of
# the run: findings with first_seen == since appeared or re-appeared in it). The notifications turn new
# findings into alerts for each rule's role.
FINDINGS_CHANGED = "health.findings_changed"
# payload: code — a rule's settings changed; a background task re-runs it over every org
RULES_CHANGED = "health.rules_changed"
