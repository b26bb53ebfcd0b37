"""Per-app declarations (core.declarations): collected from every installed app, checked at start-up,
rendered as the navigation and the quick links, read as the default schedule (issue 8)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from dangjian.core import declarations
from dangjian.core.declarations import Declarations, NavEntry, NavGroup, Permission, ScheduleEntry, registry

TEST_ONLY = "declapp"  # tests/declapp, installed by the test settings only


@pytest.fixture
def declared(monkeypatch):
    """Replaces the collected declarations with those of the given (label, namespace) pairs."""

    def use(*apps: tuple[str, SimpleNamespace]) -> Declarations:
        found = Declarations()
        for label, module in apps:
            found.add(label, module)
        found.check()
        monkeypatch.setattr(declarations, "_registry", found)
        return found

    return use


def _labels(items) -> list:
    return [(str(i.label), [str(c.label) for c in i.children]) if i.children else str(i.label) for i in items]


# -- checks at start-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("_case", "apps", "message"), [
    ("code outside the app's namespace", [("alpha", SimpleNamespace(PERMISSIONS=[Permission("beta.view", "x")]))],
     "alpha: permission 'beta.view' must start with 'alpha'."),
    ("code declared twice", [("alpha", SimpleNamespace(PERMISSIONS=[Permission("alpha.view", "x")] * 2))],
     "permission alpha.view is declared by both alpha and alpha."),
    ("grant of an undeclared permission", [("alpha", SimpleNamespace(DEFAULT_GRANTS={"member": ["alpha.nope"]}))],
     "alpha: grants undeclared permission 'alpha.nope' to 'member'."),
    ("entry in an undeclared group", [("alpha", SimpleNamespace(NAV=[NavEntry("a", "A", "x:y", group="nope")]))],
     "nav entry 'a' names undeclared group 'nope'."),
    ("nav key used by two apps", [("alpha", SimpleNamespace(NAV=[NavEntry("a", "A", "x:y")])),
                                  ("beta", SimpleNamespace(NAV=[NavEntry("a", "B", "x:z")]))],
     "nav entry a is declared by both alpha and beta."),
    ("schedule name used twice", [("alpha", SimpleNamespace(SCHEDULE=[ScheduleEntry("t", "p", "every 1h", "d")])),
                                  ("beta", SimpleNamespace(SCHEDULE=[ScheduleEntry("t", "q", "every 1h", "d")]))],
     "schedule entry t is declared by both alpha and beta."),
])
def test_a_bad_declaration_stops_the_start(_case, apps, message):
    found = Declarations()
    with pytest.raises(ImproperlyConfigured) as caught:
        for label, module in apps:
            found.add(label, module)
        found.check()
    assert str(caught.value) == message


def test_an_app_may_grant_another_apps_declared_permission_once_per_role():
    found = Declarations()
    found.add("alpha", SimpleNamespace(PERMISSIONS=[Permission("alpha.view", "x")],
                                       DEFAULT_GRANTS={"member": ["alpha.view"]}))
    found.add("beta", SimpleNamespace(DEFAULT_GRANTS={"member": ["alpha.view"], "auditor": ["alpha.view"]}))
    assert found.grants == {"member": ["alpha.view"], "auditor": ["alpha.view"]}


# -- the navigation -------------------------------------------------------------------------------------

HOME = "web:home"  # any URL name that resolves: the menu logic is what is tested here


def test_the_menu_orders_groups_and_links_together_and_filters_by_permission(declared):
    declared(
        ("alpha", SimpleNamespace(NAV=[
            NavGroup("g", "G", order=20, permission="alpha.view"),
            NavEntry("g.b", "G-b", HOME, "alpha.view", group="g", order=20),
            NavEntry("g.a", "G-a", HOME, None, group="g", order=10),
            NavEntry("top", "Top", HOME, ("alpha.x", "alpha.y"), order=30),
            NavEntry("first", "First", HOME, None, order=10),
        ])),
        ("beta", SimpleNamespace(NAV=[
            NavEntry("g.c", "G-c", HOME, "beta.view", group="g", order=15),  # another app's entry in alpha's group
            NavEntry("else", "Else", HOME, lambda perms: "alpha.view" not in perms, order=40),
        ])),
    )
    everything = declarations.menu({"alpha.view", "alpha.y", "beta.view"})
    assert _labels(everything) == ["First", ("G", ["G-a", "G-c", "G-b"]), "Top"]
    assert everything[0].url == reverse(HOME)
    # the group's permission gates the other app's entry too; the callable shows "Else" instead
    assert _labels(declarations.menu({"beta.view", "alpha.x"})) == ["First", "Top", "Else"]


def test_an_empty_group_is_left_out_and_an_unresolvable_link_skipped(declared):
    declared(("alpha", SimpleNamespace(NAV=[
        NavGroup("g", "G", order=10),
        NavEntry("g.a", "G-a", HOME, "alpha.view", group="g"),
        NavEntry("gone", "Gone", "nowhere:page", None, order=20),
        NavEntry("here", "Here", HOME, None, order=30),
    ])))
    assert _labels(declarations.menu(set())) == ["Here"]


def test_quick_links_are_the_entries_with_a_home_order(declared):
    declared(("alpha", SimpleNamespace(NAV=[
        NavGroup("g", "G", order=10, permission="alpha.view"),
        NavEntry("a", "Long a", HOME, None, group="g", icon="bi-a", home_order=20, home_label="A"),
        NavEntry("b", "B", HOME, None, icon="bi-b", home_order=10),
        NavEntry("c", "C", HOME, None),
    ])))
    assert [(str(i.label), i.icon) for i in declarations.home_links({"alpha.view"})] == [("B", "bi-b"), ("A", "bi-a")]
    assert [str(i.label) for i in declarations.home_links(set())] == ["B"]  # a's group needs alpha.view


def test_a_beyond_self_entry_needs_the_permission_beyond_ones_own_records(declared):
    # given: a list of everyone in scope (beyond_self) beside a page of one's own
    declared(("alpha", SimpleNamespace(NAV=[
        NavEntry("list", "List", HOME, "alpha.view", order=10, home_order=10, beyond_self=True),
        NavEntry("mine", "Mine", HOME, "alpha.view", order=20),
    ])))
    # then: held only as a "self" grant, the list is not offered; held at an org it is
    assert _labels(declarations.menu({"alpha.view"}, set())) == ["Mine"]
    assert declarations.home_links({"alpha.view"}, set()) == []
    assert _labels(declarations.menu({"alpha.view"}, {"alpha.view"})) == ["List", "Mine"]
    assert _labels(declarations.menu({"alpha.view"})) == ["List", "Mine"]  # no scope given: as before


# -- what the installed apps declare --------------------------------------------------------------------


def test_every_declared_page_exists():
    missing = []
    for entry in registry().nav_entries:
        if entry.key.startswith(f"{TEST_ONLY}."):
            continue  # its page is only routed under tests.declapp.root_urls
        try:
            reverse(entry.url_name)
        except NoReverseMatch:
            missing.append(entry.url_name)
    assert missing == []


def test_the_default_schedule_is_the_one_integration_listed_before_the_apps_declared_it():
    from dangjian.integration.schedule import DEFAULT_SCHEDULE

    assert {e.name: (e.task_path, e.spec) for e in DEFAULT_SCHEDULE if not e.name.startswith(TEST_ONLY)} == {
        "health.scan_all": ("dangjian.health.tasks.scan_all", "30 2 * * *"),
        "dues.monthly_bills": ("dangjian.dues.tasks.generate_monthly_bills", "0 1 1 * *"),
        "health.term_reminders": ("dangjian.health.tasks.term_reminders", "0 8 * * *"),
        "integration.retry_deliveries": ("dangjian.integration.tasks.retry_deliveries", "every 60s"),
        "exchange.purge_import_files": ("dangjian.exchange.tasks.purge_import_files", "30 3 * * *"),
    }


def test_core_imports_no_domain_app():
    source = declarations.__file__
    with open(source, encoding="utf-8") as fp:
        imports = [line for line in fp if line.startswith(("from dangjian", "import dangjian"))]
    assert imports == []
