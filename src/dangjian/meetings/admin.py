"""Django admin for meetings: read-only views of the reference data (kinds, cadence rules). Changes go
through data migrations or audited services. ``django.contrib.admin`` is off by default."""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.meetings.models import CadenceRule, MeetingKind

    class ReadOnlyAdmin(admin.ModelAdmin):
        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    @admin.register(MeetingKind)
    class MeetingKindAdmin(ReadOnlyAdmin):
        list_display = ("code", "name", "roll", "org_types", "sort", "is_active")

    @admin.register(CadenceRule)
    class CadenceRuleAdmin(ReadOnlyAdmin):
        list_display = ("org_type", "kind", "unit", "min_count", "confidence", "enabled", "citation")
