"""The member picker (issue 9): choose a member by name (or the last 4 characters of the ID number, or the
whole number), told apart from namesakes by branch and masked ID, among the members in the actor's scope
for the form's permission. The submitted value is the member's id; a unique name is accepted too.

- :class:`MemberPickerField`: the form field (``ui.pickers.PickerField`` with this app's lookup view).
- :func:`member_pick_search`: what the lookup view lists (≤ 20, through ``member_list``: the one scoped read).
- :func:`member_pick_resolve` / :func:`member_from_picker`: the submitted text → the member.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.declarations import registry
from dangjian.core.parsing import parse_id
from dangjian.members.choices import MembersPerm
from dangjian.members.models import Member
from dangjian.members.selectors import member_list
from dangjian.orgs.selectors import org_ancestors
from dangjian.ui.pickers import Choice, PickerField, show_choice

__all__ = ["MemberPickItem", "MemberPickerField", "member_from_picker", "member_pick_resolve", "member_pick_search"]

PICK_LIMIT = 20
PATH_SEPARATOR = " › "


@dataclass(frozen=True)
class MemberPickItem:
    member: Member
    path: str  # the member's branch, after the ancestors the actor may see

    def as_json(self) -> dict[str, Any]:
        m = self.member
        return {"id": m.pk, "value": str(m.pk), "label": m.name, "path": self.path, "hint": m.id_number_masked}


def _perm(perm: str | None) -> str:
    perm = perm or MembersPerm.VIEW
    return perm if perm in registry().permissions else MembersPerm.VIEW


def _items(actor: Any, members: list[Member]) -> list[MemberPickItem]:
    orgs = list({m.org_id: m.org for m in members}.values())
    ancestors = org_ancestors(actor=actor, orgs=orgs) if orgs else {}
    return [MemberPickItem(m, PATH_SEPARATOR.join([*(a.name for a in ancestors.get(m.org_id, [])), m.org.name]))
            for m in members]


def _scoped(actor: Any, perm: str | None, q: str | None = None):
    qs = member_list(actor=actor, perm=_perm(perm), q=q)
    if _perm(perm) != MembersPerm.VIEW:  # within what the actor may see as well
        qs = qs.filter(pk__in=member_list(actor=actor).values("pk"))
    return qs


def member_pick_search(*, actor: Any, q: str, perm: str | None = None, limit: int = PICK_LIMIT) -> list[MemberPickItem]:
    """Members the actor may choose matching *q* (name fragment, ID number or its last 4), at most *limit*."""
    q = (q or "").strip()[:50]
    if not q:
        return []
    return _items(actor, list(_scoped(actor, perm, q).order_by("name", "pk")[:limit]))


def member_pick_resolve(*, actor: Any, text: str, perm: str | None = None) -> tuple[Member | None, str | None]:
    """(the member *text* names — the id the picker submits, else a name only one member in scope bears —,
    else None and the error to show)."""
    text = (text or "").strip()
    if not text:
        return None, None
    pk = parse_id(text)
    if pk is not None:
        member = _scoped(actor, perm).filter(pk=pk).first()
        if member is not None:
            return member, None
    named = list(_scoped(actor, perm).filter(name=text).order_by("pk")[:PICK_LIMIT])
    if len(named) == 1:
        return named[0], None
    if not named:
        return None, _("未找到该党员，或该党员不在您的管理范围内")
    places = "；".join(f"{i.path}（{i.member.id_number_masked}）" for i in _items(actor, named[:5]))
    return None, _("有 %(n)s 名党员名为“%(name)s”，请从列表中选择：%(places)s") % {
        "n": len(named), "name": text, "places": places}


class MemberPickerField(PickerField):
    """A member, chosen by name with the picker; ``perm``: the permission the form checks."""

    default_help_text = gettext_lazy("输入姓名或身份证号后 4 位搜索，从列表中选择")

    def __init__(self, *, perm: str | None = None, **kwargs: Any):
        kwargs.setdefault("placeholder", gettext_lazy("输入姓名"))
        super().__init__(source="members:pick", params={"perm": perm} if perm else {}, **kwargs)
        self.pick = {"perm": perm}


def member_from_picker(actor: Any, form: forms.Form, name: str) -> Member | None:
    """The member the picker field *name* of a validated *form* names; else None and a field error."""
    member, error = member_pick_resolve(actor=actor, text=form.cleaned_data.get(name) or "",
                                        **getattr(form.fields[name], "pick", {}))
    if error:
        form.add_error(name, error)
        if hasattr(form, "mark_invalid"):
            form.mark_invalid()
    elif member is not None:
        item = _items(actor, [member])[0]
        show_choice(form, name, Choice(member.name, item.path))
    return member
