"""Django admin for transfers: read-only views (changes go through the audited services).

``django.contrib.admin`` is not installed by default; the registrations apply when it is.
"""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.transfers.models import TransferRule

    @admin.register(TransferRule)
    class TransferRuleAdmin(admin.ModelAdmin):
        list_display = ("code", "title", "params", "citation", "confidence", "enabled")

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False
