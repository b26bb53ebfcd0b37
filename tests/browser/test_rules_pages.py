"""The rules pages on a phone (390×844), as the system administrator (issue 8, point 5): the cadence
rules read as words (the rule's name, 每季度, the regulation's title), fit the screen, and a change goes
through a number field: out of range it is refused at the field and nothing changes, within range it is
saved and listed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded
from tests.browser.test_csp import admin, world  # noqa: F401 (the system administrator with a second factor)

pytestmark = pytest.mark.browser

LECTURE = "branch.party_lecture"


def test_a_cadence_rule_is_changed_on_a_phone(page, login, admin, screenshot):  # noqa: F811
    from dangjian.meetings.models import CadenceRule

    # given
    _user, device = admin
    page.set_viewport_size(PHONE)
    login("guanli", device=device)
    # when: the list opens
    page.goto("/meetings/rules/")
    assert_assets_loaded(page)
    row = page.locator(f"[data-rule='{LECTURE}']")
    # then: words, not codes, and nothing wider than the phone
    expect(row).to_contain_text("党支部：党课")
    expect(row).to_contain_text("每季度")
    expect(row).to_contain_text("《中国共产党支部工作条例（试行）》")
    expect(row.locator("code")).to_be_hidden()  # the code waits under 详细
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("cadence-rules-phone")
    # when: the minimum is set out of range
    row.get_by_role("link", name="修改").click()
    page.fill("#id_param_min_count", "0")
    page.fill("#id_reason", "集团党委通知")
    page.click("main form button[type=submit]")
    # then: the field says why and nothing changed
    expect(page.locator("[data-field-error='param_min_count']")).to_contain_text("应在 1–52次 之间")
    assert CadenceRule.objects.get(org_type="branch", kind__code="party_lecture").min_count == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("cadence-rule-edit-phone")
    # when: a monthly lecture, twice
    page.select_option("#id_param_unit", "month")
    page.fill("#id_param_min_count", "2")
    page.click("main form button[type=submit]")
    # then
    page.wait_for_url("**/meetings/rules/")
    expect(page.locator(f"[data-rule='{LECTURE}']")).to_contain_text("每月")
    expect(page.locator(f"[data-rule='{LECTURE}']")).to_contain_text("2次")
    rule = CadenceRule.objects.get(org_type="branch", kind__code="party_lecture")
    assert (rule.unit, rule.min_count) == ("month", 2)
