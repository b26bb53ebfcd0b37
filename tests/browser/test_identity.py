"""Sign-in with enrolment and the one-time-code step, phone layout, and the language switch."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.accounts.tests.otp import totp_code
from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, assert_assets_loaded, totp_from_secret

pytestmark = pytest.mark.browser

SUBMIT = "main form button[type=submit]"


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_enrol_on_first_sign_in_then_sign_out_and_in_again_with_the_code(page, live_server, login, account, tree,
                                                                        screenshot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # given: a role that requires a second factor, no authenticator yet
    user = account("zuzhibu", role="org_dept", org=tree["A"], display_name="王芳")
    # when: the password is right, the platform insists on enrolment first
    login("zuzhibu")
    page.wait_for_url("**/accounts/mfa/setup/?forced=1")
    assert_assets_loaded(page)
    expect(page.get_by_test_id("forced-notice")).to_contain_text("组织部")
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    screenshot("mfa-setup-desktop")
    # the app is set up by hand from the printed secret
    page.fill("#id_token", totp_from_secret(page.get_by_test_id("secret").inner_text()))
    page.click(SUBMIT)
    # then: ten backup codes, shown once
    expect(page.locator("[data-testid=backup-codes] li")).to_have_count(10)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("greeting")).to_contain_text("王芳")
    # when: sign out from the navbar
    page.locator("nav form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.locator("main .alert")).to_contain_text("您已安全退出")
    # and sign in again: password, then the code step
    page.fill("#id_username", "zuzhibu")
    page.fill("#id_password", PASSWORD)
    page.click(SUBMIT)
    page.wait_for_url("**/accounts/otp/")
    expect(page.locator("h1")).to_contain_text("双因素验证")
    page.fill("#id_token", "000000")
    page.click(SUBMIT)
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    page.wait_for_timeout(1100)  # django-otp throttles: one wrong code blocks the device for 1 s
    page.fill("#id_token", totp_code(TOTPDevice.objects.get(user=user, confirmed=True)))
    page.click(SUBMIT)
    # then
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("greeting")).to_contain_text("王芳")
    assert audit_count(AuditAction.LOGIN_SUCCEEDED) == 2
    assert audit_count(AuditAction.MFA_ENROLLED) == 1
    assert audit_count(AuditAction.OTP_FAILED) == 1
    assert audit_count(AuditAction.LOGOUT) == 1


@pytest.fixture
def secretary_with_data(account, tree, member_factory):
    """A branch secretary of 甲公司党委 linked to their own member record, with members in several states."""
    from dangjian.members.services import member_link_user, member_update

    user = account("zhishu", role="branch_secretary", org=tree["A"], display_name="李明")
    me = member_factory("A1", name="李明")
    member_link_user(actor=None, member=me, user=user)
    for code, status in [("A1", "normal"), ("A1", "normal"), ("A2", "normal"), ("A2", "mobile"),
                         ("A2", "lost"), ("A1G1", "normal"), ("B1", "normal")]:
        member = member_factory("A1" if code == "A1G1" else code)
        if status != "normal":
            member_update(actor=None, member=member, status=status, reason="test")
    return user


def test_phone_width_collapses_the_navbar_and_nothing_overflows(page, login, secretary_with_data, screenshot):
    # given
    page.set_viewport_size(PHONE)
    # when
    login("zhishu")
    # then: the page works at 390 px
    assert_assets_loaded(page)
    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#mainnav")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    page.wait_for_selector("#status-chart[data-ready='1'] svg")
    expect(page.get_by_test_id("member-count")).to_have_text("7")  # 李明 + 6 (mobile and lost count)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("home-phone")
    # when: the toggler opens the menu
    toggler.click()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("button", name="党员")).to_be_visible()  # a dropdown of the member pages
    expect(menu.get_by_role("button", name="退出")).to_be_visible()
    screenshot("home-phone-menu")
    # and the identity pages fit too
    for path in ("/accounts/profile/", "/accounts/password/", "/accounts/mfa/setup/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    screenshot("mfa-setup-phone")
    page.goto("/accounts/profile/")
    screenshot("profile-phone")
    # at desktop width the menu is inline and the toggler gone
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#status-chart[data-ready='1'] svg")
    expect(toggler).to_be_hidden()
    expect(menu.get_by_role("button", name="党员")).to_be_visible()  # a dropdown of the member pages
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    screenshot("home-desktop")


def test_login_page_at_phone_width(page, screenshot, db):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/?next=/&idle=1")
    assert_assets_loaded(page)
    expect(page.get_by_test_id("idle-notice")).to_contain_text("会话已过期")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("login-phone")


def test_language_switch_to_english_and_back(page, login, account, tree, screenshot):
    # given
    account("zhishu", role="branch_secretary", org=tree["A1"])
    login("zhishu")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    # when
    page.get_by_role("button", name="EN").click()
    # then
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("nav")).to_contain_text("Members")
    expect(page.locator("nav")).to_contain_text("Sign out")
    expect(page.get_by_test_id("quick-links")).to_contain_text("Org chart")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("home-phone-en")
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/profile/")  # the choice sticks across pages
    expect(page.locator("h1")).to_contain_text("My account")
    # when: back to Chinese
    page.get_by_role("button", name="中文").click()
    # then
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text("我的账号")
    expect(page.locator("nav")).to_contain_text("退出")
