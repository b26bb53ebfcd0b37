"""What a person sees of a page, and the internal codes in it (issue 9 §3: screens show names, never codes).

:func:`visible_text` keeps the text nodes and the attributes a person reads (placeholder, title, a button's
value) of an HTML page, without scripts, styles, ``<template>`` and the contents of closed ``<details>``
(the "advanced" detail where a code may stay). :func:`raw_codes` lists the codes of the label registry
(``core.declarations.labels``: finding/rule codes, notification sources, severities, roles, meeting kinds,
stages, …) and the dotted codes of any dangjian app (``development.step_overdue``) found in such text.
"""
from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

__all__ = ["raw_codes", "visible_text"]

_HIDDEN = {"script", "style", "template", "head", "details", "datalist"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "summary" and self.hidden == ["details"]:
            self.hidden.append("summary")  # a closed details shows its summary: read it
            return
        if tag in _HIDDEN:
            if "open" in values and tag == "details":
                return
            self.hidden.append(tag)
            return
        if self.hidden and self.hidden[-1] != "summary":
            return
        for name in ("placeholder", "title"):
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if (not self.hidden or self.hidden[-1] == "summary") and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from django.apps import apps

    from dangjian.core.declarations import registry

    codes = {code for vocabulary in registry().vocabularies().values() for code in vocabulary.names
             if len(code) >= 4 and code.isascii()}
    known = re.compile(r"(?<![\w./@-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                       + r")(?![\w-])", re.ASCII)
    labels = sorted(c.label for c in apps.get_app_configs() if c.name.startswith("dangjian."))
    dotted = re.compile(r"(?<![\w./@-])(?:" + "|".join(labels) + r")\.[a-z_]+(?![\w(/-])", re.ASCII)
    return known, dotted


def raw_codes(text: str) -> list[str]:
    """The internal codes in *text* (sorted, each once)."""
    known, dotted = _patterns()
    return sorted(set(known.findall(text)) | set(dotted.findall(text)))
