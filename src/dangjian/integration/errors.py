"""Error codes of the integration app (STYLE §11)."""
from enum import StrEnum

__all__ = ["IntegrationError"]


class IntegrationError(StrEnum):
    TITLE_REQUIRED = "integration.title_required"
    SEVERITY_INVALID = "integration.severity_invalid"
    LINK_INVALID = "integration.link_invalid"
    RECIPIENTS_REQUIRED = "integration.recipients_required"
    ROLE_UNKNOWN = "integration.role_unknown"
    KIND_INVALID = "integration.kind_invalid"
    NAME_REQUIRED = "integration.name_required"
    WEBHOOK_REQUIRED = "integration.webhook_required"
    WEBHOOK_SCHEME = "integration.webhook_scheme"
    WEBHOOK_HOST = "integration.webhook_host"
    SECRET_INVALID = "integration.secret_invalid"
    EMAIL_RECIPIENTS_REQUIRED = "integration.email_recipients_required"
    EMAIL_INVALID = "integration.email_invalid"
    THRESHOLD_INVALID = "integration.threshold_invalid"
    SOURCE_INVALID = "integration.source_invalid"
    CHANNEL_DISABLED = "integration.channel_disabled"
    SPEC_INVALID = "integration.spec_invalid"
    JOB_UNKNOWN = "integration.job_unknown"
    URL_PRIVATE = "integration.url_private"
    EVENT_TYPES_REQUIRED = "integration.event_types_required"
    EVENT_TYPE_UNKNOWN = "integration.event_type_unknown"
    SUBSCRIPTION_DISABLED = "integration.subscription_disabled"
    DELIVERY_NOT_REPLAYABLE = "integration.delivery_not_replayable"
