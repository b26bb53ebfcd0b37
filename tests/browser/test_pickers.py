"""The org picker in a real browser, on a phone (390 px; issue 9, point 2): A1's party worker starts a
transfer and picks the receiving branch by typing part of its name; of the two branches named 热控班党支部
the list tells them apart by their parent path, and the keyboard chooses the one under 乙公司党委. The
form submits that branch's code while the box shows its name; no sideways scrolling."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser

SAME = "热控班党支部"


@pytest.fixture
def twins(tree):
    from dangjian.orgs.services import org_create

    tree["A3"] = org_create(actor=None, parent=tree["A"], name=SAME, code="A3", org_type="branch")
    tree["B2"] = org_create(actor=None, parent=tree["B"], name=SAME, code="B2", org_type="branch")
    return tree


def test_pick_the_receiving_branch_by_name_with_the_keyboard_on_a_phone(page, live_server, login, account, twins,
                                                                       member_factory, screenshot):
    from dangjian.transfers.models import Transfer

    moving = member_factory("A1", name="调动党员")
    account("fachu", role="party_worker", org=twins["A1"], scope="org")
    page.set_viewport_size(PHONE)
    login("fachu", next_path=f"/transfers/members/{moving.pk}/transfer/")
    page.wait_for_url(f"**/transfers/members/{moving.pk}/transfer/")
    assert_assets_loaded(page)
    page.select_option("#id_kind", "internal_out")
    box = page.locator("#id_to_org_code")
    # when: typing part of the name
    box.click()
    box.press_sequentially("热控")
    options = page.locator("#id_to_org_code_list [role=option]")
    expect(options).to_have_count(2)
    # then: the two same-named branches are told apart by their parent path
    expect(options.nth(0)).to_contain_text("集团党委 › 甲公司党委")
    expect(options.nth(1)).to_contain_text("集团党委 › 乙公司党委")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("picker-transfer-phone")
    # when: ↓ to the second and Enter
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    # then: the box shows the name, the form holds the code, the path is shown under the box
    expect(box).to_have_value(SAME)
    expect(page.locator("input[type=hidden][name=to_org_code]")).to_have_value("B2")
    expect(page.locator("[data-picker-chosen]").first).to_contain_text("乙公司党委")
    expect(page.locator("#id_to_org_code_list")).not_to_have_class("show")
    page.fill("#id_letter_no", "甲组转〔2026〕21号")
    page.locator("[data-transfer-form] button[type=submit]").click()
    transfer = Transfer.objects.get(member=moving)
    page.wait_for_url(f"**/transfers/{transfer.pk}/")
    assert transfer.to_org_id == twins["B2"].pk


def test_the_meeting_form_above_branches_asks_for_an_org_then_loads_its_roll(page, live_server, login, account, tree,
                                                                            member_factory, screenshot):
    # given: a secretary whose scope is the whole group (above branches; a role without a second factor), more
    # than 50 orgs (the org field is the picker)
    from dangjian.orgs.services import org_create

    for n in range(50):
        org_create(actor=None, parent=tree["B"], name=f"乙{n:02d}支部", code=f"BZ{n:02d}", org_type="branch")
    for i in range(3):
        member_factory("A1", name=f"甲一党员{i}")
    account("zhishu", role="branch_secretary", org=tree["G"])
    page.set_viewport_size(PHONE)
    login("zhishu", next_path="/meetings/new/")
    page.wait_for_url("**/meetings/new/")
    # then: no roll before an org is chosen (issue 9, point 6)
    expect(page.locator("[data-roll-choose]")).to_be_visible()
    expect(page.locator(".roll-row")).to_have_count(0)
    # when: typing part of the branch's name and choosing it with Enter
    box = page.locator("#id_org")
    box.click()
    box.press_sequentially("甲一")
    expect(page.locator("#id_org_list [role=option]")).to_have_count(1)
    box.press("Enter")
    # then: the form reloads with the branch's roll, everyone present, and 主题党日
    expect(page.locator(".roll-row")).to_have_count(3)
    expect(page.locator("#id_kind")).to_have_value("theme_day")
    expect(page.locator("#id_org")).to_have_value("甲一支部")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("picker-meeting-phone")
