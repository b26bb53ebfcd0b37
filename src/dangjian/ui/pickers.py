"""Pickers (issue 9): an organisation or a member is chosen by searching its name, never by typing a code.

The kit is generic — it knows no domain app. An app that owns a kind of object gives a JSON *source* (a
scoped lookup view answering ``{"items": [{"value", "label", "path", "hint"}]}``) and a field class built
on :class:`PickerField` (``orgs.pickers.OrgPickerField``, ``members.pickers.MemberPickerField``).

Progressive enhancement:

- without JavaScript the field is a plain text box; the form accepts what an older page accepted (an org
  code) and also a name, which the owning app's resolver turns into the one object it names (or a field
  error listing the candidates with their parent paths when several share the name);
- with ``ui/picker.js`` (loaded on every page; no inline script, CSP) the box searches the source as one
  types and offers a list — name, parent path, hint — chosen by tap, or with ↑/↓ and Enter; the chosen
  item's ``value`` is what the form submits (in a hidden input carrying the field's name), while the box
  shows the name.

After a view has resolved the submitted text to an object it calls :func:`show_choice`, so the page
shows the chosen object's name and parent path instead of the raw value.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["Choice", "PickerField", "PickerInput", "show_choice"]


@dataclass(frozen=True)
class Choice:
    """What the page shows for the value the form holds: a name and where it sits (parent path)."""

    label: str
    path: str = ""


class PickerInput(forms.TextInput):
    """A search box backed by a JSON source; see the module docstring."""

    template_name = "ui/widgets/picker.html"

    def __init__(self, source: str = "", params: dict[str, str] | None = None, attrs: dict | None = None):
        base = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "enterkeyhint": "search"}
        super().__init__(attrs={**base, **(attrs or {})})
        self.source = source  # URL name of the lookup view
        self.params = dict(params or {})
        self.choice: Choice | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker"] = {
            "url": reverse(self.source) if self.source else "",
            "params": urlencode(self.params),
            "choice": self.choice,
            "list_id": f"{context['widget']['attrs'].get('id') or name}_list",
        }
        return context


class PickerField(forms.CharField):
    """A text field that cleans to the stripped text (a code, an id or a name); the owning app resolves it
    within the actor's scope. ``source`` names the lookup view, ``params`` narrow it (``type``, ``perm``…)."""

    widget = PickerInput
    default_help_text = _("输入名称搜索，从列表中选择")

    def __init__(self, *, source: str, params: dict[str, str] | None = None, placeholder: str = "", **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)
        self.widget = PickerInput(source=source, params=params,
                                  attrs={"placeholder": placeholder} if placeholder else None)


def show_choice(form: forms.Form, name: str, choice: Choice | None) -> None:
    """Tell the page what *name*'s value resolved to (shown as name and parent path; the box shows the
    name when the picker script runs)."""
    widget = form.fields[name].widget
    if isinstance(widget, PickerInput):
        widget.choice = choice
