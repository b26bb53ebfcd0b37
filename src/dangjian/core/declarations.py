"""Per-app declarations, collected at start-up (STYLE §16: extend, never import up).

Each installed app says what it brings to the platform in its own ``<app>/declarations.py``, as
module-level constants (all optional)::

    PERMISSIONS = [Permission("meetings.view", _("查看组织生活")), ...]   # codes start with "<app label>."
    DEFAULT_GRANTS = {"branch_secretary": ["meetings.view", ...], ...}  # role code -> this app's codes
    NAV = [NavGroup(...), NavEntry(...), ...]                          # menu groups and entries
    SCHEDULE = [ScheduleEntry(...), ...]                               # periodic tasks of the worker
    LABELS = [Labels("finding", {...}), ...]                           # human names of the app's codes
    EVENTS = [PublishedEvent(MembersChanged, "cn.dangjian.members.changed", _("党员信息变更")), ...]
                                                                       # domain events offered to webhooks

``CoreConfig.ready`` imports every installed app's ``declarations`` module (in ``INSTALLED_APPS``
order) and checks them: a permission code outside its app's namespace or declared twice, a grant
of an undeclared permission, a nav entry in an undeclared group or a schedule name used twice stop
the start. Adding an app therefore edits no other app's files: the roles' default permissions
(``accounts.choices.DEFAULT_ROLES``), the navigation bar and the home page's quick links
(``web``), and the worker's default schedule (``integration.schedule.DEFAULT_SCHEDULE``) are all
read from here, and so is the catalogue of events the outbound webhooks offer (``integration``:
an event type starts with ``cn.dangjian.<app label>.`` and is declared once); so are the human names of every code a screen might show (:func:`label`, the ui
kit's ``{{ code|label:"finding" }}`` filter). The role definitions (codes, names, MFA) stay in ``accounts``; this module knows
no app and imports none.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import module_has_submodule

__all__ = [
    "MODULE",
    "Declarations",
    "LabelVocabulary",
    "Labels",
    "MenuItem",
    "NavEntry",
    "NavGroup",
    "Permission",
    "PublishedEvent",
    "ScheduleEntry",
    "collect",
    "home_links",
    "label",
    "labels",
    "menu",
    "registry",
]

MODULE = "declarations"

# Who sees a nav group or entry: None = every signed-in user; "app.perm" = holders of that permission
# (anywhere in their scope); ("a.x", "b.y") = holders of any of them; a callable gets the user's
# permission codes and answers (e.g. "those who lack dues.view").
Visibility = None | str | tuple[str, ...] | Callable[[frozenset[str] | set[str]], bool]


@dataclass(frozen=True)
class Permission:
    """A permission code (``<app label>.<action>``) with its Chinese label (shown on role pages)."""

    code: str
    label: Any  # a lazy translation string


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the navigation bar. Shown when *permission* holds and at least one entry shows.

    Another app may put entries into it (health's pages sit under orgs' 组织 menu), which is why the
    group's own permission also gates those entries."""

    key: str
    label: Any
    order: int
    permission: Visibility = None


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar: inside the dropdown *group* (a NavGroup key), or at the top level.

    ``home_order`` also makes it one of the home page's quick links (with ``icon`` and the shorter
    ``home_label``, default ``label``), ordered by that number.

    ``beyond_self``: shown only to those who hold *permission* at a scope wider than their own records
    (an organisation, a subtree, everything). A list whose only row is oneself (党员名册 for a plain member,
    whose ``members.view`` is a "self" grant) is a manager's screen, not theirs (issue 9, point 4)."""

    key: str
    label: Any
    url_name: str
    permission: Visibility = None
    group: str | None = None
    order: int = 0
    icon: str = ""
    home_order: int | None = None
    home_label: Any = None
    beyond_self: bool = False


@dataclass(frozen=True)
class ScheduleEntry:
    """A periodic task of the worker, named by its dotted task path so that the schedule never imports
    the app (a missing task is logged as "missing" and skipped)."""

    name: str
    task_path: str
    spec: str  # "every <n>[s|m|h|d]" or five cron fields, in the site's time zone
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    title: Any = ""  # its Chinese name on the schedule page (the "schedule" labels); default: description


@dataclass(frozen=True)
class Labels:
    """The human (Chinese) names of some codes of one vocabulary (*kind*): ``"finding"`` (health rule
    codes), ``"source"`` (notification sources), ``"severity"``, ``"role"``, ``"scope"``,
    ``"meeting_kind"``, ``"stage"``, ``"org_type"``, ``"schedule"`` …

    *names* maps code → label (lazy translation strings), or is a callable returning that mapping,
    called once on first use (for names another module computes, e.g. the health rule registry's
    titles). Screens show the label; the code stays in the API and in an "advanced" detail (STYLE §17).
    """

    kind: str
    names: Mapping[str, Any] | Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class LabelVocabulary:
    """One vocabulary's labels, merged over the apps that declared them (code → label)."""

    kind: str
    names: dict[str, Any]
    owners: dict[str, str]  # code -> app label that declared it


@dataclass(frozen=True)
class PublishedEvent:
    """A domain event class offered to outbound webhook subscribers under a stable CloudEvents ``type``
    (``cn.dangjian.<app label>.<name>``): renaming the class keeps the type; the event's fields are the
    CloudEvent's ``data``, so an event offered here carries ids and codes, never personal data."""

    event: type
    type: str
    label: Any  # a lazy translation string: what happened, in a few words


@dataclass(frozen=True)
class MenuItem:
    """One rendered link or dropdown of the navigation (what the template iterates)."""

    key: str
    label: Any
    url: str = ""
    icon: str = ""
    children: tuple[MenuItem, ...] = ()


@dataclass
class Declarations:
    """Everything the installed apps declared, in ``INSTALLED_APPS`` order, checked."""

    permissions: dict[str, Permission] = field(default_factory=dict)
    grants: dict[str, list[str]] = field(default_factory=dict)  # role code -> permission codes
    nav_groups: dict[str, NavGroup] = field(default_factory=dict)
    nav_entries: list[NavEntry] = field(default_factory=list)
    schedule: list[ScheduleEntry] = field(default_factory=list)
    label_sources: list[tuple[str, Labels]] = field(default_factory=list)  # (app label, declaration)
    events: dict[str, PublishedEvent] = field(default_factory=dict)  # CloudEvents type -> declaration
    apps: dict[str, str] = field(default_factory=dict)  # what declared each code/key: for error messages
    _vocabularies: dict[str, LabelVocabulary] | None = field(default=None, repr=False, compare=False)

    def add(self, label: str, module: ModuleType | Any) -> None:
        """Adds one app's declarations (*module*: its ``declarations`` module or any namespace)."""
        for perm in getattr(module, "PERMISSIONS", ()):
            if not perm.code.startswith(f"{label}."):
                raise ImproperlyConfigured(f"{label}: permission {perm.code!r} must start with {label!r}.")
            self._claim(f"permission {perm.code}", label)
            self.permissions[perm.code] = perm
        for role, codes in getattr(module, "DEFAULT_GRANTS", {}).items():
            for code in codes:
                if code not in self.permissions:
                    raise ImproperlyConfigured(f"{label}: grants undeclared permission {code!r} to {role!r}.")
                granted = self.grants.setdefault(role, [])
                if code not in granted:
                    granted.append(code)
        for item in getattr(module, "NAV", ()):
            if isinstance(item, NavGroup):
                self._claim(f"nav group {item.key}", label)
                self.nav_groups[item.key] = item
            else:
                self._claim(f"nav entry {item.key}", label)
                self.nav_entries.append(item)
        for entry in getattr(module, "SCHEDULE", ()):
            self._claim(f"schedule entry {entry.name}", label)
            self.schedule.append(entry)
            if entry.title:
                self.label_sources.append((label, Labels("schedule", {entry.name: entry.title})))
        for labels in getattr(module, "LABELS", ()):
            self.label_sources.append((label, labels))
        for published in getattr(module, "EVENTS", ()):
            if not published.type.startswith(f"cn.dangjian.{label}."):
                raise ImproperlyConfigured(f"{label}: event type {published.type!r} must start with "
                                           f"'cn.dangjian.{label}.'")
            self._claim(f"event type {published.type}", label)
            self._claim(f"event class {published.event.__module__}.{published.event.__qualname__}", label)
            self.events[published.type] = published
        self._vocabularies = None

    def vocabularies(self) -> dict[str, LabelVocabulary]:
        """Every declared vocabulary (resolved on first use: a callable's names may need other modules).
        The same code declared twice in one vocabulary stops: one code has one name."""
        if self._vocabularies is None:
            found: dict[str, LabelVocabulary] = {}
            for app, labels in self.label_sources:
                names = labels.names() if callable(labels.names) else labels.names
                vocabulary = found.setdefault(labels.kind, LabelVocabulary(labels.kind, {}, {}))
                for code, name in names.items():
                    code = str(code)
                    if code in vocabulary.owners:
                        raise ImproperlyConfigured(
                            f"label {labels.kind}:{code} is declared by both {vocabulary.owners[code]} and {app}.")
                    vocabulary.names[code] = name
                    vocabulary.owners[code] = app
            self._vocabularies = found
        return self._vocabularies

    def check(self) -> None:
        """Cross-app checks, once every app is in (an entry may name a group a later app declares)."""
        for entry in self.nav_entries:
            if entry.group is not None and entry.group not in self.nav_groups:
                raise ImproperlyConfigured(f"nav entry {entry.key!r} names undeclared group {entry.group!r}.")

    def _claim(self, what: str, label: str) -> None:
        if what in self.apps:
            raise ImproperlyConfigured(f"{what} is declared by both {self.apps[what]} and {label}.")
        self.apps[what] = label


_registry: Declarations | None = None


def collect(app_configs: Iterable[Any] | None = None) -> Declarations:
    """Imports ``<app>.declarations`` of every installed app (or of *app_configs*) and checks them."""
    found = Declarations()
    for config in app_configs if app_configs is not None else apps.get_app_configs():
        if module_has_submodule(config.module, MODULE):
            found.add(config.label, importlib.import_module(f"{config.name}.{MODULE}"))
    found.check()
    return found


def registry() -> Declarations:
    """The collected declarations (collected on first use once the app registry is ready)."""
    global _registry
    if _registry is None:
        apps.check_apps_ready()
        _registry = collect()
    return _registry


def _visible(rule: Visibility, perms: frozenset[str] | set[str]) -> bool:
    if rule is None:
        return True
    if isinstance(rule, str):
        return rule in perms
    if isinstance(rule, tuple):
        return any(code in perms for code in rule)
    return bool(rule(perms))


def _entry_visible(entry: NavEntry, perms: frozenset[str] | set[str], wide: frozenset[str] | set[str] | None) -> bool:
    return _visible(entry.permission, wide if entry.beyond_self and wide is not None else perms)


def _url(entry: NavEntry) -> str | None:
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:  # an app installed without its pages (e.g. only under some settings)
        return None


def menu(perms: frozenset[str] | set[str], wide: frozenset[str] | set[str] | None = None) -> list[MenuItem]:
    """The navigation for a user holding *perms*: top-level links and dropdowns, ordered, with the
    groups that end up empty left out. *wide*: the codes the user holds at a scope wider than their own
    records (None: the same as *perms*), for the ``beyond_self`` entries."""
    reg = registry()
    by_group: dict[str | None, list[tuple[int, MenuItem]]] = {}
    for entry in reg.nav_entries:
        if not _entry_visible(entry, perms, wide):
            continue
        url = _url(entry)
        if url is None:
            continue
        by_group.setdefault(entry.group, []).append(
            (entry.order, MenuItem(entry.key, entry.label, url, entry.icon)))
    top: list[tuple[int, MenuItem]] = list(by_group.get(None, []))
    for group in reg.nav_groups.values():
        children = by_group.get(group.key)
        if children and _visible(group.permission, perms):
            top.append((group.order, MenuItem(group.key, group.label,
                                              children=tuple(item for _, item in sorted(children, key=_first)))))
    return [item for _, item in sorted(top, key=_first)]


def home_links(perms: frozenset[str] | set[str], wide: frozenset[str] | set[str] | None = None) -> list[MenuItem]:
    """The home page's quick links for a user holding *perms* (entries with a ``home_order``); *wide* as
    for :func:`menu`."""
    reg = registry()
    links = []
    for entry in reg.nav_entries:
        if entry.home_order is None or not _entry_visible(entry, perms, wide):
            continue
        group = reg.nav_groups.get(entry.group) if entry.group else None
        if group is not None and not _visible(group.permission, perms):
            continue
        url = _url(entry)
        if url is not None:
            links.append((entry.home_order, MenuItem(entry.key, entry.home_label or entry.label, url, entry.icon)))
    return [item for _, item in sorted(links, key=_first)]


def labels(kind: str) -> dict[str, Any]:
    """code → label of one vocabulary (empty for an undeclared one)."""
    vocabulary = registry().vocabularies().get(kind)
    return dict(vocabulary.names) if vocabulary else {}


def label(kind: str, code: Any, default: Any = None) -> Any:
    """The human name of *code* in vocabulary *kind*; *default* (else the code itself) when none was
    declared, so an unknown code from outside (an API client's notification source) still shows."""
    if code is None or code == "":
        return "" if default is None else default
    vocabulary = registry().vocabularies().get(kind)
    name = vocabulary.names.get(str(code)) if vocabulary else None
    if name is not None:
        return name
    return str(code) if default is None else default


def _first(pair: tuple[int, MenuItem]) -> int:
    return pair[0]
