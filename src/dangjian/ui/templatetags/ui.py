"""The page kit's tags: ``{% panels "slot" object %}`` (the panels other apps registered for this place of
the page) and ``{{ code|label:"finding" }}`` (a code's human name from the label registry the apps
declare in their ``declarations.py``: screens show names, codes stay in the API and "advanced" details)."""
from django import template

from dangjian.core.declarations import label as registry_label
from dangjian.ui.panels import render_panels

__all__ = ["label", "panels"]

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj):
    return render_panels(slot, context.get("request"), obj)


@register.filter
def label(code, kind: str):
    """``{{ finding.rule|label:"finding" }}`` → 发展党员步骤逾期; an undeclared code shows as itself."""
    return registry_label(kind, code)
