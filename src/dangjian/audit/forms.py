"""Filters of the operation log page."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.audit.choices import AuditAction
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = ["AuditFilterForm"]


class AuditFilterForm(BootstrapForm):
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditAction.choices])
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    target_type = forms.CharField(label=_("对象类型"), required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"list": "target-types", "autocomplete": "off"}))
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data
