"""Domain events the meetings app publishes through ``core.events`` (delivered after commit, STYLE §8)."""

__all__ = ["ELECTION_RECORDED", "MEETING_HELD"]

# payload: org_ids (the org holding the meeting and, for 党小组会, the party group), meeting_id
MEETING_HELD = "meetings.held"
# payload: org_ids, election_id, term_id
ELECTION_RECORDED = "meetings.election_recorded"
