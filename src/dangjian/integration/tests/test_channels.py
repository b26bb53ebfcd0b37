"""Channel services: webhook URLs must be http(s) on an allowed host, nothing half-written, secrets kept
out of the audit log, scope enforced."""
from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.integration.models import Delivery, NotificationChannel
from dangjian.integration.services import channel_create, channel_delete, channel_test, channel_update, notify
from dangjian.integration.tests.helpers import channel, person

pytestmark = pytest.mark.django_db


def _state():
    return (list(NotificationChannel.objects.values_list()), AuditEntry.objects.count())


@pytest.mark.parametrize(
    ("_case", "url", "code"),
    [
        ("ftp", "ftp://127.0.0.1/robot", "integration.webhook_scheme"),
        ("javascript", "javascript:alert(1)", "integration.webhook_scheme"),
        ("file", "file:///etc/passwd", "integration.webhook_scheme"),
        ("no_scheme", "127.0.0.1/robot/send", "integration.webhook_scheme"),
        ("gopher", "gopher://127.0.0.1:70/_x", "integration.webhook_scheme"),
        ("spaces", "http://127.0.0.1/a b", "integration.webhook_scheme"),
        ("credentials", "http://u:p@127.0.0.1/x", "integration.webhook_scheme"),
        ("empty", "", "integration.webhook_required"),
        ("host_not_allowed", "https://10.0.0.8/cgi-bin/webhook/send?key=x", "integration.webhook_host"),
    ],
)
def test_a_webhook_that_is_not_http_s_on_an_allowed_host_is_refused_with_nothing_written(
        tree, channels_on, _case, url, code):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    before = _state()
    # when
    with pytest.raises(DomainError) as caught:
        channel_create(actor=sec, org=tree["A1"], kind="wecom", name="支部群", webhook_url=url)
    # then
    assert [(e.field, e.code) for e in caught.value.errors] == [("webhook_url", code)]
    assert all(e.message for e in caught.value.errors)
    assert _state() == before


def test_default_hosts_are_the_public_robot_endpoints(tree, settings):
    # given: no DANGJIAN_WEBHOOK_HOSTS set
    sec = person("sec", "branch_secretary", tree["A1"])
    # when
    wecom = channel_create(actor=sec, org=tree["A1"], kind="wecom", name="企业微信",
                           webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    # then
    assert wecom.webhook_url.endswith("key=abc")
    with pytest.raises(DomainError, match=r"127\.0\.0\.1"):
        channel_create(actor=sec, org=tree["A1"], kind="wecom", name="内网", webhook_url="http://127.0.0.1/x")


def test_update_to_a_bad_url_changes_nothing(tree, channels_on):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    ch = channel(tree["A1"], "wecom", "http://127.0.0.1:9/ok?key=k")
    before = _state()
    # when
    with pytest.raises(DomainError) as caught:
        channel_update(actor=sec, channel=ch, name="改名", webhook_url="ftp://127.0.0.1/x")
    # then
    assert [e.field for e in caught.value.errors] == ["webhook_url"]
    assert _state() == before


def test_create_is_audited_without_the_key_or_the_secret(tree, channels_on):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    # when
    ch = channel_create(actor=sec, org=tree["A1"], kind="dingtalk", name="钉钉群",
                        webhook_url="http://127.0.0.1:9/robot/send?access_token=TOPSECRET", secret="SECverysecret",
                        min_severity="info")
    # then
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.org_path) == ("integration.channel_create", sec.pk, tree["A1"].path)
    assert entry.after == {"org": "A1", "kind": "dingtalk", "name": "钉钉群", "enabled": True, "min_severity": "info",
                           "include_subtree": False, "webhook_url": "http://127.0.0.1/robot/send?…", "secret": "set",
                           "email_recipients": []}
    assert "TOPSECRET" not in str(entry.after) and "verysecret" not in str(entry.after)
    # and: stored encrypted, read back in clear
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM integration_notificationchannel WHERE id = %s", [ch.pk])
        stored_url, stored_secret = cursor.fetchone()
    assert "TOPSECRET" not in stored_url and "verysecret" not in stored_secret
    assert NotificationChannel.objects.get(pk=ch.pk).secret == "SECverysecret"


@pytest.mark.parametrize(
    ("_case", "kwargs", "errors"),
    [
        ("email_without_recipients", {"kind": "email", "email_recipients": []},
         [("email_recipients", "integration.email_recipients_required")]),
        ("bad_address", {"kind": "email", "email_recipients": ["ok@example.com", "nope"]},
         [("email_recipients", "integration.email_invalid")]),
        ("bad_secret", {"kind": "dingtalk", "webhook_url": "http://127.0.0.1/x", "secret": "has space"},
         [("secret", "integration.secret_invalid")]),
        ("bad_kind", {"kind": "sms"}, [("kind", "integration.kind_invalid")]),
        ("bad_threshold", {"kind": "wecom", "webhook_url": "http://127.0.0.1/x", "min_severity": "off"},
         [("min_severity", "integration.threshold_invalid")]),
        ("no_name_and_bad_url", {"kind": "wecom", "name": "", "webhook_url": "mailto:x@y"},
         [("name", "integration.name_required"), ("webhook_url", "integration.webhook_scheme")]),
    ],
)
def test_other_bad_channel_input(tree, channels_on, _case, kwargs, errors):
    sec = person("sec", "branch_secretary", tree["A1"])
    before = _state()
    with pytest.raises(DomainError) as caught:
        channel_create(actor=sec, org=tree["A1"], **{"name": "渠道", **kwargs})
    assert [(e.field, e.code) for e in caught.value.errors] == errors
    assert _state() == before


def test_a_channel_outside_the_scope_is_not_found(tree, channels_on):
    # given
    sec_a1 = person("sec", "branch_secretary", tree["A1"])
    ch_b1 = channel(tree["B1"], "wecom", "http://127.0.0.1:9/b1")
    before = _state()
    # when / then
    with pytest.raises(Http404):
        channel_create(actor=sec_a1, org=tree["B1"], kind="wecom", name="x", webhook_url="http://127.0.0.1/x")
    with pytest.raises(Http404):
        channel_update(actor=sec_a1, channel=ch_b1, name="改")
    with pytest.raises(Http404):
        channel_delete(actor=sec_a1, channel=ch_b1)
    with pytest.raises(Http404):
        channel_test(actor=sec_a1, channel=ch_b1)
    assert _state() == before


def test_update_keeps_or_replaces_or_clears_the_secret(tree, channels_on):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    ch = channel(tree["A1"], "dingtalk", "http://127.0.0.1:9/robot/send?access_token=t", secret="SECone")
    # when / then
    assert channel_update(actor=sec, channel=ch, name="新名", secret=None).secret == "SECone"
    assert channel_update(actor=sec, channel=ch, secret="SECtwo").secret == "SECtwo"
    assert channel_update(actor=sec, channel=ch, secret="").secret == ""
    updates = AuditEntry.objects.filter(action="integration.channel_update").order_by("seq")
    assert list(updates.values_list("after__secret", flat=True)) == ["set", "set", ""]
    # and: an update that changes nothing writes nothing
    count = AuditEntry.objects.count()
    channel_update(actor=sec, channel=ch, name="新名")
    assert AuditEntry.objects.count() == count


def test_delete_cancels_pending_deliveries_and_keeps_the_record(tree, channels_on):
    # given
    sec = person("sec", "branch_secretary", tree["A1"])
    ch = channel(tree["A1"], "wecom", "http://127.0.0.1:9/a1")
    notify(org=tree["A1"], title="x", severity="critical")
    # when
    channel_delete(actor=sec, channel=ch)
    # then
    assert list(Delivery.objects.values_list("channel_id", "status", "last_error")) == [
        (None, "cancelled", "channel deleted")]
    assert AuditEntry.objects.order_by("-seq").first().action == "integration.channel_delete"


def test_test_message_is_refused_when_the_kind_is_switched_off(tree, channels_on, settings):
    sec = person("sec", "branch_secretary", tree["A1"])
    ch = channel(tree["A1"], "wecom", "http://127.0.0.1:9/a1")
    settings.DANGJIAN_WECOM_ENABLED = False
    with pytest.raises(DomainError) as caught:
        channel_test(actor=sec, channel=ch)
    assert [(e.field, e.code) for e in caught.value.errors] == [("kind", "integration.channel_disabled")]
    assert Delivery.objects.count() == 0
