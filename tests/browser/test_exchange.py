"""The import page in a real browser: a file with errors shows every error (row, column, message) in a
table and writes nothing; a clean file is previewed, then committed. Screenshots go to test-artifacts/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dangjian.exchange.tests.helpers import MEMBER_HEADER, member_row, xlsx_bytes
from dangjian.members.models import Member
from tests.browser.conftest import PHONE, assert_assets_loaded  # same conftest that provides the fixtures

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(page, name: str, data: bytes) -> None:
    page.goto("/exchange/")
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.click("[data-import-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/exchange/jobs/\d+/$"))


def test_upload_with_errors_shows_the_error_table_then_a_clean_file_commits(page, login, account, tree, screenshot):
    # given: a branch party worker and a workbook with two bad rows among three
    account("ganshi", role="party_worker", org=tree["A1"], scope="org", display_name="党务干事")
    login("ganshi", next_path="/exchange/")
    page.wait_for_url("**/exchange/")
    assert_assets_loaded(page)
    screenshot("exchange-index-desktop")
    rows = [member_row(1), member_row(2, 公民身份号码="110101199001010010"), member_row(3, 所在党支部代码="B1")]
    # when
    _upload(page, "党员有错误.xlsx", xlsx_bytes(MEMBER_HEADER, rows))
    # then: every error with its row, column and message; nothing written
    expect(page.locator("[data-job-status]")).to_have_attribute("data-job-status", "rejected")
    table = page.locator("[data-error-table] tbody tr")
    expect(table).to_have_count(2)
    expect(table.nth(0)).to_contain_text("第3行")
    expect(table.nth(0)).to_contain_text("公民身份号码")
    expect(table.nth(0)).to_contain_text("身份证号码校验位错误")
    expect(table.nth(1)).to_contain_text("第4行")
    expect(table.nth(1)).to_contain_text("所在党支部代码")
    expect(page.locator("[data-commit]")).to_have_count(0)
    assert Member.objects.count() == 0
    screenshot("exchange-errors-desktop")
    page.set_viewport_size(PHONE)
    screenshot("exchange-errors-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # when: the corrected file
    _upload(page, "党员.xlsx", xlsx_bytes(MEMBER_HEADER, [member_row(1), member_row(2)]))
    expect(page.locator("[data-job-status]")).to_have_attribute("data-job-status", "validated")
    expect(page.locator("[data-error-table]")).to_have_count(0)
    page.click("[data-commit]")
    # then
    expect(page.locator("[data-job-status]")).to_have_attribute("data-job-status", "committed")
    expect(page.locator("[data-count=created]")).to_have_text("2")
    assert sorted(Member.objects.values_list("name", flat=True)) == ["导入党员1", "导入党员2"]


def test_export_page_at_phone_width(page, login, account, tree, screenshot):
    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path="/exchange/export/")
    page.wait_for_url("**/exchange/export/")
    page.set_viewport_size(PHONE)
    expect(page.locator("[data-export=members] button[type=submit]")).to_be_visible()
    screenshot("exchange-export-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
