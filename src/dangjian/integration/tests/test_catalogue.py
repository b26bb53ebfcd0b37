"""The outbound-event catalogue (issue 10 §7): the committed asyncapi.json is what the declarations
give (drift test, like openapi.json's), every domain event is either offered or internal for a stated
reason, and what an offered event carries is ids and codes — never personal data."""
from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from dangjian.core.declarations import Declarations, PublishedEvent
from dangjian.core.events import DomainEvent
from dangjian.integration.webhooks import asyncapi_document, catalogue, render_asyncapi

REPO = Path(__file__).resolve().parents[4]
COMMITTED = REPO / "asyncapi.json"

# Domain events that never leave the platform, each with the reason.
INTERNAL = {
    "DomainEvent": "the base class",
    "OrgDataChanged": "a base class: its subclasses are offered one by one",
    "DeliveriesQueued": "the delivery queue's own plumbing",
    "DevelopmentRulesChanged": "a platform setting changed: triggers a recomputation, nothing happened to an org",
    "CadenceRulesChanged": "a platform setting changed: triggers the cadence re-check, nothing happened to an org",
    "HealthRulesChanged": "a platform setting changed: triggers a re-scan, nothing happened to an org",
}
# What an offered event's data may carry: ids, codes, periods, counts and dates.
ALLOWED_FIELD = ("org_ids", "member_ids", "pipeline_ids", "rule_codes", "period", "created", "since",
                 "full_member_on", "to_status")


def _event_classes() -> dict[str, type[DomainEvent]]:
    for config in apps.get_app_configs():
        if config.name.startswith("dangjian."):
            try:
                importlib.import_module(f"{config.name}.events")
            except ModuleNotFoundError:
                pass
    found: dict[str, type[DomainEvent]] = {}
    todo: list[type[DomainEvent]] = [DomainEvent]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def test_committed_asyncapi_json_matches_the_generated_catalogue():
    assert COMMITTED.read_text(encoding="utf-8") == render_asyncapi(), (
        "the offered events changed: run `dangjian asyncapi`, review and commit asyncapi.json")


def test_asyncapi_check_command_passes_on_the_committed_file_and_fails_on_drift(tmp_path, capsys):
    # given
    stale = tmp_path / "asyncapi.json"
    stale.write_text(render_asyncapi().replace('"title": "党员信息变更（新增、修改、转移或减少）"', '"title": "old"'),
                     encoding="utf-8")
    # when / then
    call_command("asyncapi", "--check", "--path", str(COMMITTED))
    with pytest.raises(CommandError, match="out of date"):
        call_command("asyncapi", "--check", "--path", str(stale))
    changed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("-  ", "+  "))]
    assert changed == ['-        "title": "old",', '+        "title": "党员信息变更（新增、修改、转移或减少）",']


def test_asyncapi_command_writes_the_document(tmp_path):
    target = tmp_path / "asyncapi.json"
    call_command("asyncapi", "--path", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == asyncapi_document()


def test_every_domain_event_is_offered_or_internal_with_a_reason():
    # given
    offered = {entry.event.__name__ for entry in catalogue().values()}
    # when
    undecided = set(_event_classes()) - offered - set(INTERNAL)
    # then
    assert undecided == set(), f"declare these in their app's declarations.EVENTS or list them as INTERNAL: {undecided}"
    assert offered & set(INTERNAL) == set()


def test_offered_events_carry_ids_and_codes_only():
    for entry in catalogue().values():
        names = {f.name for f in dataclasses.fields(entry.event)}
        odd = {n for n in names if not (n.endswith("_id") or n in ALLOWED_FIELD)}
        assert odd == set(), f"{entry.type} carries {odd}: is it personal data? (extend ALLOWED_FIELD if not)"


def test_every_offered_type_has_a_message_with_its_data_schema():
    doc = asyncapi_document()
    messages = doc["components"]["messages"]
    assert sorted(m["name"] for m in messages.values()) == sorted(catalogue())
    for name, message in messages.items():
        payload = doc["components"]["schemas"][name]
        assert payload["allOf"][1]["properties"]["type"] == {"const": message["name"]}
        data = doc["components"]["schemas"][f"{name}_data"]
        assert data["type"] == "object" and "org_ids" in data["properties"]
    assert doc["asyncapi"] == "3.0.0"
    assert len(doc["operations"]["deliverEvent"]["messages"]) == len(messages)


def test_declarations_refuse_a_type_outside_the_apps_namespace_or_declared_twice():
    class Module:
        EVENTS = [PublishedEvent(DomainEvent, "cn.dangjian.members.x", "x")]

    class Elsewhere:
        EVENTS = [PublishedEvent(DomainEvent, "cn.dangjian.orgs.x", "x")]

    class Twice:
        EVENTS = [PublishedEvent(DomainEvent, "cn.dangjian.dues.y", "y")]

    from django.core.exceptions import ImproperlyConfigured

    found = Declarations()
    found.add("members", Module)
    with pytest.raises(ImproperlyConfigured, match=r"must start with 'cn\.dangjian\.dues\.'"):
        Declarations().add("dues", Elsewhere)
    with pytest.raises(ImproperlyConfigured, match="declared by both"):
        found.add("dues", Twice)  # the same class offered under a second type
