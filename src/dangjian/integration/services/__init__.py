"""Writes of the integration app (STYLE §2), one module per concern."""
from dangjian.integration.services.channels import (
    channel_create,
    channel_delete,
    channel_test,
    channel_update,
)
from dangjian.integration.services.delivery import deliveries_requeue, delivery_attempt, retry_delay
from dangjian.integration.services.notify import (
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    preferences_set,
)
from dangjian.integration.services.schedule import (
    schedule_claim_due,
    schedule_job_update,
    schedule_run_due,
    schedule_run_now,
    schedule_sync,
)
from dangjian.integration.services.webhooks import (
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
    webhook_deliveries_replay,
    webhook_events_fan_out,
)

__all__ = [
    "channel_create",
    "channel_delete",
    "channel_test",
    "channel_update",
    "deliveries_requeue",
    "delivery_attempt",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "preferences_set",
    "retry_delay",
    "schedule_claim_due",
    "schedule_job_update",
    "schedule_run_due",
    "schedule_run_now",
    "schedule_sync",
    "subscription_create",
    "subscription_rotate_secret",
    "subscription_update",
    "webhook_deliveries_replay",
    "webhook_events_fan_out",
]
