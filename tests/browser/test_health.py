"""The monitoring table in a real browser: drill down from the top org to its branches by clicking,
sort by a column, the ECharts heat map drawn; the page fits a phone (the table scrolls inside its box)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


@pytest.fixture
def scanned(tree, member_factory):
    """A1 with 4 members, A2 with 1, B1 with 2; every rule run once."""
    from dangjian.health.services import findings_scan

    for i in range(4):
        member_factory("A1", name=f"甲一党员{i}")
    member_factory("A2", name="甲二党员")
    member_factory("B1", name="乙一党员甲")
    member_factory("B1", name="乙一党员乙")
    result = findings_scan()
    assert result.ok
    return tree


def test_drill_down_the_monitoring_table(page, live_server, login, account, scanned, screenshot):
    # given: the organisation department of the group (a branch-secretary role: no second factor needed)
    account("jiankong", role="branch_secretary", org=scanned["G"])
    login("jiankong", next_path="/health/monitor/")
    page.wait_for_url("**/health/monitor/")
    assert_assets_loaded(page)
    table = page.locator("[data-monitor-table]")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator('tr[data-org="G"]')).to_contain_text("7（7/0）")
    # when: click the group committee, then 甲公司党委
    page.click('[data-drill="G"]')
    page.wait_for_url("**/health/monitor/?org=G")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tfoot [data-total]")).to_contain_text("7（7/0）")
    page.click('[data-drill="A"]')
    page.wait_for_url("**/health/monitor/?org=A")
    # then: A's branches with their own indicators, the breadcrumb back up, the heat map drawn
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator('tr[data-org="A1"]')).to_contain_text("4（4/0）")
    expect(table.locator('tr[data-org="A2"]')).to_contain_text("1（1/0）")
    expect(table.locator('tr[data-org="B1"]')).to_have_count(0)
    expect(page.locator("[data-monitor-breadcrumb]")).to_contain_text("集团党委")
    expect(page.locator("#health-heatmap[data-ready='1'] svg")).to_be_visible()
    # A2 has too few members (red structure cell)
    expect(table.locator('tr[data-org="A2"] td').nth(1)).to_have_attribute("data-status", "red")
    screenshot("health-monitor-desktop")
    # when: sort by members, descending (click twice)
    page.click('[data-sort="members"]')
    page.click('[data-sort="members"]')
    page.wait_for_url("**sort=-members")
    expect(table.locator("tbody tr").first).to_have_attribute("data-org", "A1")
    # and back up through the breadcrumb
    page.locator("[data-monitor-breadcrumb] a", has_text="集团党委").click()
    page.wait_for_url("**/health/monitor/?org=G")
    expect(table.locator('tr[data-org="B"]')).to_be_visible()


def test_monitoring_table_fits_a_phone(page, live_server, login, account, scanned, screenshot):
    account("jiankong", role="branch_secretary", org=scanned["G"])
    page.set_viewport_size(PHONE)
    login("jiankong", next_path="/health/monitor/?org=A")
    page.wait_for_url("**/health/monitor/?org=A")
    expect(page.locator('[data-monitor-table] tr[data-org="A1"]')).to_be_visible()
    # the page itself does not scroll sideways: the wide table scrolls inside .table-responsive
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot("health-monitor-phone")
    page.set_viewport_size(DESKTOP)
