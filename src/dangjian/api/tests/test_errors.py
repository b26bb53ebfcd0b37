"""Error mapping (STYLE §11), authentication edge cases and the start-up guards of the API layer."""
from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja import Router as PlainRouter
from pydantic import BaseModel, ValidationError

from dangjian.api.errors import (
    FALLBACK_TEMPLATE,
    MESSAGES,
    VALIDATION_TEMPLATES,
    pydantic_errors_to_field_errors,
)
from dangjian.api.registry import iter_operations
from dangjian.api.urls import api, check_operations
from dangjian.audit.models import AuditEntry
from dangjian.core.api import PUBLIC, Router
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from tests.fixtures import audit_count, probe_count

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
# Strings our API modules pass to gettext themselves (besides the templates and MESSAGES).
API_STRINGS = ["组织不存在或不在您的数据范围内", "工作单位代码不存在"]

BAD_VALUES = [
    None, "", " ", "abc", "x" * 2000, "-1", "0", "1.5", "1" * 40, "9" * 25, "2026-02-30", "2026-13-01",
    "2026-01-01T10:00:00", "2026-01-01T10:00:00+08:00", "10:00", 1.5, -1, 0, 10**30, True, [], {},
    "1.1234567", "1234567.5", "123.1234567", "!!notacursor", "zz.unknown",
]


def _error_types_of(model, data) -> set[str]:
    try:
        model.model_validate(model._map_data_paths(data))
    except ValidationError as exc:
        return {e["type"] for e in exc.errors()}
    return set()


def _producible_error_types() -> dict[str, set[str]]:
    """Bad input thrown at every input field of every operation, through ninja's own param models."""
    found: dict[str, set[str]] = {}
    for info in iter_operations(api):
        for model in info.operation.models:
            names = list(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
            samples: list[dict] = [{}]
            if model.__ninja_param_source__ == "body":
                (param,) = model.model_fields
                schema = model.model_fields[param].annotation
                samples += [{param: v} for v in ([], "x", 5, None, {"unknown_field": 1})]
                samples += [{param: {name: v}} for name in schema.model_fields for v in BAD_VALUES]
            else:
                samples += [{name: v} for name in names for v in BAD_VALUES]
            for data in samples:
                for kind in _error_types_of(model, data):
                    found.setdefault(kind, set()).add(info.operation_id)
    return found


def test_every_pydantic_error_type_our_inputs_can_produce_has_a_message_template():
    # given / when
    produced = _producible_error_types()
    # then
    unmapped = {kind: sorted(ops) for kind, ops in produced.items() if kind not in VALIDATION_TEMPLATES}
    assert unmapped == {}, "add these pydantic error types to VALIDATION_TEMPLATES (with a .po entry)"
    assert {"missing", "string_too_long", "int_parsing", "date_from_datetime_parsing", "enum", "literal_error",
            "extra_forbidden", "cursor_invalid", "less_than_equal", "decimal_max_places"} <= set(produced)


@pytest.mark.parametrize("kind", [*sorted(VALIDATION_TEMPLATES), "(fallback)"])
def test_every_message_template_has_an_english_translation(kind):
    code, message = VALIDATION_TEMPLATES.get(kind, FALLBACK_TEMPLATE)
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    assert CJK.search(zh)
    assert en != zh and not CJK.search(en), f"{kind}: no English entry in locale/en/LC_MESSAGES/django.po"
    assert re.findall(r"%\(\w+\)s", zh) == re.findall(r"%\(\w+\)s", en)
    assert code.startswith("validation.")


@pytest.mark.parametrize("text", [*(str(m) for m in MESSAGES.values()), *API_STRINGS])
def test_every_api_error_message_has_an_english_translation(text):
    with translation.override("en"):
        en = gettext(text)
    assert en != text and not CJK.search(en)


def test_pydantic_errors_become_field_errors_with_formatted_messages():
    # given
    class Payload(BaseModel):
        name: str
        parts: list[int]

    with pytest.raises(ValidationError) as caught:
        Payload.model_validate({"parts": [1, "x"]})
    errors = [dict(e, loc=("body", "payload", *e["loc"])) for e in caught.value.errors()]
    # when
    with translation.override("en"):
        mapped = [e.as_dict() for e in pydantic_errors_to_field_errors(errors)]
    # then
    assert mapped == [
        {"code": "validation.required", "field": "name", "message": "This field is required."},
        {"code": "validation.invalid_integer", "field": "parts.1", "message": "Must be an integer."},
    ]


def test_an_unmapped_error_type_falls_back_to_a_generic_message(caplog):
    mapped = pydantic_errors_to_field_errors([{"type": "brand_new_type", "loc": ("query", "x"), "msg": "?"}])
    assert [e.as_dict() for e in mapped] == [{"code": "validation.invalid", "field": "x", "message": "输入无效"}]
    assert "brand_new_type" in caplog.text


@pytest.mark.django_db
def test_schema_and_domain_errors_share_one_shape_in_chinese_and_in_english(tree, user_factory, api_client):
    # given
    worker = user_factory("worker", "party_worker", tree["A1"], scope="org")
    body = {"name": "张三", "gender": "M", "birth_date": "1990-01-01", "id_number": "110101199001011234",
            "joined_on": "2015-07-01", "full_member_on": "2016-07-01", "org": "A1", "status": "bogus"}
    zh_client, en_client = api_client(worker), api_client(worker, lang="en")
    counts = (Member.objects.count(), audit_count(), probe_count())
    # when
    schema_zh = zh_client.post("/members", body)
    schema_en = en_client.post("/members", body)
    domain_en = en_client.post("/members", {**body, "status": "normal", "org": "B1"})
    # then
    assert (schema_zh.status_code, schema_en.status_code, domain_en.status_code) == (422, 422, 422)
    assert schema_zh.json() == {"errors": [
        {"code": "validation.invalid_choice", "field": "status",
         "message": "应为以下之一：normal, mobile, lost, suspended, expelled, deceased, left"}]}
    assert schema_en.json() == {"errors": [
        {"code": "validation.invalid_choice", "field": "status",
         "message": "Must be one of: normal, mobile, lost, suspended, expelled, deceased, left."}]}
    assert domain_en.json() == {"errors": [
        {"code": "orgs.unknown_org", "field": "org", "message": "No such organisation within your data scope."}]}
    assert (Member.objects.count(), audit_count(), probe_count()) == (*counts[:2], counts[2] + 1)  # B1 traced


@pytest.mark.django_db
def test_body_that_is_not_json_is_400(tree, user_factory, api_client):
    worker = user_factory("worker", "party_worker", tree["A1"], scope="org")
    response = api_client(worker).post("/members", raw="{not json")
    assert response.status_code == 400
    assert response.json() == {"code": "api.bad_request", "message": "请求体不是有效的 JSON"}


@pytest.mark.django_db
def test_path_ids_are_validated_before_reaching_the_database(tree, user_factory, api_client):
    worker = user_factory("worker", "party_worker", tree["A1"], scope="org")
    client = api_client(worker)
    assert client.get("/orgs/abc").json()["errors"][0]["code"] == "validation.invalid_integer"
    assert client.get(f"/orgs/{2**70}").json()["errors"][0]["code"] == "validation.too_large"
    assert client.get("/orgs/0").json()["errors"][0]["code"] == "validation.too_small"


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token_and_nothing_is_written_without_it(tree, user_factory, api_client):
    # given: a browser session holding the CSRF cookie
    secretary = user_factory("sec", "branch_secretary", tree["A1"])
    client = api_client(secretary, csrf=True)
    token = get_random_string(32)
    client.client.cookies[settings.CSRF_COOKIE_NAME] = token
    body = {"parent": "A1", "name": "甲一第二党小组", "code": "A1G2", "org_type": "group"}
    counts = (Organization.objects.count(), AuditEntry.objects.count())
    # when
    refused = client.post("/orgs", body)
    reads = client.get("/orgs")
    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.csrf_failed"
    assert reads.status_code == 200
    assert (Organization.objects.count(), AuditEntry.objects.count()) == counts
    assert client.post("/orgs", body, headers={"X-CSRFToken": token}).status_code == 201


@pytest.mark.django_db
def test_bearer_token_writes_need_no_csrf_token(tree, user_factory, api_client):
    secretary = user_factory("sec", "branch_secretary", tree["A1"])
    client = api_client(secretary, token=True, csrf=True)
    body = {"parent": "A1", "name": "甲一第二党小组", "code": "A1G2", "org_type": "group"}
    assert client.post("/orgs", body).status_code == 201


@pytest.mark.django_db
def test_session_of_a_user_whose_role_needs_mfa_is_refused_until_verified(tree, user_factory, api_client):
    # given: a committee secretary (MFA required) signed in with the password only
    secretary = user_factory("sec", "committee_secretary", tree["A"])
    # when
    unverified = api_client(secretary, verified=False).get("/members")
    verified = api_client(secretary).get("/members")
    # then
    assert unverified.status_code == 401
    assert unverified.json()["code"] == "auth.mfa_required"
    assert verified.status_code == 200


@pytest.mark.django_db
def test_public_ping_answers_anonymous_callers(api_client):
    response = api_client().get("/ping")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1"}


def test_router_refuses_an_operation_without_permission_or_description():
    router = Router(app="orgs")
    with pytest.raises(TypeError):
        router.get("/x", response=dict, operation_id="orgs_x", summary="x", description="x")  # no perm
    with pytest.raises(ImproperlyConfigured):
        router.get("/x", perm="orgs.view", response=dict, operation_id="orgs_x", summary="x", description=" ")


def test_start_up_guard_refuses_operations_that_bypass_the_declaring_router():
    # given
    plain = PlainRouter()

    @plain.get("/raw")
    def raw(request):
        return {}

    rogue = NinjaAPI(urls_namespace="rogue_test")
    rogue.add_router("", plain)
    # when / then
    with pytest.raises(ImproperlyConfigured, match="declare perm"):
        check_operations(rogue)


def test_start_up_guard_refuses_an_unlisted_public_operation():
    router = Router(app="api")

    @router.get("/open", perm=PUBLIC, response=dict, operation_id="api_open", summary="x", description="xxxx")
    def open_op(request):
        return {}

    rogue = NinjaAPI(urls_namespace="rogue_public_test")
    rogue.add_router("", router)
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_OPERATIONS"):
        check_operations(rogue)


@pytest.mark.django_db
def test_a_bug_is_logged_and_answered_with_json_500(tree, user_factory, api_client, monkeypatch, caplog):
    # given: a selector that fails unexpectedly
    import dangjian.orgs.api

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dangjian.orgs.api, "org_list", broken)
    client = api_client(user_factory("worker", "party_worker", tree["A1"], scope="org"))
    client.client.raise_request_exception = False
    # when
    response = client.get("/orgs")
    # then
    assert response.status_code == 500
    assert response.json()["code"] == "api.server_error"
    assert "boom" in caplog.text
    client.client.raise_request_exception = True
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/orgs")


def test_router_takes_the_success_schema_and_its_status_not_a_response_dict():
    router = Router(app="orgs")
    with pytest.raises(ImproperlyConfigured, match="status="):
        router.post("/x", perm="orgs.change", response={201: dict}, operation_id="orgs_x", summary="x",
                    description="xxxx")
