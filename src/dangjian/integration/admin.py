"""Django admin for the integration app: read-only views (changes go through the audited services).

``django.contrib.admin`` is not installed by default; the registrations apply when it is.
"""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.integration.models import Delivery, ScheduledJob

    class ReadOnlyAdmin(admin.ModelAdmin):
        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    @admin.register(Delivery)
    class DeliveryAdmin(ReadOnlyAdmin):
        list_display = ("pk", "kind", "target", "status", "attempts", "sent_at", "created_at")
        list_filter = ("kind", "status")

    @admin.register(ScheduledJob)
    class ScheduledJobAdmin(ReadOnlyAdmin):
        list_display = ("name", "spec", "enabled", "next_run_at", "last_run_at", "last_status")
