"""Django admin for data exchange: read-only lists (changes go through the audited services).

``django.contrib.admin`` is not installed by default; the registrations apply when it is.
"""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.exchange.models import ExchangeProfile, ImportJob

    @admin.register(ExchangeProfile)
    class ExchangeProfileAdmin(admin.ModelAdmin):
        list_display = ("code", "name", "kind", "org")

        def has_change_permission(self, request, obj=None):
            return False

    @admin.register(ImportJob)
    class ImportJobAdmin(admin.ModelAdmin):
        list_display = ("pk", "kind", "file_name", "status", "error_count", "created_by", "created_at")
        exclude = ("data",)

        def has_change_permission(self, request, obj=None):
            return False
