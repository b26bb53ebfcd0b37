"""Typed domain events (issue 8): the hub's rules, and a meta-test that every event somebody subscribes
to is published somewhere (a subscriber of a class that nothing publishes waits forever)."""
from __future__ import annotations

import ast
import importlib
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from django.apps import apps

from dangjian.core import events
from dangjian.core.events import DomainEvent, OrgDataChanged

SRC = Path(__file__).resolve().parents[1] / "src" / "dangjian"


def _event_classes() -> dict[str, type[DomainEvent]]:
    for config in apps.get_app_configs():
        if config.name.startswith("dangjian."):
            try:
                importlib.import_module(f"{config.name}.events")
            except ModuleNotFoundError:
                pass
    found: dict[str, type[DomainEvent]] = {}
    todo = [DomainEvent]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _published_names() -> set[str]:
    """Names of the classes constructed inside ``events.publish(...)`` anywhere in the source, and of
    the classes a rules kit ``Ruleset(..., changed=SomeEvent)`` publishes after a change."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "publish"
                    and node.args and isinstance(node.args[0], ast.Call) and isinstance(node.args[0].func, ast.Name)):
                names.add(node.args[0].func.id)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "Ruleset":
                names.update(k.value.id for k in node.keywords if k.arg == "changed" and isinstance(k.value, ast.Name))
    return names


def test_every_subscribed_event_is_published_somewhere():
    # given
    classes = _event_classes()
    published = {classes[name] for name in _published_names() if name in classes}
    # when
    orphans = sorted(cls.__name__ for cls in events.subscriptions()
                     if not any(issubclass(p, cls) for p in published))
    # then
    assert published, "no events.publish(SomeEvent(...)) found in the source"
    assert orphans == []


def test_every_published_name_is_a_declared_event_class():
    assert sorted(_published_names() - set(_event_classes())) == []


def test_events_are_frozen_and_org_ids_uniform():
    from dangjian.members.events import MembersChanged

    event = MembersChanged(member_ids=(3,), org_ids=[5, None, 2, 5])
    assert event.org_ids == (2, 5)
    with pytest.raises(FrozenInstanceError):
        event.org_ids = ()  # type: ignore[misc]


def test_subscribers_of_a_base_class_get_the_subclasses_after_commit(django_capture_on_commit_callbacks, db):
    # given
    from dangjian.meetings.events import MeetingHeld

    seen: list = []
    events.subscribe(OrgDataChanged, seen.append)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            events.publish(MeetingHeld(org_ids=(7,), meeting_id=1))
            assert seen == []  # nothing before the commit
        # then
        assert seen == [MeetingHeld(org_ids=(7,), meeting_id=1)]
        assert len(callbacks) >= 1
    finally:
        events.unsubscribe(OrgDataChanged, seen.append)


def test_strings_are_refused():
    with pytest.raises(TypeError):
        events.subscribe("members.changed", print)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        events.publish("members.changed")  # type: ignore[arg-type]
