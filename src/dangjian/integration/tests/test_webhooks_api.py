"""The event-subscription API and pages: create (the secret once), list, disable, rotate, the delivery
log and replay, within the caller's subtree; bad input is a 422 naming the field, nothing written."""
from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.core import events
from dangjian.integration.models import Delivery, WebhookSubscription
from dangjian.integration.tests.helpers import person
from dangjian.members.events import MembersChanged
from tests.fixtures import db_state, signin

pytestmark = pytest.mark.django_db

MEMBERS = "cn.dangjian.members.changed"


@pytest.fixture
def local_ok(settings):
    settings.DANGJIAN_WEBHOOK_ALLOW_PRIVATE = True
    settings.DANGJIAN_NOTIFY_TIMEOUT_SECONDS = 5
    return settings


def test_subscription_lifecycle_over_the_api(api_client, tree, local_ok, robot_server,
                                             django_capture_on_commit_callbacks):
    # given
    receiver = robot_server()
    receiver.status = 500
    client = api_client(person("sec", "branch_secretary", tree["A"]))
    # when: created
    created = client.post("/integration/webhooks", {"org": "A", "name": "ERP", "url": receiver.url(),
                                                    "event_types": [MEMBERS]})
    # then: the secret once, the URL without its query
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["url"] == "http://127.0.0.1/cgi-bin/webhook/send?…"
    sub_id = body["id"]
    assert "secret" not in client.get(f"/integration/webhooks/{sub_id}").json()
    assert [s["id"] for s in client.get("/integration/webhooks").json()["items"]] == [sub_id]
    assert MEMBERS in [t["type"] for t in client.get("/integration/webhooks/event-types").json()]
    # when: an event fails to arrive, then the log is read and the dead letter replayed
    local_ok.DANGJIAN_WEBHOOK_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(MembersChanged(member_ids=(1,), org_ids=(tree["A1"].pk,)))
    log = client.get(f"/integration/webhooks/{sub_id}/deliveries").json()
    [item] = log["items"]
    assert (item["event_type"], item["status"], item["attempts"], item["last_error"]) == (
        MEMBERS, "failed", 1, "HTTP 500 Internal Server Error")
    assert [(a["number"], a["ok"], a["http_status"]) for a in item["attempt_log"]] == [(1, False, 500)]
    assert client.get(f"/integration/webhooks/{sub_id}/deliveries", status="sent").json()["items"] == []
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        replayed = client.post(f"/integration/webhooks/{sub_id}/replay", {})
    assert (replayed.status_code, replayed.json()) == (202, {"replayed": [item["id"]]})
    assert Delivery.objects.get().status == "sent"
    # when: rotated, then disabled
    rotated = client.post(f"/integration/webhooks/{sub_id}/rotate-secret").json()
    assert rotated["secret"] != body["secret"] and rotated["secret_rotating_until"]
    disabled = client.patch(f"/integration/webhooks/{sub_id}", {"enabled": False})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    # then: every write audited, no secret in the log
    actions = list(AuditEntry.objects.filter(action__startswith="integration.webhook").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["integration.webhook_create", "integration.webhook_replay", "integration.webhook_rotate",
                       "integration.webhook_update"]
    dumped = str(list(AuditEntry.objects.values_list("before", "after")))
    assert body["secret"] not in dumped and rotated["secret"] not in dumped


def test_bad_input_is_a_422_naming_each_field_with_nothing_written(api_client, tree):
    # given: production settings
    client = api_client(person("sec", "branch_secretary", tree["A"]))
    before = db_state()
    # when
    response = client.post("/integration/webhooks", {"org": "A", "name": "内网", "url": "http://192.168.1.20/hook",
                                                     "event_types": ["cn.dangjian.nothing"]})
    # then
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("integration.url_private", "url"), ("integration.event_type_unknown", "event_types")]
    assert response.json()["errors"][0]["message"] == "接收地址指向内网、本机或保留地址（192.168.1.20），生产环境不允许"
    assert db_state() == before


def test_replay_names_a_delivery_of_another_subscription(api_client, tree, local_ok):
    client = api_client(person("sec", "branch_secretary", tree["A"]))
    first = client.post("/integration/webhooks", {"org": "A", "name": "a", "url": "https://8.8.8.8/a",
                                                  "event_types": [MEMBERS]}).json()
    before = db_state()
    response = client.post(f"/integration/webhooks/{first['id']}/replay", {"delivery_ids": [123]})
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("integration.delivery_not_replayable", "delivery_ids")]
    assert db_state() == before


# --- the pages ----------------------------------------------------------------------------------------------


def test_pages_create_shows_the_secret_once_then_edit_log_rotate_replay(client, tree, local_ok, robot_server,
                                                                       django_capture_on_commit_callbacks):
    # given
    receiver = robot_server()
    signin(client, person("sec", "branch_secretary", tree["A"]))
    # when: created through the form
    response = client.post(reverse("integration:webhook_create"), {
        "org_code": "A1", "name": "ERP 接口", "url": receiver.url(), "event_types": [MEMBERS], "enabled": "on"})
    # then: the answer shows the secret, not cached
    sub = WebhookSubscription.objects.get()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert sub.secret in response.content.decode()
    listing = client.get(reverse("integration:webhooks")).content.decode()
    assert "ERP 接口" in listing and sub.secret not in listing
    # when: an event is delivered, the edit page lists it; rotate shows the new secret; replay re-sends
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(MembersChanged(org_ids=(tree["A1"].pk,)))
    page = client.get(reverse("integration:webhook_edit", args=[sub.pk])).content.decode()
    delivery = Delivery.objects.get()
    assert f'data-delivery="{delivery.pk}"' in page and sub.secret not in page
    rotated = client.post(reverse("integration:webhook_rotate", args=[sub.pk]))
    sub.refresh_from_db()
    assert rotated.status_code == 200 and sub.secret in rotated.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        replay = client.post(reverse("integration:webhook_replay", args=[sub.pk]), {"delivery": delivery.pk})
    assert replay.status_code == 302 and len(receiver.requests) == 2


def test_page_form_refuses_a_private_url_at_its_field(client, tree):
    signin(client, person("sec", "branch_secretary", tree["A"]))
    before = db_state()
    response = client.post(reverse("integration:webhook_create"), {
        "org_code": "A1", "name": "x", "url": "http://127.0.0.1:9000/", "event_types": [MEMBERS]})
    assert response.status_code == 400
    assert 'data-field-error="url"' in response.content.decode()
    assert "生产环境不允许" in response.content.decode()
    assert db_state() == before
