"""Integration pages: the bell, the inbox (own only; open, mark read, mark all), preferences, the channel
pages (scoped; a non-http(s) webhook refused at its field) and the schedule."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.audit.models import AuditEntry
from dangjian.integration.models import Delivery, Notification, NotificationChannel
from dangjian.integration.selectors import preferences_of
from dangjian.integration.services import notify, schedule_sync
from dangjian.integration.tests.helpers import channel, person
from tests.fixtures import signin as _signin

pytestmark = pytest.mark.django_db




def test_the_bell_shows_the_unread_count_on_every_page(client, tree):
    # given
    alice = _signin(client, person("alice"))
    for n in range(3):
        notify(recipients=[alice], title=f"通知{n}")
    notify(recipients=[person("bob")], title="给 bob")
    # when
    html = client.get("/").content.decode()
    # then
    assert 'data-notifications-bell' in html and '<span class="position-absolute' in html
    assert 'data-unread>3</span>' in html


def test_the_bell_costs_one_query_and_caps_at_99(client, tree):
    alice = _signin(client, person("alice"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx.captured_queries)

    notify(recipients=[alice], title="一")
    small = queries()
    notify(recipients=[person("bob")], title="给 bob")
    for n in range(120):
        notify(recipients=[alice], title=f"n{n}")
    assert queries() == small
    assert "data-unread>99+</span>" in client.get("/notifications/").content.decode()


def test_inbox_lists_only_own_notifications_and_marks_them_read(client, tree):
    # given
    alice = _signin(client, person("alice"))
    notify(recipients=[alice], title="换届提醒", body="甲一支部", link="/orgs/", severity="warning")
    notify(recipients=[alice], title="已读的", severity="info")
    notify(recipients=[person("bob")], title="bob 的通知")
    mine = Notification.objects.filter(recipient=alice).order_by("pk")
    bobs = Notification.objects.get(title="bob 的通知")
    # when
    html = client.get("/notifications/").content.decode()
    # then
    assert "换届提醒" in html and "已读的" in html and "bob 的通知" not in html
    # when: mark one read, open the other (goes to its link)
    assert client.post(f"/notifications/{mine[1].pk}/read/").status_code == 302
    response = client.post(f"/notifications/{mine[0].pk}/read/", {"open": "1"})
    # then
    assert response["Location"] == "/orgs/"
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert "没有未读通知" in client.get("/notifications/?unread=1").content.decode()
    # and: someone else's is not found, and stays unread
    assert client.post(f"/notifications/{bobs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=bobs.pk).read_at is None


def test_mark_all_read(client, tree):
    alice = _signin(client, person("alice"))
    for n in range(3):
        notify(recipients=[alice], title=f"n{n}")
    response = client.post("/notifications/read-all/", {"next": "/notifications/?unread=1"})
    assert response["Location"] == "/notifications/?unread=1"
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_preferences_page_saves_and_refuses_bad_input_at_its_field(client, tree):
    alice = _signin(client, person("alice"))
    page = client.get("/notifications/preferences/").content.decode()
    # the sources are ticked by their names, not typed as codes (issue 9, point 2)
    assert 'value="dues.arrears"' in page and "党费欠缴临近六个月" in page and "通知渠道测试" in page
    assert "如 dues 或 org.term_expiring" not in page
    response = client.post("/notifications/preferences/", {
        "in_app_min_severity": "warning", "in_app_muted_sources": ["dues.arrears", "meetings.cadence_shortfall"],
        "email_min_severity": "off"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="integration.preferences_change", actor_id=alice.pk).count() == 1
    assert list(preferences_of(actor=alice)["in_app"].muted_sources) == ["dues.arrears", "meetings.cadence_shortfall"]
    # the sources are ticked by name, the ticked ones shown as such (issue 9: no code typed by hand)
    html = client.get("/notifications/preferences/").content.decode()
    assert "党费欠缴临近六个月" in html and "如 dues" not in html
    assert 'value="dues.arrears" class="form-check-input" id="id_in_app_muted_sources_' in html
    assert html.count("checked") == 2
    bad = client.post("/notifications/preferences/", {
        "in_app_min_severity": "warning", "in_app_muted_sources": ["Dues!!"], "email_min_severity": "off"})
    assert bad.status_code == 400
    assert 'data-field-error="in_app_muted_sources"' in bad.content.decode()


def test_preferences_page_names_a_whole_app_muted_through_the_api(client, tree):
    from dangjian.integration.services import preferences_set

    alice = _signin(client, person("alice"))
    preferences_set(actor=alice, values={"email": {"min_severity": "warning", "muted_sources": ["dues"]}})
    html = client.get("/notifications/preferences/").content.decode()
    assert "党费（全部）" in html and 'value="dues" class="form-check-input"' in html


def test_channel_pages_for_a_branch_secretary(client, tree, channels_on):
    # given
    _signin(client, person("sec", "branch_secretary", tree["A1"]))
    b1 = channel(tree["B1"], "wecom", "http://127.0.0.1:9/b1?key=bkey")
    # when: create through the form
    response = client.post("/notifications/channels/new/", {
        "org_code": "A1", "kind": "dingtalk", "name": "甲一支部钉钉群",
        "webhook_url": "http://127.0.0.1:9/robot/send?access_token=SECRETTOKEN", "secret": "SECabc",
        "min_severity": "warning", "enabled": "on"})
    # then
    assert response.status_code == 302
    ch = NotificationChannel.objects.get(name="甲一支部钉钉群")
    page = client.get(f"/notifications/channels/{ch.pk}/").content.decode()
    assert "SECRETTOKEN" not in page and "SECabc" not in page and "http://127.0.0.1/robot/send?…" in page
    listing = client.get("/notifications/channels/").content.decode()
    assert "甲一支部钉钉群" in listing and b1.name not in listing
    # and: B1's channel is not found
    assert client.get(f"/notifications/channels/{b1.pk}/").status_code == 404
    # and: test message queued, then delete
    assert client.post(f"/notifications/channels/{ch.pk}/test/").status_code == 302
    assert Delivery.objects.filter(channel=ch).count() == 1
    assert client.post(f"/notifications/channels/{ch.pk}/delete/").status_code == 302
    assert not NotificationChannel.objects.filter(pk=ch.pk).exists()


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "javascript:alert(1)", "file:///etc/passwd"])
def test_channel_form_refuses_a_non_http_webhook_at_its_field(client, tree, channels_on, url):
    _signin(client, person("sec", "branch_secretary", tree["A1"]))
    before = AuditEntry.objects.count()
    response = client.post("/notifications/channels/new/", {
        "org_code": "A1", "kind": "wecom", "name": "群", "webhook_url": url, "min_severity": "warning"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="webhook_url"' in html and "http:// 或 https://" in html
    assert NotificationChannel.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_channel_form_refuses_an_org_outside_the_scope(client, tree, channels_on):
    _signin(client, person("sec", "branch_secretary", tree["A1"]))
    response = client.post("/notifications/channels/new/", {
        "org_code": "B1", "kind": "wecom", "name": "群", "webhook_url": "http://127.0.0.1/x", "min_severity": "info"})
    assert response.status_code == 400
    assert 'data-field-error="org_code"' in response.content.decode()
    assert NotificationChannel.objects.count() == 0


def test_schedule_page(client, tree):
    # the organisation department configures channels, not the platform's schedule (issue 9 §3)
    _signin(client, person("dept", "org_dept", tree["A"]))
    schedule_sync()
    assert client.get("/notifications/schedule/").status_code == 403
    client.logout()
    _signin(client, person("root", "sysadmin", None, scope="all"))
    html = client.get("/notifications/schedule/").content.decode()
    assert "dangjian.dues.tasks.generate_monthly_bills" in html and "30 2 * * *" in html  # the advanced detail
    assert "每天 02:30" in html and "组织健康体检" in html
