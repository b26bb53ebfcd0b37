"""Forms of the dues pages: they parse input only; amounts and rules are checked by the services,
whose field errors are put back on the matching field (``ui.forms.add_domain_errors``)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.dues.choices import (
    AlertLevel,
    BaseMode,
    BillStatus,
    DuesCategory,
    DuesPerm,
    PaymentChannel,
    RoundingMode,
)
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm, DateInput

__all__ = [
    "ArrearsFilterForm",
    "BillFilterForm",
    "BracketForm",
    "BracketFormSet",
    "CalculatorForm",
    "ExportForm",
    "PaymentForm",
    "ProfileForm",
    "RuleSetForm",
]


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
    reference = forms.CharField(label=_("流水号/收据号"), required=False, max_length=100,
                                help_text=_("银行、微信等渠道的交易流水号；现金可不填，自动编号"))
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DateInput)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class ProfileForm(BootstrapForm):
    category = forms.ChoiceField(label=_("人员类别"), choices=DuesCategory.choices)
    base = forms.CharField(label=_("月基数（元）"), required=False, max_length=30, widget=_money_input())
    on = forms.DateField(label=_("生效日期"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)


class RuleSetForm(BootstrapForm):
    """A new version of the dues rules: its settings (the brackets are :class:`BracketFormSet`)."""

    version = forms.CharField(label=_("版本号"), max_length=20, help_text=_("唯一，如 2031"))
    name = forms.CharField(label=_("文件名称"), max_length=200)
    effective_from = forms.DateField(label=_("施行日期"), widget=DateInput,
                                     help_text=_("某月 1 日；上一版本在前一天停止施行"))
    citation = forms.CharField(label=_("依据（文件名称、文号、条款）"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    base_mode = forms.ChoiceField(label=_("基数核定方式"), choices=BaseMode.choices)
    rounding_step = forms.ChoiceField(label=_("计算精度"), choices=[("0.01", _("0.01 元（分）")),
                                                                  ("0.10", _("0.1 元（角）")),
                                                                  ("1.00", _("1 元"))])
    rounding_mode = forms.ChoiceField(label=_("舍入方式"), choices=RoundingMode.choices)
    monthly_cap = forms.CharField(label=_("每月应交上限（元）"), required=False, max_length=30,
                                  widget=_money_input("1000.00"), help_text=_("无上限留空"))
    large_payment_threshold = forms.CharField(label=_("大额党费标准（元）"), max_length=30,
                                              widget=_money_input("1000.00"))
    arrears_warn_months = forms.IntegerField(label=_("欠缴提醒（月）"))
    arrears_severe_months = forms.IntegerField(label=_("欠缴严重提醒（月）"))
    arrears_limit_months = forms.IntegerField(label=_("连续不缴期限（月）"))
    reason = forms.CharField(label=_("说明（记入操作日志）"), required=False, max_length=500)


class BracketForm(BootstrapForm):
    """One bracket row: a rate (in per cent on this form) on a base within (lower, upper], or a fixed
    monthly amount. Rows left empty are ignored; ticking 删除 drops a row."""

    # an empty first choice, so that a blank extra row posts nothing and is ignored
    category = forms.ChoiceField(label=_("人员类别"), choices=[("", "—"), *DuesCategory.choices])
    lower = forms.CharField(label=_("基数高于（元）"), required=False, max_length=30, widget=_money_input(""))
    upper = forms.CharField(label=_("基数不超过（元）"), required=False, max_length=30, widget=_money_input(""))
    rate_percent = forms.CharField(label=_("比例（%）"), required=False, max_length=12, widget=_money_input(""))
    fixed_amount = forms.CharField(label=_("每月固定金额（元）"), required=False, max_length=30,
                                   widget=_money_input(""))
    fixed_min = forms.CharField(label=_("固定金额下限"), required=False, max_length=30, widget=_money_input(""))
    fixed_max = forms.CharField(label=_("固定金额上限"), required=False, max_length=30, widget=_money_input(""))
    citation = forms.CharField(label=_("依据"), max_length=300)

    def clean_rate_percent(self) -> str | None:
        text = (self.cleaned_data.get("rate_percent") or "").strip().rstrip("%").strip()
        if not text:
            return None
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("比例应为数字，如 1.5 表示 1.5%")) from None
        if not percent.is_finite() or percent.as_tuple().exponent < -2:  # type: ignore[operator]
            raise forms.ValidationError(_("比例最多两位小数，如 1.25"))
        return str(percent / 100)


class _BracketFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除此行")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


BracketFormSet = forms.formset_factory(BracketForm, formset=_BracketFormSet, extra=2, can_delete=True, max_num=60,
                                       validate_max=True)
