"""Forms of the event-subscription (webhook) pages: they only parse input; the rules (URL shape and
address, known event types) live in ``services.webhooks``, whose field errors come back onto the field."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.integration.webhooks import catalogue
from dangjian.ui.forms import BootstrapForm

__all__ = ["SubscriptionEditForm", "SubscriptionForm"]


class SubscriptionEditForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.CharField(
        label=_("接收地址"), max_length=1000, required=False,
        help_text=_("对方系统接收事件的地址，须以 http:// 或 https:// 开头，不能指向内网或本机。修改时留空表示不变。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}))
    event_types = forms.MultipleChoiceField(label=_("事件类型"), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(t, f"{e.label}（{t}）") for t, e in catalogue().items()]
        self.fields["event_types"].widget.attrs["class"] = "form-check-input"


class SubscriptionForm(SubscriptionEditForm):
    org_code = forms.CharField(label=_("组织代码"), max_length=40,
                               help_text=_("订阅该组织及其全部下级组织的事件。"))
    field_order = ["org_code", "name", "url", "event_types", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].required = True
        self.fields["url"].help_text = _("对方系统接收事件的地址，须以 http:// 或 https:// 开头，不能指向内网或本机。")
