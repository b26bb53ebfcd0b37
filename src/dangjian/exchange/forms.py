"""Forms of the exchange pages: they parse input only; the rules are in the services and importers."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.exchange.choices import ExchangePerm, ImportKind, ImportMode
from dangjian.exchange.columns import FIELDS, T
from dangjian.members.choices import Category, MembersPerm, MemberStatus
from dangjian.orgs.choices import OrgsPerm, OrgStatus, OrgType
from dangjian.orgs.pickers import OrgPickerField
from dangjian.ui.forms import BootstrapForm

__all__ = ["MAX_UPLOAD_BYTES", "ImportForm", "MemberExportForm", "OrgExportForm", "ProfileForm"]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_BLANK = [("", "—")]
_FORMATS = [("xlsx", "Excel (.xlsx)"), ("csv", "CSV")]


class ImportForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("数据类别"), choices=ImportKind.choices)
    profile = forms.ChoiceField(label=_("列格式"), required=False)
    mode = forms.ChoiceField(label=_("导入方式"), choices=ImportMode.choices, initial=ImportMode.CREATE)
    org_code = OrgPickerField(label=_("导入到组织（可选）"), required=False, perm=ExchangePerm.IMPORT,
                              help_text=_("文件中未填组织的行归入该组织；填写了组织的行须在该组织之内"))
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}))

    def __init__(self, *args: Any, profiles: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("标准模板"))] + [
            (str(p.pk), f"{p.name}（{p.get_kind_display()}）") for p in profiles]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(mb)s MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        return upload


class MemberExportForm(BootstrapForm):
    q = forms.CharField(label=_("姓名/身份证号"), required=False)
    org = OrgPickerField(label=_("党组织"), required=False, perm=MembersPerm.VIEW, help_text="")
    subtree = forms.BooleanField(label=_("含下级组织"), required=False, initial=True)
    status = forms.ChoiceField(label=_("党籍状态"), choices=_BLANK + list(MemberStatus.choices), required=False)
    category = forms.ChoiceField(label=_("人员类别"), choices=_BLANK + list(Category.choices), required=False)
    format = forms.ChoiceField(label=_("格式"), choices=_FORMATS, required=False)
    profile = forms.CharField(required=False, widget=forms.HiddenInput)
    unmasked = forms.BooleanField(label=_("导出完整身份证号和手机号（需有查看权限，将记入操作日志）"), required=False)


class OrgExportForm(BootstrapForm):
    org = OrgPickerField(label=_("党组织（含下级）"), required=False, perm=OrgsPerm.VIEW, help_text="")
    org_type = forms.ChoiceField(label=_("组织类别"), choices=_BLANK + list(OrgType.choices), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_BLANK + list(OrgStatus.choices), required=False)
    q = forms.CharField(label=_("名称"), required=False)
    format = forms.ChoiceField(label=_("格式"), choices=_FORMATS, required=False)
    profile = forms.CharField(required=False, widget=forms.HiddenInput)


def codes_to_text(codes: dict[str, str]) -> str:
    return "\n".join(f"{label}={value}" for label, value in codes.items())


def text_to_codes(text: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for line in (text or "").splitlines():
        if "=" in line:
            label, value = line.split("=", 1)
            if label.strip():
                codes[label.strip()] = value.strip()
    return codes


class ProfileForm(BootstrapForm):
    """A mapping's name and, per column, its title, whether it is required and its code list
    (one ``文件中的写法=平台代码`` per line)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    reason = forms.CharField(label=_("事由"), max_length=500, required=False)

    def __init__(self, *args: Any, profile: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        registry = FIELDS[profile.kind]
        self.rows = []
        for n, col in enumerate(profile.columns):
            spec = registry.get(col.get("field") or "")
            title = forms.CharField(label=_("列名"), max_length=60, initial=col.get("title"))
            required = forms.BooleanField(label=_("必填"), required=False, initial=bool(col.get("required")))
            self.fields[f"title_{n}"] = title
            self.fields[f"required_{n}"] = required
            coded = spec is not None and spec.type in (T.CHOICE, T.BOOL, T.DERIVED) and bool(spec.choices)
            if coded:
                self.fields[f"codes_{n}"] = forms.CharField(
                    label=_("代码表"), required=False, initial=codes_to_text(col.get("codes") or {}),
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=_("每行“文件中的写法=平台代码”，平台代码：%(v)s") % {
                        "v": "、".join(f"{v}（{lbl}）" for v, lbl in spec.choices)})
            self.rows.append({"n": n, "field": col.get("field") or "", "spec": spec, "coded": coded})
        for name, field in self.fields.items():
            if name.startswith(("title_", "codes_", "required_")):
                css = "form-check-input" if name.startswith("required_") else "form-control form-control-sm"
                field.widget.attrs["class"] = css

    def columns(self) -> list[dict[str, Any]]:
        out = []
        for row, col in zip(self.rows, self.profile.columns, strict=True):
            n = row["n"]
            codes = text_to_codes(self.cleaned_data.get(f"codes_{n}", "")) if row["coded"] else col.get("codes") or {}
            out.append({"title": self.cleaned_data[f"title_{n}"], "field": row["field"],
                        "required": self.cleaned_data.get(f"required_{n}", False), "codes": codes})
        return out

    def rows_with_fields(self) -> list[dict[str, Any]]:
        return [{**row, "title": self[f"title_{row['n']}"], "required": self[f"required_{row['n']}"],
                 "codes": self[f"codes_{row['n']}"] if row["coded"] else None} for row in self.rows]

