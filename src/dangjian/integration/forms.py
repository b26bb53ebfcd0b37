"""Forms of the integration pages: they only parse input; the rules live in the services, whose field
errors are put back onto the matching form field."""
from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from dangjian.core.declarations import labels
from dangjian.integration.choices import ChannelKind, IntegrationPerm, Threshold
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm

__all__ = ["ChannelEditForm", "ChannelFilterForm", "ChannelForm", "PreferencesForm"]

_SEVERITIES = Threshold.choices[:3]  # a channel carries at least "critical"; "off" is its enabled switch


class ChannelFilterForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织"), required=False, perm=IntegrationPerm.CONFIGURE, help_text="")


class ChannelEditForm(BootstrapForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    webhook_url = forms.CharField(
        label=_("Webhook 地址"), max_length=1000, required=False,
        help_text=_("企业微信/钉钉群机器人的地址，须以 http:// 或 https:// 开头。修改时留空表示不变。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    secret = forms.CharField(
        label=_("加签密钥（钉钉）"), max_length=200, required=False,
        help_text=_("钉钉机器人“加签”安全设置中以 SEC 开头的字符串。修改时留空表示不变。"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)
    email_recipients = forms.CharField(
        label=_("收件人（邮件）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("多个邮箱用逗号或换行分隔。"))
    min_severity = forms.ChoiceField(label=_("接收级别"), choices=_SEVERITIES, initial=Threshold.WARNING)
    include_subtree = forms.BooleanField(label=_("同时接收下级组织的通知"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ChannelForm(ChannelEditForm):
    org_code = OrgPickerField(label=_("党组织"), perm=IntegrationPerm.CONFIGURE)
    kind = forms.ChoiceField(label=_("类型"), choices=ChannelKind.choices)
    field_order = ["org_code", "kind", "name", "webhook_url", "secret", "email_recipients", "min_severity",
                   "include_subtree", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["clear_secret"]
        self.fields["webhook_url"].help_text = _("企业微信/钉钉群机器人的地址，须以 http:// 或 https:// 开头。")
        self.fields["secret"].help_text = _("钉钉机器人“加签”安全设置中以 SEC 开头的字符串；企业微信不用填。")


def source_choices(stored: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The notification sources by name (the "source" labels the apps declare), grouped by their app
    (sorted by code). A source muted through the API that no app names is kept: an app's whole prefix
    (``dues``) by the app's name, anything else as given."""
    names = labels("source")
    choices = sorted(((code, str(name)) for code, name in names.items()), key=lambda choice: choice[0])
    apps_by_label = {config.label: config for config in apps.get_app_configs()}
    for code in dict.fromkeys(stored):
        if code not in names:
            app = apps_by_label.get(code)
            choices.append((code, _("%(app)s（全部）") % {"app": app.verbose_name} if app else code))
    return choices


class PreferencesForm(BootstrapForm):
    """The least severity per personal channel and the kinds of notification muted on it, ticked from
    the sources' names (issue 9: no code typed by hand)."""

    in_app_min_severity = forms.ChoiceField(label=_("站内通知：接收级别"), choices=_SEVERITIES)
    in_app_muted_sources = forms.MultipleChoiceField(
        label=_("站内通知：不接收这些类别"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("严重通知不受屏蔽。"))
    email_min_severity = forms.ChoiceField(label=_("电子邮件：接收级别"), choices=Threshold.choices)
    email_muted_sources = forms.MultipleChoiceField(
        label=_("电子邮件：不接收这些类别"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, stored: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = source_choices(stored)
        for name in ("in_app_muted_sources", "email_muted_sources"):
            self.fields[name].choices = choices
            self.fields[name].widget.attrs["class"] = "form-check-input"
