"""Domain events the dues app publishes through ``core.events`` (delivered after commit, STYLE §8)."""

__all__ = ["BILLS_GENERATED", "PAYMENT_RECORDED", "PROFILE_CHANGED"]

# payload: period="YYYY-MM", org_id (None: everything in the actor's scope), created
BILLS_GENERATED = "dues.bills_generated"
# payload: payment_id, member_id, org_id
PAYMENT_RECORDED = "dues.payment_recorded"
# payload: member_id
PROFILE_CHANGED = "dues.profile_changed"
