"""The organisation picker (issue 9): choose an org by name, told apart from same-named ones by its parent
path, among the orgs the actor may choose for the form's purpose; codes remain accepted.

- :class:`OrgPickerField`: the form field (``ui.pickers.PickerField`` with this app's lookup view).
- :func:`org_pick_search`: what the lookup view lists (≤ 20, path order, exact code first).
- :func:`org_pick_resolve` / :func:`org_from_picker`: the submitted text (a code or a name) → the org.

What an actor "may choose" is, by default, the orgs in their scope for the permission the form checks
(``perm``), within their ``orgs.view`` scope. A few choices reach beyond one's scope by nature — the
receiving branch of a transfer may be any branch of the group (DOMAIN §6) — and the app that owns such a
form registers a :class:`WideChoice` under a *purpose* key (extension point; ``orgs`` knows no higher app).

The search is an indexed range on the tree path (the scope) plus a name match, capped at 20 rows, and one
query for the ancestors' names of the rows shown: cheap at 60,000 organisations.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.declarations import registry
from dangjian.core.scoping import report_out_of_scope, resolver
from dangjian.orgs.choices import OrgsPerm, OrgStatus, OrgType
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_ancestors
from dangjian.ui.pickers import Choice, PickerField, show_choice

__all__ = [
    "PICK_LIMIT",
    "OrgPickItem",
    "OrgPickerField",
    "WideChoice",
    "org_choice",
    "org_from_picker",
    "org_pick_resolve",
    "org_pick_search",
    "register_wide_choice",
    "wide_choice",
]

PICK_LIMIT = 20
PATH_SEPARATOR = " › "
NOT_FOUND = gettext_lazy("未找到该组织代码，或该组织不在您的管理范围内")


@dataclass(frozen=True)
class WideChoice:
    """Orgs that an actor holding ``perm`` anywhere may choose regardless of their own scope (e.g. the
    receiving branch of a transfer: any active branch of the group)."""

    perm: str
    org_types: tuple[str, ...]


_wide: dict[str, WideChoice] = {}


def register_wide_choice(purpose: str, choice: WideChoice) -> None:
    _wide[purpose] = choice


def wide_choice(purpose: str | None) -> WideChoice | None:
    return _wide.get(purpose or "")


@dataclass(frozen=True)
class OrgPickItem:
    org: Organization
    path: str  # the parent path's names, root first

    def as_json(self) -> dict[str, Any]:
        return {"id": self.org.pk, "value": self.org.code, "code": self.org.code, "label": self.org.name,
                "path": self.path, "hint": str(self.org.get_org_type_display())}


def _known_perm(perm: str | None) -> str:
    perm = perm or OrgsPerm.VIEW
    return perm if perm in registry().permissions else OrgsPerm.VIEW


def _choosable(*, actor: Any, perm: str | None, types: tuple[str, ...] = (), active: bool = False,
               purpose: str | None = None) -> tuple[QuerySet[Organization], bool]:
    """(the orgs the actor may choose, whether the choice is group-wide)."""
    wide = wide_choice(purpose)
    if wide is not None:
        if actor is None or not resolver().has_perm_anywhere(actor, wide.perm):
            return Organization.objects.none(), True
        qs = Organization.objects.filter(org_type__in=wide.org_types, status=OrgStatus.ACTIVE)
        is_wide = True
    else:
        perm = _known_perm(perm)
        qs = Organization.objects.for_actor(actor, OrgsPerm.VIEW)
        if perm != OrgsPerm.VIEW:
            qs = qs.filter(pk__in=Organization.objects.for_actor(actor, perm).values("pk"))
        is_wide = False
    if types:
        qs = qs.filter(org_type__in=types)
    if active:
        qs = qs.filter(status=OrgStatus.ACTIVE)
    return qs, is_wide


def _paths(actor: Any, orgs: list[Organization], wide: bool) -> dict[int, str]:
    """Each org's parent path (names, root first): the whole path for a group-wide choice, else only the
    ancestors the actor may see (as the tree page shows them)."""
    if wide:
        step = Organization.steplen
        prefixes = {o.path[: step * d] for o in orgs for d in range(1, o.depth)}
        names = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
        return {o.pk: PATH_SEPARATOR.join(names[o.path[: step * d]] for d in range(1, o.depth)
                                          if o.path[: step * d] in names) for o in orgs}
    ancestors = org_ancestors(actor=actor, orgs=orgs)
    return {o.pk: PATH_SEPARATOR.join(a.name for a in ancestors.get(o.pk, [])) for o in orgs}


def _items(actor: Any, orgs: list[Organization], wide: bool) -> list[OrgPickItem]:
    paths = _paths(actor, orgs, wide) if orgs else {}
    return [OrgPickItem(o, paths.get(o.pk, "")) for o in orgs]


def _split_types(raw: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if isinstance(raw, tuple):
        return raw
    return tuple(t for t in (raw or "").split(",") if t in OrgType.values)


def org_pick_search(*, actor: Any, q: str, perm: str | None = None, types: str | tuple[str, ...] | None = None,
                    active: bool = False, purpose: str | None = None, limit: int = PICK_LIMIT) -> list[OrgPickItem]:
    """Orgs the actor may choose whose name or short name contains *q*, or whose code is *q* (listed first),
    with their parent paths; at most *limit*."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    qs, wide = _choosable(actor=actor, perm=perm, types=_split_types(types), active=active, purpose=purpose)
    codes = {q, q.upper()}
    exact = list(qs.filter(code__in=codes)[:1])
    named = list(qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q)).exclude(code__in=codes)
                 .order_by("path")[: limit - len(exact)])
    return _items(actor, exact + named, wide)


def org_pick_resolve(*, actor: Any, text: str, perm: str | None = None, types: str | tuple[str, ...] | None = None,
                     active: bool = False, purpose: str | None = None) -> tuple[Organization | None, str | None]:
    """(the org that *text* names — its code, else its exact name or short name when only one matches —,
    else None and the error to show). Several same-named orgs: the error lists them with their paths."""
    text = (text or "").strip()
    if not text:
        return None, None
    qs, wide = _choosable(actor=actor, perm=perm, types=_split_types(types), active=active, purpose=purpose)
    org = qs.filter(code__in={text, text.upper()}).first()
    if org is not None:
        return org, None
    named = list(qs.filter(Q(name=text) | Q(short_name=text)).order_by("path")[:PICK_LIMIT + 1])
    if len(named) == 1:
        return named[0], None
    if not named:
        in_scope, _wide = _choosable(actor=actor, perm=perm)
        if not wide and not in_scope.filter(code=text).exists():
            # an org that exists outside the scope leaves the auditor a trace (as org_get_by_code does)
            report_out_of_scope(Organization, actor, _known_perm(perm), code=text)
        return None, str(NOT_FOUND)
    places = "；".join(f"{i.path or i.org.name}（{i.org.code}）" for i in _items(actor, named[:5], wide))
    return None, _("有 %(n)s 个组织名为“%(name)s”，请从列表中选择（按上级组织区分），或输入组织代码：%(places)s") % {
        "n": len(named) if len(named) <= PICK_LIMIT else f"{PICK_LIMIT}+", "name": text, "places": places}


def org_choice(*, actor: Any, org: Organization, purpose: str | None = None) -> Choice:
    """How the page shows a chosen org: its name and parent path."""
    item = _items(actor, [org], wide_choice(purpose) is not None)[0]
    return Choice(org.name, item.path)


class OrgPickerField(PickerField):
    """An organisation, chosen by name with the picker (a code is accepted too).

    ``perm``: the permission the form checks (the list offers the orgs in that scope); ``types``: org
    types offered (e.g. ``(OrgType.BRANCH,)``); ``active``: only active orgs; ``purpose``: a registered
    :class:`WideChoice` instead of the actor's scope."""

    default_help_text = gettext_lazy("输入名称搜索，从列表中选择（也可输入组织代码）")

    def __init__(self, *, perm: str | None = None, types: tuple[str, ...] = (), active: bool = False,
                 purpose: str | None = None, **kwargs: Any):
        params = {k: v for k, v in {"perm": perm or "", "type": ",".join(types), "active": "1" if active else "",
                                     "purpose": purpose or ""}.items() if v}
        kwargs.setdefault("placeholder", gettext_lazy("输入名称，如 热控班"))
        super().__init__(source="orgs:pick", params=params, **kwargs)
        self.pick = {"perm": perm, "types": tuple(types), "active": active, "purpose": purpose}


def org_from_picker(actor: Any, form: forms.Form, name: str, text: str | None = None) -> Organization | None:
    """The org that the picker field *name* of a validated *form* names (or *text*), within what the field
    offers; else None and a field error. An empty field is None without error. The page then shows the
    chosen org's name and parent path."""
    field = form.fields[name]
    if text is None:
        text = (form.cleaned_data.get(name) or "") if hasattr(form, "cleaned_data") else ""
    pick = getattr(field, "pick", {})
    org, error = org_pick_resolve(actor=actor, text=text, **pick)
    if error:
        form.add_error(name, error)
        if hasattr(form, "mark_invalid"):
            form.mark_invalid()
    elif org is not None:
        show_choice(form, name, org_choice(actor=actor, org=org, purpose=pick.get("purpose")))
    return org
