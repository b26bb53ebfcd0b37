"""The page kit's tags. ``{% panels "slot" object %}``: the panels other apps registered for this place of the page.

``{{ code|label:"finding" }}``: a code's human name from the label registry the apps declare in their
``declarations.py`` (screens show names; codes stay in the API and "advanced" details).

``{% subnav "dues" %}<li><a class="nav-link{% if … %} active{% endif %}" href="…">…</a></li>…{% endsubnav %}``:
an app's sub-menu. Its links are written once, as plain ``<a href>`` with ``active`` in the class of the
current one; the tag renders them as pills on wide screens and, on phones, as one menu button that names
the current entry and opens the list (no sideways scrolling, nothing off-screen). The ``<nav>`` carries
``data-subnav`` and ``data-<name>-nav``.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from dangjian.core.declarations import label as registry_label
from dangjian.ui.panels import render_panels

__all__ = ["label", "panels"]

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj):
    return render_panels(slot, context.get("request"), obj)


@dataclass(frozen=True)
class SubnavLink:
    href: str
    html: str        # the link's content as written (text, icons)
    active: bool


class _Links(HTMLParser):
    """The ``<a href>`` elements of the rendered sub-menu body, with their inner markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.links: list[SubnavLink] = []
        self._open: tuple[str, bool] | None = None
        self._html: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            values = dict(attrs)
            self._open = (values.get("href") or "", "active" in (values.get("class") or "").split())
            self._html = []
        elif self._open is not None:
            self._html.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, active = self._open
            self.links.append(SubnavLink(href=href, html="".join(self._html).strip(), active=active))
            self._open = None
        elif self._open is not None:
            self._html.append(f"</{tag}>")

    def handle_data(self, data):
        if self._open is not None:
            self._html.append(data)

    def handle_entityref(self, name):
        if self._open is not None:
            self._html.append(f"&{name};")

    def handle_charref(self, name):
        if self._open is not None:
            self._html.append(f"&#{name};")


def subnav_links(html: str) -> list[SubnavLink]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


class SubnavNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, nodelist: template.NodeList) -> None:
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        name = str(self.name.resolve(context))
        links = subnav_links(self.nodelist.render(context))
        current = next((link for link in links if link.active), None)
        return render_to_string("ui/includes/subnav.html", {
            "name": escape(name),
            "links": [{"href": link.href, "html": mark_safe(link.html), "active": link.active} for link in links],
            "current": mark_safe(current.html) if current else "",
        }, request=context.get("request"))


@register.tag
def subnav(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('usage: {% subnav "name" %}…{% endsubnav %}')
    nodelist = parser.parse(("endsubnav",))
    parser.delete_first_token()
    return SubnavNode(parser.compile_filter(bits[1]), nodelist)


@register.filter
def label(code, kind: str):
    """``{{ finding.rule|label:"finding" }}`` → 发展党员步骤逾期; an undeclared code shows as itself."""
    return registry_label(kind, code)
