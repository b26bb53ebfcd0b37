"""Dues on a phone (issue 9, points 4 and 8): a party worker records a cash payment whose amount is already
filled in with what is owed, without a reference; a plain member opening 党费 lands on 我的党费 and reads
how the monthly amount is calculated. No sideways scrolling at 390 px. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


@pytest.fixture
def owing(tree, member_factory):
    """A1's member with a base of 16,620 yuan (332.40 a month) and two unpaid months."""
    from dangjian.dues.services import bills_generate, profile_set

    member = member_factory("A1", name="缴费党员")
    profile_set(actor=None, member=member, category="in_service", base="16620", on=dt.date(2024, 1, 1))
    for period in ("2024-01", "2024-02"):
        bills_generate(actor=None, period=period)
    return member


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_cash_payment_on_a_phone_is_prefilled_and_needs_no_reference(page, login, account, tree, owing, screenshot):
    from dangjian.dues.models import DuesPayment

    account("shoufei", role="party_worker", org=tree["A1"], scope="org")
    page.set_viewport_size(PHONE)
    # given: the worker on the member's dues page
    login("shoufei", next_path=f"/dues/members/{owing.pk}/")
    page.wait_for_url(f"**/dues/members/{owing.pk}/")
    assert_assets_loaded(page)
    expect(page.locator("[data-owed]")).to_have_text("664.80 元")
    expect(page.locator("[data-due-formula]")).to_contain_text("基数 16,620.00 元 × 2% = 332.40 元")
    expect(page.locator("#id_amount")).to_have_value("664.80")
    expect(page.locator("#id_channel")).to_have_value("cash")
    _no_sideways_scroll(page)
    screenshot("dues-pay-phone")
    # when: only the date is given, and the form is sent
    page.fill("#id_paid_on", "2024-02-20")
    page.locator("[data-dues-pay] button[type=submit]").click()
    # then: recorded with a receipt number, nothing owed any more
    page.wait_for_url(f"**/dues/members/{owing.pk}/")
    expect(page.locator("[data-owed]")).to_have_text("0.00 元")
    payment = DuesPayment.objects.get(member=owing)
    assert (str(payment.amount), payment.reference) == ("664.80", f"XJ20240220-{owing.pk}-1")
    expect(page.locator(".alert-success, [role=alert]").first).to_contain_text(payment.reference)
    # a bank transfer without its number is refused at the field
    page.select_option("#id_channel", "bank")
    page.fill("#id_amount", "10")
    page.fill("#id_voluntary_extra", "10")
    page.fill("#id_paid_on", "2024-02-21")
    page.locator("[data-dues-pay] button[type=submit]").click()
    expect(page.locator("[data-field-error=reference]")).to_have_text("非现金缴费请填写流水号")
    assert DuesPayment.objects.filter(member=owing).count() == 1
    _no_sideways_scroll(page)


def test_a_plain_member_opening_dues_sees_their_own(page, login, account, tree, owing, screenshot):
    from dangjian.members.services import member_link_user

    user = account("dangyuan", role="member", org=tree["A1"], scope="self")
    member_link_user(actor=None, member=owing, user=user)
    page.set_viewport_size(PHONE)
    login("dangyuan")
    # when: 党费 from the menu
    page.goto("/dues/")
    # then: 我的党费, what is owed and how it is calculated, no staff forms
    page.wait_for_url("**/dues/mine/")
    expect(page.locator("h1")).to_contain_text("我的党费")
    expect(page.locator("[data-owed]")).to_have_text("664.80 元")
    expect(page.locator("[data-due-formula]")).to_contain_text("基数 16,620.00 元 × 2% = 332.40 元")
    expect(page.locator("[data-dues-member-bills] tbody tr")).to_have_count(2)
    expect(page.locator("[data-dues-pay]")).to_have_count(0)
    _no_sideways_scroll(page)
    screenshot("dues-mine-phone")


def test_an_administrator_adds_a_dues_version_on_a_phone(page, login, account, tree, screenshot):
    # given: a system administrator (second factor enrolled) on the add-version form, at 390 px
    from dangjian.accounts.services import mfa_confirm, mfa_start
    from dangjian.accounts.tests.otp import totp_code
    from dangjian.dues.models import DuesRuleSet

    user = account("guanli", role="sysadmin", scope="all")
    device = mfa_start(user=user)
    mfa_confirm(actor=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    page.set_viewport_size(PHONE)
    login("guanli", device=device, next_path="/dues/rules/add/")
    page.wait_for_url("**/dues/rules/add/")
    expect(page.locator("#id_brackets-3-rate_percent")).to_have_value("2")
    _no_sideways_scroll(page)
    screenshot("dues-version-form-phone")
    # when: a date inside the version in force is refused at its field, nothing written …
    page.fill("#id_version", "2031")
    page.fill("#id_name", "假设的新规定")
    page.fill("#id_effective_from", "2017-01-01")
    page.locator("[data-rule-set-form] button[type=submit]").click()
    expect(page.locator("[data-field-error=effective_from]")).to_contain_text("施行期重叠")
    assert not DuesRuleSet.objects.filter(version="2031").exists()
    # … the first of a later month is saved, with only the top rate changed
    page.fill("#id_effective_from", "2031-01-01")
    page.fill("#id_brackets-3-rate_percent", "2.5")
    page.locator("[data-rule-set-form] button[type=submit]").click()
    page.wait_for_url("**/dues/rules/")
    expect(page.locator("[data-rule-set='2031']")).to_contain_text("2.5%")
    _no_sideways_scroll(page)
    assert str(DuesRuleSet.objects.get(version="2031").brackets.get(category="in_service", upper=None).rate) == "0.0250"
