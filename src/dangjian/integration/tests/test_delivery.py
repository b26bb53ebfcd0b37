"""Delivery end to end against local HTTP servers: queued after commit, sent with the exact payload,
a channel that is down recorded (reason, attempts) and retried with backoff — and the write that
triggered it committed all the same."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from dangjian.health.events import FindingsChanged
from dangjian.integration.models import Delivery, DeliveryAttempt, Notification
from dangjian.integration.services import (
    channel_test,
    channel_update,
    deliveries_requeue,
    delivery_attempt,
    notify,
    retry_delay,
)
from dangjian.integration.tasks import _on_findings_changed, retry_deliveries
from dangjian.integration.tests.helpers import channel, person
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db

TEXT = "**【严重】甲一支部没有书记**\n\n请尽快补选支部书记。\n\n> 组织：甲一支部\n\n[查看详情](https://dj.example.com/orgs/4/)"


def _notify(tree, **kwargs):
    return notify(org=tree["A1"], title="甲一支部没有书记", body="请尽快补选支部书记。", link="/orgs/4/",
                  severity="critical", source="org.no_secretary", **kwargs)


def test_wecom_channel_gets_the_exact_payload_after_commit(tree, channels_on, robot_server,
                                                           django_capture_on_commit_callbacks):
    # given
    robot = robot_server()
    ch = channel(tree["A1"], "wecom", robot.url())
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _notify(tree)
        assert robot.requests == []  # not before commit
    # then
    [request] = robot.requests
    assert request.json == {"msgtype": "markdown", "markdown": {"content": TEXT}}
    delivery = Delivery.objects.get()
    assert (delivery.channel_id, delivery.status, delivery.attempts, delivery.last_error) == (ch.pk, "sent", 1, "")
    assert delivery.target == "http://127.0.0.1/cgi-bin/webhook/send?…"  # the key is not recorded
    assert list(DeliveryAttempt.objects.values_list("number", "ok", "http_status", "error")) == [(1, True, 200, "")]


def test_dingtalk_channel_is_signed(tree, channels_on, robot_server, django_capture_on_commit_callbacks):
    # given
    robot = robot_server()
    secret = "SECc0ffee+dangjian/2025="
    channel(tree["A1"], "dingtalk", robot.url("/robot/send", "access_token=abc"), secret=secret)
    # when
    before_ms = int(timezone.now().timestamp() * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(tree)
    after_ms = int(timezone.now().timestamp() * 1000)
    # then
    [request] = robot.requests
    assert request.path == "/robot/send"
    timestamp = int(request.query["timestamp"][0])
    assert before_ms - 1000 <= timestamp <= after_ms + 1000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert request.query["sign"] == [expected]
    assert request.query["access_token"] == ["abc"]
    assert request.json == {"msgtype": "markdown", "markdown": {"title": "甲一支部没有书记", "text": TEXT}}


def test_email_channel_and_personal_email(tree, channels_on, django_capture_on_commit_callbacks):
    # given
    sec = person("sec", "branch_secretary", tree["A1"], email="sec@example.com")
    channel(tree["A1"], "email", email_recipients=["branch@example.com", "office@example.com"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _notify(tree, role_code="branch_secretary")
    # then
    sent = sorted((m.to, m.subject, m.from_email) for m in mail.outbox)
    assert sent == [
        (["branch@example.com", "office@example.com"], "【严重】甲一支部没有书记", "dangjian@example.com"),
        (["sec@example.com"], "【严重】甲一支部没有书记", "dangjian@example.com"),
    ]
    assert mail.outbox[0].body == ("甲一支部没有书记\n\n请尽快补选支部书记。\n\n组织：甲一支部\n"
                                   "查看详情：https://dj.example.com/orgs/4/")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sec.notifications.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_down_channel_neither_blocks_nor_undoes_the_write_that_triggered_it(tree, channels_on, closed_url):
    # given
    channel(tree["A1"], "wecom", closed_url)
    # when: a write and its notice in one transaction; the channel refuses connections
    with transaction.atomic():
        Organization.objects.filter(pk=tree["A1"].pk).update(contact_person="王书记")
        _notify(tree)
    # then: the write is committed, the delivery failed once with the reason and waits for a retry
    assert Organization.objects.get(pk=tree["A1"].pk).contact_person == "王书记"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("connection failed:") and "refused" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)
    [attempt] = DeliveryAttempt.objects.all()
    assert (attempt.ok, attempt.http_status, attempt.error) == (False, None, delivery.last_error)


def test_failed_attempts_back_off_and_end_as_failed_with_the_reason(tree, channels_on, robot_server, settings,
                                                                   django_capture_on_commit_callbacks):
    # given: a robot answering 500, at most three attempts
    settings.DANGJIAN_NOTIFY_MAX_ATTEMPTS = 3
    robot = robot_server()
    robot.status = 500
    channel(tree["A1"], "wecom", robot.url())
    with django_capture_on_commit_callbacks(execute=True):
        _notify(tree)
    delivery = Delivery.objects.get()
    first_retry = delivery.next_attempt_at
    # when: not due yet → nothing happens
    assert delivery_attempt(delivery_id=delivery.pk, now=first_retry - dt.timedelta(seconds=1)) == "skipped"
    # when: due → second attempt, the wait doubles
    assert delivery_attempt(delivery_id=delivery.pk, now=first_retry) == "pending"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - first_retry >= dt.timedelta(seconds=60)
    # when: third attempt → failed for good
    assert delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "failed"
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "ok", "http_status")) == [
        (1, False, 500), (2, False, 500), (3, False, 500)]
    assert len(robot.requests) == 3
    # and: a failed delivery is never tried again
    assert delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + dt.timedelta(days=1)) == "skipped"
    assert len(robot.requests) == 3


def test_retry_delay_doubles_up_to_six_hours(settings):
    settings.DANGJIAN_NOTIFY_RETRY_SECONDS = 30
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20) == dt.timedelta(hours=6)


def test_the_sweeper_retries_a_channel_that_came_back(tree, channels_on, closed_url, robot_server,
                                                     django_capture_on_commit_callbacks):
    # given: the first attempt failed (channel down)
    sec = person("sec", "branch_secretary", tree["A1"])
    ch = channel(tree["A1"], "wecom", closed_url)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(tree)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    # when: the robot is back, the retry is overdue, and the sweeper runs
    robot = robot_server()
    channel_update(actor=sec, channel=ch, webhook_url=robot.url())
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    assert retry_deliveries.call() == 1
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(robot.requests) == 1
    assert list(DeliveryAttempt.objects.values_list("number", "ok")) == [(1, False), (2, True)]
    # and: sent once — queueing it again sends nothing
    assert deliveries_requeue() == []
    assert delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert len(robot.requests) == 1


def test_a_delivery_left_sending_by_a_dead_worker_is_handed_back(tree, channels_on, settings):
    # given
    channel(tree["A1"], "wecom", "http://127.0.0.1:9/x")
    _notify(tree)  # no commit callbacks: still pending
    now = timezone.now()
    Delivery.objects.update(status="sending", claimed_at=now - dt.timedelta(minutes=11))
    # when
    ids = deliveries_requeue(now=now + dt.timedelta(minutes=2))
    # then
    assert ids == list(Delivery.objects.values_list("pk", flat=True))
    assert Delivery.objects.get().status == "pending"


def test_channel_test_message(tree, channels_on, robot_server, django_capture_on_commit_callbacks):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    robot = robot_server()
    ch = channel(tree["A1"], "wecom", robot.url(), enabled=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        delivery = channel_test(actor=sec, channel=ch)
    # then
    [request] = robot.requests
    assert request.json["markdown"]["content"].startswith("**【提示】测试消息**\n\n这是一条来自智慧党建平台的测试消息，由 sec 于")
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_health_findings_become_alerts_for_the_nearest_role_holders(tree, django_capture_on_commit_callbacks):
    # given: org departments at the root and at committee A; A1 is a branch without full members
    from dangjian.health.services.scan import findings_scan

    person("root_dept", "org_dept", tree["G"])
    a_dept = person("a_dept", "org_dept", tree["A"])
    # when: a scan of that one rule, its event delivered after commit
    with django_capture_on_commit_callbacks(execute=True):
        findings_scan(codes=["org.too_few_full_members"], rollups=False)
    # then: A's branches alert A's org department, not the root's
    rows = list(Notification.objects.filter(org=tree["A1"]).values_list("recipient_id", "source", "severity"))
    assert rows and {r[0] for r in rows} == {a_dept.pk}
    assert {r[1] for r in rows} == {"org.too_few_full_members"}
    # and: the same findings seen again later alert nobody twice
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        findings_scan(codes=["org.too_few_full_members"], rollups=False)
    assert Notification.objects.count() == before


def test_alerts_are_written_a_batch_per_task(tree, monkeypatch):
    # given: findings of one run in two orgs
    from dangjian.health.services.scan import findings_scan
    from dangjian.integration.services.alerts import findings_notify

    person("dept", "org_dept", tree["G"])
    result = findings_scan(codes=["org.too_few_full_members"], rollups=False)
    since = result.started_at.isoformat()
    # when
    written, last = findings_notify(since=since, batch=1)
    # then
    assert written == 1 and last is not None
    assert findings_notify(since=since, after=last, batch=100)[1] is None


def test_findings_changed_queues_one_alert_task(monkeypatch):
    queued: list[tuple] = []
    monkeypatch.setattr("dangjian.integration.tasks.health_alerts",
                        SimpleNamespace(enqueue=lambda *args: queued.append(args)))
    _on_findings_changed(FindingsChanged(rule_codes=("org.no_secretary",), since="2025-03-01T02:30:00+08:00"))
    _on_findings_changed(FindingsChanged(rule_codes=(), since=""))
    assert queued == [("2025-03-01T02:30:00+08:00", ["org.no_secretary"], 0)]
