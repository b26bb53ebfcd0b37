"""Event subscriptions in a real browser, on a phone (issue 10 §7): a branch committee's secretary
subscribes another system's receiver (a local HTTP server started by the test) to member changes, sees
the signing secret once, and after a change in the subtree finds the delivery in the log — no sideways
scrolling. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from dangjian.integration.tests.fixtures import robot_server  # noqa: F401 (the local receiver)
from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


def test_subscribe_on_a_phone_see_the_secret_once_and_the_delivery_log(page, live_server, login, account, tree,
                                                                       robot_server, settings,  # noqa: F811
                                                                       screenshot):
    from dangjian.core import events
    from dangjian.integration.models import Delivery, WebhookSubscription
    from dangjian.members.events import MembersChanged

    settings.DANGJIAN_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    receiver = robot_server()
    account("shuji", role="branch_secretary", org=tree["A"], scope="subtree")
    page.set_viewport_size(PHONE)
    # given: the secretary on the new-subscription page
    login("shuji", next_path="/notifications/webhooks/new/")
    page.wait_for_url("**/notifications/webhooks/new/")
    assert_assets_loaded(page)
    # when: subscribing A's subtree to member changes
    page.fill("#id_org_code", "A")
    page.fill("#id_name", "人事系统")
    page.fill("#id_url", receiver.url("/hooks", ""))
    page.locator("[data-event-types] input[value='cn.dangjian.members.changed']").check()
    page.locator("main form button[type=submit]").click()
    # then: the secret, once
    sub = WebhookSubscription.objects.get()
    expect(page.locator("[data-webhook-secret]")).to_have_text(sub.secret)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("webhooks-secret-phone")
    # when: a member change in A1 commits
    with transaction.atomic():
        events.publish(MembersChanged(member_ids=(1,), org_ids=(tree["A1"].pk,)))
    # then: the receiver has it and the log shows it sent
    assert len(receiver.requests) == 1
    page.goto(f"/notifications/webhooks/{sub.pk}/")
    delivery = Delivery.objects.get()
    row = page.locator(f"[data-delivery='{delivery.pk}']")
    expect(row).to_contain_text("cn.dangjian.members.changed")
    expect(row).to_contain_text("已发送")
    expect(page.locator("body")).not_to_contain_text(sub.secret)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("webhooks-log-phone")
