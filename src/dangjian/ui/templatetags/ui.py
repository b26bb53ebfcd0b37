"""``{% panels "slot" object %}``: the panels other apps registered for this place of the page."""
from django import template

from dangjian.ui.panels import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj):
    return render_panels(slot, context.get("request"), obj)
