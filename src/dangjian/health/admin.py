"""Read-only admin of the health app: rule settings and findings are changed through the services
(audited), never by editing rows."""
from django.contrib import admin

from dangjian.health.models import Finding, OrgRollup, RuleConfig


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleConfig)
class RuleConfigAdmin(ReadOnlyAdmin):
    list_display = ("code", "severity", "enabled", "notify_role", "updated_at")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("rule", "org", "subject_type", "subject_id", "severity", "state", "first_seen", "last_seen")
    list_filter = ("rule", "state", "severity")
    raw_id_fields = ("org", "acknowledged_by")


@admin.register(OrgRollup)
class OrgRollupAdmin(ReadOnlyAdmin):
    list_display = ("org", "kind", "computed_at", "members_total", "findings_critical")
    raw_id_fields = ("org",)
