"""``{% subnav %}``: an app's sub-menu written once as links, rendered as pills (wide screens) and as one
menu button naming the current entry (phones)."""
from __future__ import annotations

from django.template import Context, Template

from dangjian.ui.templatetags.ui import SubnavLink, subnav_links

BODY = """{% load ui %}{% subnav "dues" %}
  <li class="nav-item"><a class="nav-link{% if active == 'a' %} active{% endif %}" href="/a/">甲 &amp; 乙</a></li>
  {% if extra %}<li class="nav-item"><a class="nav-link" href="/b/?x=1&amp;y=2"><i class="bi bi-upload"></i> 导入</a></li>{% endif %}
{% endsubnav %}"""


def render(**context) -> str:
    return Template(BODY).render(Context(context))


def test_links_are_read_with_their_markup_and_the_current_one():
    links = subnav_links('<li><a class="nav-link active" href="/a/?p=1&amp;q=2">甲 <b>乙</b></a></li>'
                         '<li><a class="nav-link" href="/b/">&#20857;</a></li>')
    assert links == [SubnavLink(href="/a/?p=1&q=2", html="甲 <b>乙</b>", active=True),
                     SubnavLink(href="/b/", html="&#20857;", active=False)]


def test_phone_menu_names_the_current_entry_and_lists_every_entry():
    # when
    html = render(active="a", extra=True)
    # then: one nav with the app's marker, a menu button (phones) and pills (wider screens)
    assert html.count("<nav ") == 1 and "data-subnav" in html and "data-dues-nav" in html
    button = html.split('class="btn subnav-toggle', 1)[1].split("</button>", 1)[0]
    assert "甲 &amp; 乙" in button
    menu = html.split('class="dropdown-menu', 1)[1].split("</ul>", 1)[0]
    assert menu.count("dropdown-item") == 2 and 'class="dropdown-item active" href="/a/" aria-current="page"' in menu
    assert 'href="/b/?x=1&amp;y=2"><i class="bi bi-upload"></i> 导入</a>' in menu
    pills = html.split("subnav-pills", 1)[1]
    assert pills.count("nav-link") == 2 and 'class="nav-link active" href="/a/"' in pills


def test_without_a_current_entry_the_button_asks_to_choose():
    html = render(active="", extra=False)
    button = html.split('class="btn subnav-toggle', 1)[1].split("</button>", 1)[0]
    assert "请选择" in button and "甲" not in button
    assert html.count("dropdown-item") == 1
