"""Forms of the dues pages: they parse input only; amounts and rules are checked by the services,
whose field errors are put back on the matching field (``ui.forms.add_domain_errors``)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.dues.choices import AlertLevel, BillStatus, DuesCategory, DuesPerm, PaymentChannel
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = ["ArrearsFilterForm", "BillFilterForm", "CalculatorForm", "ExportForm", "PaymentForm", "ProfileForm"]


def _money_input(placeholder: str = "0.00") -> forms.TextInput:
    # text, not number: full-width digits and "1,000" are normalised by the service, not refused by the browser
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": placeholder})


class CalculatorForm(BootstrapForm):
    category = forms.ChoiceField(label=_("人员类别"), choices=DuesCategory.choices)
    base = forms.CharField(label=_("月基数（元）"), required=False, max_length=30, widget=_money_input("5000.00"),
                           help_text=_("税后月工资收入中相对固定、经常性的部分；离退休为实发离退休费；固定金额类别可不填"))
    on = forms.DateField(label=_("计算日期"), required=False, widget=DateInput,
                         help_text=_("按该日施行的党费标准计算，默认今天"))


class BillFilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=DuesPerm.VIEW, help_text="")
    period = forms.CharField(label=_("月份"), required=False, max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *BillStatus.choices])


class ArrearsFilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=DuesPerm.VIEW, help_text="")
    as_of = forms.DateField(label=_("截至日期"), required=False, widget=DateInput)
    level = forms.ChoiceField(label=_("提醒级别（至少）"), required=False,
                              choices=[("", _("全部欠缴")), *[c for c in AlertLevel.choices if c[0] != "none"]])


class ExportForm(BootstrapForm):
    month = forms.CharField(label=_("收款月份"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    org = OrgPickerField(label=_("党组织"), required=False, perm=DuesPerm.VIEW, help_text="")
    format = forms.ChoiceField(label=_("格式"), choices=[("csv", "CSV"), ("xlsx", "Excel (xlsx)")], initial="csv")


class PaymentForm(BootstrapForm):
    amount = forms.CharField(label=_("缴纳金额（元）"), max_length=30, widget=_money_input())
    voluntary_extra = forms.CharField(label=_("其中自愿多交（元）"), required=False, max_length=30,
                                      widget=_money_input())
    channel = forms.ChoiceField(label=_("缴费渠道"), choices=PaymentChannel.choices, initial=PaymentChannel.CASH)
    reference = forms.CharField(label=_("流水号/收据号"), max_length=100)
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DateInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class ProfileForm(BootstrapForm):
    category = forms.ChoiceField(label=_("人员类别"), choices=DuesCategory.choices)
    base = forms.CharField(label=_("月基数（元）"), required=False, max_length=30, widget=_money_input())
    on = forms.DateField(label=_("生效日期"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)
