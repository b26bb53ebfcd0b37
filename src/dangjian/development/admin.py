"""Django admin for member development: read-only views (every change goes through the audited services;
the rules are edited on the rules page or with ``PATCH /api/v1/development/rules/{code}``).

``django.contrib.admin`` is not installed by default; the registrations apply when it is.
"""
from __future__ import annotations

from django.apps import apps

__all__: list[str] = []

if apps.is_installed("django.contrib.admin"):  # pragma: no cover - admin is off in the default settings
    from django.contrib import admin

    from dangjian.development.models import DevelopmentRule, Pipeline, Step

    class ReadOnlyAdmin(admin.ModelAdmin):
        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    @admin.register(DevelopmentRule)
    class DevelopmentRuleAdmin(ReadOnlyAdmin):
        list_display = ("code", "title", "severity", "enabled", "confidence", "citation")

    class StepInline(admin.TabularInline):
        model = Step
        extra = 0
        can_delete = False
        fields = ("number", "code", "on", "responsible", "passed", "approved", "warnings")
        readonly_fields = fields

    @admin.register(Pipeline)
    class PipelineAdmin(ReadOnlyAdmin):
        # no applicant fields beyond the name: ID numbers and phones stay out of the admin
        list_display = ("pk", "applicant", "stage", "applied_on", "next_step", "next_due")
        list_filter = ("stage",)
        inlines = [StepInline]
