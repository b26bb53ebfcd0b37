"""Extension points of pages (issue 8; STYLE §16): a lower app's page shows what higher apps own through
*panels* the higher apps register, as NetBox's template extensions or Wagtail's hooks do. The page names
a slot (``"orgs.detail"``) and the object; each panel registered for that slot computes its own context
through its own app's selectors (so its data is scoped by its own rules) and renders its own template.
A panel whose context function returns ``None`` is not shown.

*Annotators* do the same for lists: a page hands its objects to the slot's annotators, which set
attributes on them in one query (e.g. the member count of each organisation in the tree).

Panels and annotators are registered from the higher app's ``panels.py``, imported by its ``ready()``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Panel", "annotate", "panels_for", "register_annotator", "register_panel", "render_panels"]


@dataclass(frozen=True)
class Panel:
    slot: str
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]  # (request, obj) -> template context, or None: not shown
    order: int = 100


_panels: dict[str, list[Panel]] = defaultdict(list)
_annotators: dict[str, list[tuple[int, str, Callable[[Any, list], bool]]]] = defaultdict(list)


def register_panel(panel: Panel) -> None:
    entries = [p for p in _panels[panel.slot] if p.key != panel.key]
    _panels[panel.slot] = sorted([*entries, panel], key=lambda p: (p.order, p.key))


def panels_for(slot: str) -> list[Panel]:
    return list(_panels.get(slot, ()))


def render_panels(slot: str, request: Any, obj: Any) -> SafeString:
    """The HTML of every panel of *slot* that has something to show for *obj*, in order."""
    parts = []
    for panel in panels_for(slot):
        context = panel.context(request, obj)
        if context is None:
            continue
        parts.append(render_to_string(panel.template, {"object": obj, **context}, request=request))
    return mark_safe("".join(parts))  # each part was rendered (and escaped) by its own template


def register_annotator(slot: str, key: str, fn: Callable[[Any, list], bool], order: int = 100) -> None:
    """*fn(actor, objects)* sets attributes on *objects* and returns whether the page should show them."""
    entries = [a for a in _annotators[slot] if a[1] != key]
    _annotators[slot] = sorted([*entries, (order, key, fn)], key=lambda a: (a[0], a[1]))


def annotate(slot: str, actor: Any, objects: list) -> dict[str, bool]:
    """Runs the annotators of *slot* over *objects*; returns ``{key: shown}`` for the template."""
    return {key: bool(fn(actor, objects)) for _order, key, fn in _annotators.get(slot, ())}
