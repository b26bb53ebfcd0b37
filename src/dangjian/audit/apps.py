from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from dangjian.audit.services import record_denied, record_scope_probe
        from dangjian.core.scoping import register_probe_recorder
        from dangjian.ui.permissions import register_denial_recorder

        register_probe_recorder(record_scope_probe)
        register_denial_recorder(record_denied)
