"""``notify``: inbox rows per recipient, preferences, recipients by role, channels of the org and its
ancestors, deduplication, and deliveries queued only after commit."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError
from dangjian.core.scoping import SYSTEM
from dangjian.integration.models import Delivery, Dispatch, Notification
from dangjian.integration.selectors import inbox, role_recipients, unread_count
from dangjian.integration.services import notifications_mark_all_read, notify, preferences_set
from dangjian.integration.tests.helpers import channel, person

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Dispatch.objects.count(), Notification.objects.count(), Delivery.objects.count()


def test_notify_writes_one_inbox_row_per_recipient(tree):
    # given
    alice, bob = person("alice"), person("bob")
    # when
    dispatch = notify(recipients=[alice, bob, alice], title="换届提醒", body="甲一支部将于三个月后届满",
                      link="/orgs/1/", severity="warning", source="org.term_expiring", org=tree["A1"])
    # then
    rows = list(Notification.objects.order_by("recipient_id").values_list(
        "recipient__username", "title", "body", "link", "severity", "source", "org__code", "in_inbox", "read_at"))
    assert rows == [
        ("alice", "换届提醒", "甲一支部将于三个月后届满", "/orgs/1/", "warning", "org.term_expiring", "A1", True, None),
        ("bob", "换届提醒", "甲一支部将于三个月后届满", "/orgs/1/", "warning", "org.term_expiring", "A1", True, None),
    ]
    assert dispatch.recipient_count == 2
    assert Delivery.objects.count() == 0  # email is off by default, no channels


def test_inbox_shows_only_ones_own_notifications(tree):
    # given
    alice, bob = person("alice"), person("bob")
    notify(recipients=[alice], title="给 alice")
    notify(recipients=[bob], title="给 bob")
    # when / then
    assert [n.title for n in inbox(actor=alice)] == ["给 alice"]
    assert [n.title for n in inbox(actor=bob)] == ["给 bob"]
    assert (unread_count(alice), unread_count(bob)) == (1, 1)
    assert notifications_mark_all_read(actor=alice) == 1
    assert (unread_count(alice), unread_count(bob)) == (0, 1)


@pytest.mark.parametrize(
    ("_case", "role", "org_code", "scope", "target", "nearest", "expected"),
    [
        ("at_the_org", "branch_secretary", "A1", "org", "A1", False, True),
        ("ancestor_subtree", "org_dept", "A", "subtree", "A1", False, True),
        ("ancestor_org_scope_only", "org_dept", "A", "org", "A1", False, False),
        ("other_branch", "branch_secretary", "B1", "subtree", "A1", False, False),
        ("all_scope", "org_dept", None, "all", "A1", False, True),
        ("self_scope_at_org", "member", "A1", "self", "A1", False, False),
        ("other_role", "party_worker", "A1", "org", "A1", False, False),
    ],
)
def test_recipients_by_role_cover_the_org(tree, _case, role, org_code, scope, target, nearest, expected):
    # given
    user = person("holder", role, tree[org_code] if org_code else None, scope=scope)
    # when
    found = role_recipients(actor=SYSTEM, role_code=role if _case != "other_role" else "branch_secretary",
                            org=tree[target], nearest=nearest)
    # then
    assert (user in found) is expected


def test_nearest_recipients_are_the_closest_holders(tree):
    # given: org_dept at the group root, at committee A, and an all-scope one
    root = person("root_dept", "org_dept", tree["G"])
    a = person("a_dept", "org_dept", tree["A"])
    person("everywhere", "org_dept", None, scope="all")
    # when / then
    assert role_recipients(actor=SYSTEM, role_code="org_dept", org=tree["A1"], nearest=True) == [a]
    assert role_recipients(actor=SYSTEM, role_code="org_dept", org=tree["B1"], nearest=True) == [root]
    assert len(role_recipients(actor=SYSTEM, role_code="org_dept", org=tree["A1"])) == 3


def test_notify_by_role_and_org(tree):
    # given
    sec = person("sec_a1", "branch_secretary", tree["A1"])
    person("sec_b1", "branch_secretary", tree["B1"])
    # when
    notify(role_code="branch_secretary", org=tree["A1"], title="支部委员会人数不足", severity="critical")
    # then
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [sec.pk]


@pytest.mark.parametrize(
    ("_case", "kwargs", "field", "code"),
    [
        ("no_title", {"title": " "}, "title", "integration.title_required"),
        ("bad_severity", {"title": "x", "severity": "panic"}, "severity", "integration.severity_invalid"),
        ("javascript_link", {"title": "x", "link": "javascript:alert(1)"}, "link", "integration.link_invalid"),
        ("protocol_relative_link", {"title": "x", "link": "//evil.example/"}, "link", "integration.link_invalid"),
        ("bad_source", {"title": "x", "source": "Org Term"}, "source", "integration.source_invalid"),
        ("unknown_role", {"title": "x", "role_code": "pope", "org": "A1"}, "role_code", "integration.role_unknown"),
        ("role_without_org", {"title": "x", "role_code": "org_dept"}, "org", "integration.recipients_required"),
    ],
)
def test_bad_notify_input_names_the_field_and_writes_nothing(tree, _case, kwargs, field, code):
    # given
    alice = person("alice")
    if isinstance(kwargs.get("org"), str):
        kwargs = {**kwargs, "org": tree[kwargs["org"]]}
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        notify(recipients=[alice], **kwargs)
    # then
    assert [(e.field, e.code) for e in caught.value.errors] == [(field, code)]
    assert _counts() == before


def test_dedup_key_makes_a_repeated_notify_a_no_op(tree):
    alice = person("alice")
    first = notify(recipients=[alice], title="欠缴党费", dedup_key="dues.arrears:7:2025-01")
    second = notify(recipients=[alice], title="欠缴党费", dedup_key="dues.arrears:7:2025-01")
    assert first.pk == second.pk
    assert _counts() == (1, 1, 0)


# --- preferences ------------------------------------------------------------------------------------------


def test_defaults_inbox_everything_email_only_critical(tree, channels_on):
    # given
    alice = person("alice")
    # when
    notify(recipients=[alice], title="提示", severity="info")
    notify(recipients=[alice], title="警告", severity="warning")
    notify(recipients=[alice], title="严重", severity="critical")
    # then
    assert [n.title for n in inbox(actor=alice).order_by("pk")] == ["提示", "警告", "严重"]
    assert list(Delivery.objects.values_list("kind", "target", "notification__title")) == [
        ("email", "alice@example.com", "严重")]


def test_preferences_filter_inbox_and_email(tree, channels_on):
    # given: alice wants warnings+ in the inbox (dues muted) and every email except dues
    alice, bob = person("alice"), person("bob")
    preferences_set(actor=alice, values={"in_app": {"min_severity": "warning", "muted_sources": ["dues"]},
                                         "email": {"min_severity": "info", "muted_sources": "dues"}})
    # when
    notify(recipients=[alice, bob], title="提示", severity="info", source="meetings.planned")
    notify(recipients=[alice, bob], title="党费警告", severity="warning", source="dues.arrears")
    notify(recipients=[alice, bob], title="党费严重", severity="critical", source="dues.arrears")
    # then: a critical notice reaches the inbox whatever was muted; muted sources get no email
    assert [n.title for n in inbox(actor=alice).order_by("pk")] == ["党费严重"]
    assert [n.title for n in inbox(actor=bob).order_by("pk")] == ["提示", "党费警告", "党费严重"]
    emails = sorted(Delivery.objects.values_list("target", "notification__title"))
    assert emails == [("alice@example.com", "提示"), ("bob@example.com", "党费严重")]
    hidden = Notification.objects.get(recipient=alice, title="提示")
    assert hidden.in_inbox is False  # kept only as the anchor of alice's email


def test_email_switched_off_means_no_email_whatever_the_preference(tree, settings):
    alice = person("alice")
    preferences_set(actor=alice, values={"email": {"min_severity": "info", "muted_sources": []}})
    notify(recipients=[alice], title="严重", severity="critical")
    assert Delivery.objects.count() == 0


def test_preferences_set_is_audited_and_validated(tree):
    # given
    alice = person("alice")
    before = AuditEntry.objects.count()
    # when
    prefs = preferences_set(actor=alice, values={"email": {"min_severity": "off", "muted_sources": ["dues."]}})
    # then
    assert prefs["email"] == {"min_severity": "off", "muted_sources": ["dues"]}
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (AuditEntry.objects.count() - before, entry.action, entry.actor_id) == (
        1, "integration.preferences_change", alice.pk)
    assert entry.after["email"] == {"min_severity": "off", "muted_sources": ["dues"]}
    # and: the inbox cannot be switched off, sources must look like codes
    with pytest.raises(DomainError) as caught:
        preferences_set(actor=alice, values={"in_app": {"min_severity": "off"},
                                             "email": {"min_severity": "info", "muted_sources": ["Dues!"]}})
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("in_app.min_severity", "integration.threshold_invalid"),
        ("email.muted_sources", "integration.source_invalid"),
    ]
    assert AuditEntry.objects.count() - before == 1


# --- org channels --------------------------------------------------------------------------------------------


def test_channels_of_the_org_and_of_ancestors_that_take_the_subtree(tree, channels_on):
    # given
    own = channel(tree["A1"], "wecom", "http://127.0.0.1:9/a1", min_severity="info")
    parent = channel(tree["A"], "dingtalk", "http://127.0.0.1:9/a", include_subtree=True, min_severity="info")
    channel(tree["G"], "wecom", "http://127.0.0.1:9/g", include_subtree=False, min_severity="info")
    channel(tree["B1"], "wecom", "http://127.0.0.1:9/b1", min_severity="info")
    channel(tree["A1"], "email", name="只收严重", min_severity="critical")
    channel(tree["A1"], "wecom", "http://127.0.0.1:9/off", enabled=False, min_severity="info")
    # when
    notify(org=tree["A1"], title="会议未按期召开", severity="warning")
    # then
    assert sorted(Delivery.objects.values_list("channel_id", flat=True)) == sorted([own.pk, parent.pk])
    assert set(Delivery.objects.values_list("status", "attempts")) == {("pending", 0)}


def test_a_kind_switched_off_queues_nothing(tree, settings, channels_on):
    channel(tree["A1"], "wecom", "http://127.0.0.1:9/a1")
    settings.DANGJIAN_WECOM_ENABLED = False
    notify(org=tree["A1"], title="x", severity="critical")
    assert Delivery.objects.count() == 0


def test_deliveries_are_queued_only_after_commit(tree, channels_on, django_capture_on_commit_callbacks,
                                                 monkeypatch):
    # given
    queued: list[int] = []
    monkeypatch.setattr("dangjian.integration.tasks.deliver", SimpleNamespace(enqueue=queued.append))
    channel(tree["A1"], "wecom", "http://127.0.0.1:9/a1")
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(org=tree["A1"], title="x", severity="critical")
    # then: nothing queued inside the transaction; after commit, one task per delivery
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == list(Delivery.objects.values_list("pk", flat=True))


def test_notify_needs_someone_to_tell(tree):
    with pytest.raises(DomainError) as caught:
        notify(title="无人接收")
    assert [(e.field, e.code) for e in caught.value.errors] == [("recipients", "integration.recipients_required")]
    assert _counts() == (0, 0, 0)
