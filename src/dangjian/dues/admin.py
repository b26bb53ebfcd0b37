"""Django admin for dues: read-only views of the rule data (changes go through the audited services).

``django.contrib.admin`` is not installed by default; the registrations apply when it is.
"""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.dues.models import DuesBracket, DuesRuleSet

    class ReadOnlyAdmin(admin.ModelAdmin):
        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    class BracketInline(admin.TabularInline):
        model = DuesBracket
        extra = 0
        can_delete = False
        readonly_fields = ("category", "lower", "upper", "rate", "fixed_amount", "fixed_min", "fixed_max",
                           "citation")

    @admin.register(DuesRuleSet)
    class DuesRuleSetAdmin(ReadOnlyAdmin):
        list_display = ("version", "name", "effective_from", "effective_to", "base_mode", "monthly_cap")
        inlines = [BracketInline]
