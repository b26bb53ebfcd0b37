"""Domain events the integration app publishes through ``core.events`` (delivered after commit, STYLE §8)."""

__all__ = ["DELIVERIES_QUEUED"]

# payload: delivery_ids=[…] — outbound deliveries written by ``notify`` / ``channel_test``; the
# subscriber in ``tasks`` puts one delivery task per id on the queue once the write has committed.
DELIVERIES_QUEUED = "integration.deliveries_queued"
