"""Forms of the accounts pages. They only parse and check shape; rules live in services."""
from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

__all__ = ["BootstrapForm", "LoginForm", "MfaConfirmForm", "OtpForm", "PasswordChangeForm"]


class BootstrapBoundField(BoundField):
    """Renders inputs with Bootstrap's classes; ``is-invalid`` follows the errors at render time, so
    errors a view adds after validation (from a service's DomainError) are styled too."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        classes = ["form-control", attrs.get("class", "")]
        if self.errors:
            classes.append("is-invalid")
            attrs["aria-invalid"] = "true"
        if self.help_text:
            attrs.setdefault("aria-describedby", f"{self.auto_id}_help")
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class BootstrapForm(forms.Form):
    bound_field_class = BootstrapBoundField


class LoginForm(BootstrapForm):
    username = forms.CharField(
        label=_("用户名"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpForm(BootstrapForm):
    token = forms.CharField(
        label=_("验证码"), max_length=20,
        help_text=_("输入验证器应用中的 6 位数字，或一个备用验证码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "none",
                                      "spellcheck": "false", "class": "font-monospace"}),
    )


class MfaConfirmForm(BootstrapForm):
    token = forms.RegexField(
        label=_("验证码"), regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("请输入验证器应用显示的 6 位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "class": "font-monospace"}),
    )


class PasswordChangeForm(BootstrapForm):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 个字符，不能全是数字，不能是常见密码。"),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data
