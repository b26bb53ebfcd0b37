"""The API contract (STYLE §10): the committed openapi.json, documentation of every operation, docs page."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command

from dangjian.api.registry import iter_operations
from dangjian.api.urls import api
from dangjian.core.management.commands.openapi import render_schema

REPO = Path(__file__).resolve().parents[4]
COMMITTED = REPO / "openapi.json"
SCHEMA = json.loads(render_schema())
OPERATIONS = list(iter_operations(api))


def _schema_op(info):
    return SCHEMA["paths"]["/api/v1" + info.path][info.method.lower()]


def test_committed_openapi_json_matches_the_generated_schema():
    # given
    committed = COMMITTED.read_text(encoding="utf-8")
    # when
    generated = render_schema()
    # then
    assert committed == generated, "the API changed: run `dangjian openapi`, review and commit openapi.json"


@pytest.mark.parametrize("info", OPERATIONS, ids=lambda i: i.operation_id)
def test_operation_has_id_summary_description_and_its_app_tag(info):
    op = _schema_op(info)
    assert op["operationId"] == info.operation_id
    assert op["summary"].strip()
    assert len(op.get("description", "").strip()) >= 20, f"{info.operation_id} needs a real description"
    module_app = info.operation.view_func.__module__.split(".")[1]
    assert op["tags"] == [module_app]
    assert module_app == "api" or apps.is_installed(f"dangjian.{module_app}")


@pytest.mark.parametrize("info", OPERATIONS, ids=lambda i: i.operation_id)
def test_operation_documents_its_permission_and_error_responses(info):
    op = _schema_op(info)
    documented = set(op["responses"])
    assert op["x-permission"] == info.perm
    if not info.public:
        assert {"401", "403"} <= documented
        assert {s["$ref"] for s in ([op["responses"]["401"]["content"]["application/json"]["schema"]])} == {
            "#/components/schemas/ErrorOut"
        }
        assert op["security"] == [{"BearerTokenAuth": []}, {"SessionAuth": []}]
    if info.path_params:
        assert "404" in documented
    if op.get("parameters") or op.get("requestBody"):
        assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrorOut"
        }
    assert any(code.startswith("2") for code in documented)


def test_operation_ids_are_unique_and_snake_case():
    ids = [info.operation_id for info in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+_[a-z_]+", i) for i in ids)


def test_openapi_check_command_passes_on_the_committed_file_and_fails_on_drift(tmp_path, capsys):
    # given
    stale = tmp_path / "openapi.json"
    stale.write_text(render_schema().replace('"summary": "党员列表"', '"summary": "old"'), encoding="utf-8")
    # when / then
    call_command("openapi", "--check", "--path", str(COMMITTED))
    with pytest.raises(CommandError, match="out of date"):
        call_command("openapi", "--check", "--path", str(stale))
    changed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("-  ", "+  "))]
    assert changed == ['-        "summary": "old",', '+        "summary": "党员列表",']


def test_openapi_command_writes_the_schema(tmp_path):
    target = tmp_path / "openapi.json"
    call_command("openapi", "--path", str(target))
    assert target.read_text(encoding="utf-8") == render_schema()


@pytest.mark.django_db
def test_openapi_json_is_served_and_equals_the_generated_schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == SCHEMA


@pytest.mark.django_db
def test_docs_page_uses_ninjas_bundled_assets_not_a_cdn(client):
    # when
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    # then
    assert response.status_code == 200
    assets = re.findall(r'(?:\ssrc="|<link [^>]*href=")([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert [a for a in assets if not a.startswith("/static/")] == []
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not collected by collectstatic"
    # and the page, opened from the main menu, leads back to the platform
    assert '<a href="/" data-back-home>' in html
