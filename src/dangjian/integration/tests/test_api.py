"""The integration API: the caller's own inbox and preferences, channel CRUD in scope, 422 shapes."""
from __future__ import annotations

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.integration.models import Delivery, Notification, NotificationChannel
from dangjian.integration.services import notify
from dangjian.integration.tests.helpers import channel, person

pytestmark = pytest.mark.django_db


def test_inbox_newest_first_paginated_with_unread_total(api_client, tree):
    # given
    alice = person("alice")
    for n in range(5):
        notify(recipients=[alice], title=f"n{n}", org=tree["A1"])
    notify(recipients=[person("bob")], title="bob")
    client = api_client(alice)
    # when
    first = client.get("/notifications", limit=3).json()
    second = client.get("/notifications", limit=3, cursor=first["next_cursor"]).json()
    # then
    assert [i["title"] for i in first["items"]] == ["n4", "n3", "n2"]
    assert [i["title"] for i in second["items"]] == ["n1", "n0"]
    assert second["next_cursor"] is None and first["unread"] == 5
    assert first["items"][0]["org"] == {"id": tree["A1"].pk, "code": "A1", "name": "甲一支部"}


def test_mark_read_own_only(api_client, tree):
    alice, bob = person("alice"), person("bob")
    notify(recipients=[alice], title="a")
    notify(recipients=[bob], title="b")
    mine, bobs = Notification.objects.get(title="a"), Notification.objects.get(title="b")
    client = api_client(alice)
    response = client.post(f"/notifications/{mine.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.post(f"/notifications/{bobs.pk}/read").status_code == 404
    assert Notification.objects.get(pk=bobs.pk).read_at is None
    assert client.post("/notifications/read-all").json() == {"marked": 0}
    assert client.get("/notifications", unread="true").json()["items"] == []


def test_preferences_round_trip_and_errors(api_client, tree):
    client = api_client(person("alice"))
    assert client.get("/notifications/preferences").json() == {
        "in_app": {"min_severity": "info", "muted_sources": []},
        "email": {"min_severity": "critical", "muted_sources": []},
        "email_address": "alice@example.com", "email_enabled": False}
    body = client.request("PUT", "/notifications/preferences",
                          {"email": {"min_severity": "warning", "muted_sources": ["dues"]}}).json()
    assert body["email"] == {"min_severity": "warning", "muted_sources": ["dues"]}
    bad = client.request("PUT", "/notifications/preferences", {"in_app": {"min_severity": "off"}})
    assert bad.status_code == 422
    assert [(e["code"], e["field"]) for e in bad.json()["errors"]] == [
        ("integration.threshold_invalid", "in_app.min_severity")]


def test_channel_crud(api_client, tree, channels_on):
    # given
    client = api_client(person("sec", "branch_secretary", tree["A1"]))
    # when
    created = client.post("/integration/channels", {
        "org": "A1", "kind": "dingtalk", "name": "钉钉", "webhook_url": "http://127.0.0.1:9/r?access_token=TOKEN",
        "secret": "SECx", "min_severity": "info"})
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["webhook_url"], body["has_secret"], body["kind_enabled"]) == ("http://127.0.0.1/r?…", True, True)
    assert "TOKEN" not in created.content.decode() and "SECx" not in created.content.decode()
    pk = body["id"]
    assert client.patch(f"/integration/channels/{pk}", {"name": "改名", "secret": None}).json()["has_secret"] is True
    assert client.get("/integration/channels").json()["items"][0]["name"] == "改名"
    tested = client.post(f"/integration/channels/{pk}/test")
    assert tested.status_code == 202 and tested.json()["status"] == "pending"
    assert [d["id"] for d in client.get(f"/integration/channels/{pk}/deliveries").json()] == [tested.json()["id"]]
    assert client.request("DELETE", f"/integration/channels/{pk}").status_code == 204
    assert NotificationChannel.objects.count() == 0
    assert Delivery.objects.get().status == "cancelled"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "javascript:alert(1)", "data:text/plain,hi"])
def test_a_non_http_webhook_is_a_422_on_its_field_with_nothing_written(api_client, tree, channels_on, url):
    client = api_client(person("sec", "branch_secretary", tree["A1"]))
    before = (NotificationChannel.objects.count(), AuditEntry.objects.count())
    response = client.post("/integration/channels", {"org": "A1", "kind": "wecom", "name": "群", "webhook_url": url})
    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [
        ("integration.webhook_scheme", "webhook_url")]
    assert (NotificationChannel.objects.count(), AuditEntry.objects.count()) == before


def test_channels_of_another_branch_are_not_found(api_client, tree, channels_on):
    client = api_client(person("sec", "branch_secretary", tree["A1"]))
    b1 = channel(tree["B1"], "wecom", "http://127.0.0.1:9/b")
    assert client.get(f"/integration/channels/{b1.pk}").status_code == 404
    assert client.get("/integration/channels").json()["items"] == []
    response = client.post("/integration/channels", {"org": "B1", "kind": "wecom", "name": "群",
                                                     "webhook_url": "http://127.0.0.1/x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "org"
