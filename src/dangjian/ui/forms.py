"""Form base classes and widgets of every page: forms only parse input (types, required); rules live
in the services, whose :class:`DomainError` field errors are put back onto the matching form field."""
from __future__ import annotations

from django import forms

from dangjian.core.errors import DomainError

__all__ = ["BootstrapForm", "DateInput", "add_domain_errors"]


class DateInput(forms.DateInput):
    """``<input type=date>``: the browser's picker, ISO value either way."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Adds Bootstrap classes to widgets, and ``is-invalid`` to fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def add_domain_errors(form: BootstrapForm, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Attach each service error to its form field (through *field_map* when names differ), else to the form."""
    field_map = field_map or {}
    for err in exc.errors:
        name = field_map.get(err.field or "", err.field)
        if name and name in form.fields:
            form.add_error(name, err.message)
        else:
            form.add_error(None, err.message)
    form.mark_invalid()
