"""Organisation-relationship transfers in a real browser: A1's party worker starts a transfer from the
member's page and issues the letter; B1's party worker finds it waiting in the list (on a phone, no
sideways scrolling, the overdue letter highlighted) and receives it; a receipt dated after the letter's
validity is refused at its field; the member has moved, with the history on the member's page. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


@pytest.fixture
def moving(tree, member_factory):
    """The member who moves from 甲一支部 (A1) to 乙一支部 (B1)."""
    return member_factory("A1", name="调动党员")


def _sign_out(page):
    page.context.clear_cookies()


def test_initiate_at_the_sending_branch_and_receive_at_the_receiving_branch(page, live_server, login, account, tree,
                                                                           moving, screenshot):
    from dangjian.members.models import Member
    from dangjian.transfers.models import Transfer

    today = timezone.localdate()
    issued, due = today - dt.timedelta(days=95), today - dt.timedelta(days=5)  # the letter is overdue by now
    account("fachu", role="party_worker", org=tree["A1"], scope="org")
    account("jieshou", role="party_worker", org=tree["B1"], scope="org")
    # given: the sending branch's worker on the member's page
    login("fachu", next_path=f"/transfers/members/{moving.pk}/")
    page.wait_for_url(f"**/transfers/members/{moving.pk}/")
    assert_assets_loaded(page)
    expect(page.locator("h1")).to_contain_text("调动党员")
    # when: starting the transfer and issuing the letter
    page.locator("[data-initiate]").click()
    page.wait_for_url(f"**/transfers/members/{moving.pk}/transfer/")
    page.select_option("#id_kind", "internal_out")
    page.fill("#id_to_org_code", "B1")
    page.fill("#id_letter_no", "甲组转〔2026〕18号")
    page.fill("#id_issued_on", issued.isoformat())
    screenshot("transfers-initiate-desktop")
    page.locator("[data-transfer-form] button[type=submit]").click()
    # then: the transfer is in transit (overdue by now), the member still in A1
    transfer = Transfer.objects.get(member=moving)
    page.wait_for_url(f"**/transfers/{transfer.pk}/")
    expect(page.locator("[data-overdue-alert]")).to_be_visible()
    expect(page.locator("[data-due]")).to_contain_text(due.isoformat())
    expect(page.locator("[data-action=receive]")).to_have_count(0)  # the sender cannot receive its own letter
    assert Member.objects.get(pk=moving.pk).org_id == tree["A1"].pk
    # when: the receiving branch's worker, on a phone, finds it waiting
    _sign_out(page)
    page.set_viewport_size(PHONE)
    login("jieshou", next_path="/transfers/")
    page.wait_for_url("**/transfers/")
    page.goto("/transfers/?side=in&in_transit=1")
    expect(page.locator("[data-count=awaiting]")).to_have_text("1")
    card = page.locator(f"[data-transfer-cards] [data-transfer='{transfer.pk}']")
    expect(card).to_contain_text("甲一支部 → 乙一支部")
    expect(card).to_have_class("card mb-2 text-decoration-none text-body border-danger")  # overdue highlighted
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("transfers-list-phone")
    card.click()
    page.wait_for_url(f"**/transfers/{transfer.pk}/")
    # today is after the letter's validity: refused at its field …
    page.locator("[data-action=receive]").click()
    expect(page.locator("[data-field-error=received_on]")).to_contain_text(f"介绍信有效期至 {due.isoformat()}，已过期")
    assert Member.objects.get(pk=moving.pk).org_id == tree["A1"].pk
    # … the day it actually arrived, within the validity, is received
    page.fill("#id_received_on", (due - dt.timedelta(days=20)).isoformat())
    page.locator("[data-action=receive]").click()
    page.wait_for_url(f"**/transfers/{transfer.pk}/")
    expect(page.locator("h1 [data-status]")).to_have_text("已接收")
    screenshot("transfers-received-phone")
    # then: the member moved, and the receiving branch sees the history
    member = Member.objects.get(pk=moving.pk)
    assert member.org_id == tree["B1"].pk
    page.goto(f"/transfers/members/{moving.pk}/")
    expect(page.locator("[data-periods] tbody tr")).to_have_count(2)
    expect(page.locator("[data-periods] tbody tr").nth(1)).to_contain_text("乙一支部")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
