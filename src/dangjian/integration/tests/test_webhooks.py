"""Outbound events (issue 10 §7) end to end against a real receiver on 127.0.0.1 (http.server in a
thread): the domain event becomes a CloudEvent after commit, signed the Standard Webhooks way and
verified here independently; only the subscriptions whose subtree and types cover it get it; a failing
receiver is retried with backoff until the dead letter; replay sends the same event again; a private
address is refused in production settings with nothing written."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from dangjian.audit.models import AuditEntry
from dangjian.core import events
from dangjian.core.errors import DomainError
from dangjian.integration.models import Delivery, DeliveryAttempt, OutboundEvent, WebhookSubscription
from dangjian.integration.services import (
    delivery_attempt,
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
    webhook_deliveries_replay,
)
from dangjian.meetings.events import MeetingHeld
from dangjian.members.events import MembersChanged
from tests.fixtures import db_state

pytestmark = pytest.mark.django_db

MEMBERS = "cn.dangjian.members.changed"
MEETINGS = "cn.dangjian.meetings.meeting_held"


@pytest.fixture
def local_ok(settings):
    """Development settings: subscriptions may point at 127.0.0.1 (where the test receiver listens)."""
    settings.DANGJIAN_WEBHOOK_ALLOW_PRIVATE = True
    settings.DANGJIAN_NOTIFY_TIMEOUT_SECONDS = 5
    return settings


def _subscribe(org, url, types=(MEMBERS,), name="ERP"):
    return subscription_create(actor=None, org=org, name=name, url=url, event_types=list(types))


def _verify(secret: str, request) -> bool:
    """The receiver's side of Standard Webhooks, written from the spec, not from our code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [part.split(",", 1)[1] for part in request.headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected, g) for g in given)


def _publish(event, capture):
    with capture(execute=True):
        events.publish(event)


def test_event_is_delivered_as_a_signed_cloud_event_to_the_covering_subscriptions_only(
        tree, local_ok, robot_server, django_capture_on_commit_callbacks):
    # given: A's subtree wants member changes; B's and A's meetings-only subscriptions must not get them
    receiver, other = robot_server(), robot_server()
    sub = _subscribe(tree["A"], receiver.url("/hooks/dangjian", "token=t1"))
    _subscribe(tree["B"], other.url(), name="B")
    _subscribe(tree["A"], other.url(), types=(MEETINGS,), name="A meetings")
    before = timezone.now()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(MembersChanged(member_ids=(11, 12), org_ids=(tree["A1"].pk,)))
        assert receiver.requests == []  # nothing before the commit
    # then
    [request] = receiver.requests
    assert other.requests == []
    assert request.path == "/hooks/dangjian" and request.query == {"token": ["t1"]}
    assert request.headers["content-type"] == "application/cloudevents+json; charset=utf-8"
    body = request.json
    stored = OutboundEvent.objects.get()
    assert body == {
        "specversion": "1.0", "id": stored.event_id, "source": "/dangjian/members", "type": MEMBERS,
        "time": body["time"], "datacontenttype": "application/json",
        "data": {"org_ids": [tree["A1"].pk], "member_ids": [11, 12]},
    }
    assert dt.datetime.fromisoformat(body["time"]) >= before - dt.timedelta(seconds=1)
    assert request.headers["webhook-id"] == stored.event_id
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 30
    assert request.headers["webhook-signature"].startswith("v1,") and " " not in request.headers["webhook-signature"]
    assert _verify(sub.secret, request)
    assert not _verify("whsec_" + base64.b64encode(b"x" * 32).decode(), request)
    delivery = Delivery.objects.get()
    assert (delivery.subscription_id, delivery.kind, delivery.status, delivery.attempts) == (sub.pk, "webhook",
                                                                                             "sent", 1)
    assert delivery.target == "http://127.0.0.1/hooks/dangjian?…"  # the token is not recorded


def test_a_real_service_write_reaches_the_receiver(tree, local_ok, robot_server, member_factory,
                                                   django_capture_on_commit_callbacks):
    # given
    receiver = robot_server()
    sub = _subscribe(tree["G"], receiver.url())
    # when: the register's own service publishes MembersChanged in its transaction
    with django_capture_on_commit_callbacks(execute=True):
        member = member_factory("A2")
    # then
    [request] = receiver.requests
    assert request.json["type"] == MEMBERS and member.pk in request.json["data"]["member_ids"]
    assert tree["A2"].pk in request.json["data"]["org_ids"]
    assert set(request.json["data"]) == {"org_ids", "member_ids"}  # ids only: no name, no ID number
    assert _verify(sub.secret, request)


def test_subtree_coverage_and_events_about_no_org(tree, local_ok, robot_server, django_capture_on_commit_callbacks):
    # given
    at_root, at_a1, at_b = robot_server(), robot_server(), robot_server()
    _subscribe(tree["G"], at_root.url(), types=(MEETINGS,), name="root")
    _subscribe(tree["A1"], at_a1.url(), types=(MEETINGS,), name="A1")
    _subscribe(tree["B"], at_b.url(), types=(MEETINGS,), name="B")
    # when: a meeting of A (above A1), then one about no org in particular
    _publish(MeetingHeld(meeting_id=1, org_ids=(tree["A"].pk,)), django_capture_on_commit_callbacks)
    _publish(MeetingHeld(meeting_id=2), django_capture_on_commit_callbacks)
    # then: A1's subscription sees neither (A is not in its subtree); only the root sees the org-less one
    assert [r.json["data"]["meeting_id"] for r in at_root.requests] == [1, 2]
    assert at_a1.requests == [] and at_b.requests == []


def test_nothing_is_stored_for_an_event_nobody_wants(tree, local_ok, robot_server,
                                                    django_capture_on_commit_callbacks):
    _subscribe(tree["B"], robot_server().url())
    _publish(MembersChanged(member_ids=(1,), org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    assert (OutboundEvent.objects.count(), Delivery.objects.count()) == (0, 0)


def test_failures_back_off_exponentially_to_the_dead_letter_then_replay_sends_the_same_event(
        tree, local_ok, robot_server, django_capture_on_commit_callbacks, settings):
    # given: a receiver that answers 503, three attempts at most, 30 s first delay
    settings.DANGJIAN_WEBHOOK_MAX_ATTEMPTS = 3
    settings.DANGJIAN_NOTIFY_RETRY_SECONDS = 30
    receiver = robot_server()
    receiver.status = 503
    sub = _subscribe(tree["A"], receiver.url())
    _publish(MembersChanged(member_ids=(5,), org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    # then: attempt 1 failed, the next one is due 30 s later, then 60 s
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503 Service Unavailable")
    first = DeliveryAttempt.objects.get(delivery=delivery, number=1)
    assert delivery.next_attempt_at - first.started_at == dt.timedelta(seconds=30, milliseconds=first.duration_ms)
    assert delivery_attempt(delivery_id=delivery.pk, now=first.started_at + dt.timedelta(seconds=10)) == "skipped"
    second_at = delivery.next_attempt_at
    assert delivery_attempt(delivery_id=delivery.pk, now=second_at) == "pending"
    delivery.refresh_from_db()
    second = DeliveryAttempt.objects.get(delivery=delivery, number=2)
    assert delivery.next_attempt_at - second_at == dt.timedelta(seconds=60, milliseconds=second.duration_ms)
    # when: the third attempt fails too
    assert delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "failed"
    # then: the dead letter — nothing retries it
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + dt.timedelta(days=1)) == "skipped"
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {delivery.event.event_id}
    # when: the receiver is fixed and the dead letters are replayed
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        replayed = webhook_deliveries_replay(actor=None, subscription=sub)
    # then: the same event (body and webhook-id), a fresh budget, attempt numbers going on
    assert replayed == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.retry_base) == ("sent", 4, 3)
    assert list(delivery.attempt_log.values_list("number", "ok")) == [(1, False), (2, False), (3, False), (4, True)]
    assert len(receiver.requests) == 4
    assert receiver.requests[3].body == receiver.requests[0].body
    assert receiver.requests[3].headers["webhook-id"] == delivery.event.event_id
    assert _verify(sub.secret, receiver.requests[3])
    entry = AuditEntry.objects.filter(action="integration.webhook_replay").get()
    assert entry.after == {"deliveries": [delivery.pk], "since": None}


def test_replay_of_one_sent_delivery_and_refusals(tree, local_ok, robot_server, django_capture_on_commit_callbacks):
    # given
    receiver = robot_server()
    sub = _subscribe(tree["A"], receiver.url())
    other = _subscribe(tree["A"], robot_server().url(), name="other")
    _publish(MembersChanged(member_ids=(5,), org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    mine = Delivery.objects.get(subscription=sub)
    theirs = Delivery.objects.get(subscription=other)
    # when: a delivery of another subscription, or a missing one, is named — nothing is replayed
    before = db_state()
    with pytest.raises(DomainError) as refused:
        webhook_deliveries_replay(actor=None, subscription=sub, delivery_ids=[mine.pk, theirs.pk, 999_999])
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("integration.delivery_not_replayable", "delivery_ids")]
    assert str(theirs.pk) in refused.value.errors[0].message and "999999" in refused.value.errors[0].message
    assert db_state() == before
    # when: the sent one is replayed on purpose
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_replay(actor=None, subscription=sub, delivery_ids=[mine.pk]) == [mine.pk]
    # then
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body
    # when: the subscription is disabled, replay is refused
    subscription_update(actor=None, subscription=sub, enabled=False)
    before = db_state()
    with pytest.raises(DomainError) as disabled:
        webhook_deliveries_replay(actor=None, subscription=sub)
    assert [e.code for e in disabled.value.errors] == ["integration.subscription_disabled"]
    assert db_state() == before


def test_disabling_cancels_what_waits_and_stops_new_deliveries(tree, local_ok, robot_server, settings,
                                                               django_capture_on_commit_callbacks):
    # given: a receiver that is down, so the delivery waits for its retry
    receiver = robot_server()
    receiver.status = 500
    sub = _subscribe(tree["A"], receiver.url())
    _publish(MembersChanged(org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    # when
    subscription_update(actor=None, subscription=sub, enabled=False)
    _publish(MembersChanged(org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    # then
    assert list(Delivery.objects.values_list("status", "last_error")) == [("cancelled", "subscription disabled")]
    entry = AuditEntry.objects.filter(action="integration.webhook_update").get()
    assert (entry.before["enabled"], entry.after["enabled"], entry.after["cancelled_deliveries"]) == (True, False, 1)


def test_rotated_secret_signs_alongside_the_old_one_for_the_grace_period(
        tree, local_ok, robot_server, django_capture_on_commit_callbacks, settings):
    # given
    settings.DANGJIAN_WEBHOOK_SECRET_GRACE_HOURS = 2
    receiver = robot_server()
    sub = _subscribe(tree["A"], receiver.url())
    old = sub.secret
    # when
    rotated = subscription_rotate_secret(actor=None, subscription=sub)
    _publish(MembersChanged(org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    # then: two v1 signatures, one per secret
    [request] = receiver.requests
    assert rotated.secret != old and rotated.secret.startswith("whsec_")
    assert len(base64.b64decode(rotated.secret.removeprefix("whsec_"))) == 32
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert _verify(old, request) and _verify(rotated.secret, request)
    entry = AuditEntry.objects.filter(action="integration.webhook_rotate").get()
    assert old not in json.dumps(entry.after) and rotated.secret not in json.dumps(entry.after)
    # when: after the grace period only the new secret signs
    delivery = Delivery.objects.get()
    webhook_deliveries_replay(actor=None, subscription=sub, delivery_ids=[delivery.pk],
                              now=timezone.now() + dt.timedelta(hours=3))
    delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + dt.timedelta(hours=3))
    later = receiver.requests[-1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    assert _verify(rotated.secret, later) and not _verify(old, later)


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    pytest.param("http://127.0.0.1:8080/hook", [("integration.url_private", "url")], id="loopback_case"),
    pytest.param("https://localhost/hook", [("integration.url_private", "url")], id="localhost_name_case"),
    pytest.param("https://10.1.2.3/hook", [("integration.url_private", "url")], id="private_case"),
    pytest.param("https://169.254.169.254/latest/meta-data", [("integration.url_private", "url")],
                 id="link_local_metadata_case"),
    pytest.param("https://[::1]/hook", [("integration.url_private", "url")], id="ipv6_loopback_case"),
    pytest.param("https://[::ffff:192.168.0.1]/hook", [("integration.url_private", "url")], id="mapped_case"),
    pytest.param("ftp://203.0.113.9/hook", [("integration.webhook_scheme", "url")], id="scheme_case"),
    pytest.param("https://user:pw@8.8.8.8/hook", [("integration.webhook_scheme", "url")], id="credentials_case"),
    pytest.param("", [("integration.webhook_required", "url")], id="empty_case"),
])
def test_a_url_to_a_private_or_malformed_address_is_refused_in_production(tree, url, expected):
    # given: production settings (DANGJIAN_WEBHOOK_ALLOW_PRIVATE off)
    before = db_state()
    # when
    with pytest.raises(DomainError) as refused:
        _subscribe(tree["A"], url)
    # then
    assert [(e.code, e.field) for e in refused.value.errors] == expected
    assert db_state() == before


def test_private_url_error_names_the_address(tree):
    with pytest.raises(DomainError) as refused:
        _subscribe(tree["A"], "http://127.0.0.1:9/x")
    assert refused.value.errors[0].message == "接收地址指向内网、本机或保留地址（127.0.0.1），生产环境不允许"


def test_event_types_must_be_known_and_given(tree, local_ok):
    before = db_state()
    for types, expected in (([], "integration.event_types_required"),
                            ([MEMBERS, "cn.dangjian.members.deleted"], "integration.event_type_unknown"),
                            (["cn.dangjian.integration.deliveries_queued"], "integration.event_type_unknown")):
        with pytest.raises(DomainError) as refused:
            _subscribe(tree["A"], "https://8.8.8.8/hook", types=types)
        assert [(e.code, e.field) for e in refused.value.errors] == [(expected, "event_types")]
    with pytest.raises(DomainError) as several:
        subscription_create(actor=None, org=tree["A"], name=" ", url="gopher://x", event_types=[])
    assert [e.field for e in several.value.errors] == ["name", "url", "event_types"]
    assert db_state() == before


def test_an_address_that_became_private_is_refused_at_send_time(tree, local_ok, robot_server, settings,
                                                                django_capture_on_commit_callbacks):
    # given: subscribed while private addresses were allowed, then production settings
    receiver = robot_server()
    _subscribe(tree["A"], receiver.url())
    settings.DANGJIAN_WEBHOOK_ALLOW_PRIVATE = False
    # when
    _publish(MembersChanged(org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    # then: nothing reached the address; the attempt says why
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.last_error == "refused: 127.0.0.1 resolves to a non-public address (127.0.0.1)"


def test_create_is_audited_without_the_secret_or_the_urls_token(tree, local_ok):
    sub = _subscribe(tree["A"], "https://erp.example.com/hook?token=s3cret")
    entry = AuditEntry.objects.filter(action="integration.webhook_create").get()
    assert entry.after == {"org": "A", "name": "ERP", "url": "https://erp.example.com/hook?…",
                           "event_types": [MEMBERS], "enabled": True}
    assert entry.org_path == tree["A"].path
    assert WebhookSubscription.objects.get().secret == sub.secret


def test_an_event_nobody_subscribes_to_costs_one_query(tree, local_ok, robot_server, django_assert_num_queries):
    # given: a subscription to another type only
    from dangjian.integration.services import webhook_events_fan_out

    _subscribe(tree["A"], robot_server().url(), types=(MEETINGS,))
    # when / then
    with django_assert_num_queries(1):
        assert webhook_events_fan_out(event=MembersChanged(org_ids=(tree["A1"].pk,))) == []


def test_the_worker_delivers_and_queues_the_retry_for_when_it_is_due(tree, local_ok, robot_server, settings,
                                                                   django_capture_on_commit_callbacks):
    # given: the database queue (production's), a receiver that fails once
    from django_tasks_db.models import DBTaskResult

    from dangjian.integration.worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver = robot_server()
    receiver.status = 502
    _subscribe(tree["A"], receiver.url())
    # when: the event commits, then a worker takes the queued delivery
    _publish(MembersChanged(org_ids=(tree["A1"].pk,)), django_capture_on_commit_callbacks)
    assert receiver.requests == []  # queued, not sent inline
    worker = Worker(schedule=False, worker_id="w1")
    while worker.run_once():  # the delivery, and the health re-check MembersChanged also queues
        pass
    # then: one failed attempt, and its retry waits in the queue until it is due
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("pending", 1, 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == delivery.next_attempt_at  # not due yet: the loop above left it
    # when: it is due (the queue row moved to now) and the receiver is back
    receiver.status = 200
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert worker.run_once() is True
    assert worker.run_once() is False
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("sent", 2, 2)
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
