"""Org pages in a real browser: the tree loads children on expand and finds a branch by name; the org
page and the ECharts org chart render (screenshots at desktop and phone width in test-artifacts/)."""
from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


@pytest.fixture
def furnished(tree, member_factory):
    """The fixture tree plus what an org page shows: a term close to its end, seats, a unit, members."""
    from dangjian.members.services import seat_assign
    from dangjian.orgs.services import org_create, org_unit_map, org_update, term_create, unit_create

    org_update(actor=None, org=tree["A1"], approval_doc="甲党发〔2021〕12号", established_on=dt.date(2021, 6, 1),
               region="四川省成都市")
    org_create(actor=None, parent=tree["A1"], name="甲一第二党小组", code="A1G2", org_type="group")
    org_create(actor=None, parent=tree["A"], name="甲公司机关党总支", code="A3", org_type="general_branch")
    secretary = member_factory("A1", name="李明华")
    deputy = member_factory("A1", name="王秀英")
    for name in ("张伟", "刘洋", "陈静"):
        member_factory("A1", name=name)
    member_factory("A2", name="赵磊")
    end = timezone.localdate() + dt.timedelta(days=120)
    term = term_create(actor=None, org=tree["A1"], start_date=end - relativedelta(years=3), term_years=3)
    seat_assign(actor=None, term=term, member=secretary, position="secretary", since=term.start_date)
    seat_assign(actor=None, term=term, member=deputy, position="deputy_secretary", since=term.start_date)
    unit = unit_create(actor=None, parent=None, name="甲公司第一生产车间", code="U-A1", unit_type="department")
    org_unit_map(actor=None, org=tree["A1"], unit=unit, valid_from=dt.date(2021, 6, 1))
    return tree


def test_tree_expands_lazily_and_search_finds_a_branch(page, live_server, login, account, furnished, screenshot):
    # given: a branch secretary over 甲公司 (no second factor required for that role)
    account("zhibu", role="branch_secretary", org=furnished["A"])
    login("zhibu", next_path="/orgs/")
    page.wait_for_url("**/orgs/")
    assert_assets_loaded(page)
    root = page.locator('#org-tree > li[data-org-code="A"]')
    expect(root).to_contain_text("甲公司党委")
    expect(root).to_contain_text("党委")
    expect(page.locator('[data-org-code="A1"]')).to_have_count(0)  # not loaded before expanding
    # when: expand 甲公司党委
    with page.expect_response(lambda r: f"/orgs/{furnished['A'].pk}/children/" in r.url):
        root.locator("summary").first.click()
    # then: its children arrive with type badges and member counts
    a1 = page.locator('li[data-org-code="A1"]')
    expect(a1).to_contain_text("甲一支部")
    expect(a1.locator(".org-type")).to_have_text("党支部")
    expect(a1.locator(".tree-count")).to_have_text("5")
    expect(page.locator('li[data-org-code="A3"] .org-type')).to_have_text("党总支")
    # and one level deeper, again on demand
    with page.expect_response(lambda r: f"/orgs/{furnished['A1'].pk}/children/" in r.url):
        a1.locator("summary").first.click()
    expect(page.locator('li[data-org-code="A1G2"]')).to_contain_text("甲一第二党小组")
    screenshot("orgs-tree-desktop")
    # when: search by name
    page.fill("#org-search", "甲二")
    results = page.locator("[data-search-results] li")
    # then
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("甲二支部")
    expect(results.first.locator(".org-path")).to_contain_text("甲公司党委")
    page.set_viewport_size(PHONE)
    screenshot("orgs-tree-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_org_page_shows_term_seats_units_and_members(page, live_server, login, account, furnished, screenshot):
    account("zhibu", role="branch_secretary", org=furnished["A"])
    login("zhibu", next_path=f"/orgs/{furnished['A1'].pk}/")
    page.wait_for_url(f"**/orgs/{furnished['A1'].pk}/")
    expect(page.locator("h1")).to_have_text("甲一支部")
    expect(page.locator("[data-term-status=due]")).to_contain_text("距届满 120 天")
    expect(page.locator("[data-seats]")).to_contain_text("李明华")
    expect(page.locator("[data-members] li")).to_have_count(5)
    screenshot("orgs-detail-desktop")
    page.set_viewport_size(PHONE)
    screenshot("orgs-detail-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _chart_drawn(page) -> int:
    """How many pixels of the chart's canvas are not blank."""
    return page.evaluate(
        """() => {
            const c = document.querySelector('#org-chart canvas');
            const ctx = c.getContext('2d');
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; }
            return n;
        }"""
    )


def test_org_chart_draws_the_tree(page, live_server, login, account, furnished, screenshot):
    account("zhibu", role="branch_secretary", org=furnished["A"])
    login("zhibu", next_path="/orgs/chart/")
    page.wait_for_url("**/orgs/chart/")
    expect(page.locator("#org-chart[data-ready='1'] canvas")).to_have_count(1)
    page.wait_for_timeout(500)
    assert _chart_drawn(page) > 2000
    screenshot("orgs-chart-desktop")
    page.locator("[data-layout=radial]").click()
    page.wait_for_timeout(500)
    screenshot("orgs-chart-radial-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#org-chart[data-ready='1'] canvas")).to_have_count(1)
    page.wait_for_timeout(500)
    assert _chart_drawn(page) > 2000
    screenshot("orgs-chart-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESKTOP)


def test_org_chart_loads_deeper_levels_when_a_cut_off_node_is_clicked(page, live_server, login, account, furnished):
    # given: the chart of the group committee shows two levels under it; 甲一支部's groups are cut off
    account("jituan", role="branch_secretary", org=furnished["G"])
    login("jituan", next_path="/orgs/chart/")
    page.wait_for_url("**/orgs/chart/")
    expect(page.locator("#org-chart[data-ready='1'] canvas")).to_have_count(1)
    names = """() => {
        const chart = echarts.getInstanceByDom(document.getElementById('org-chart'));
        const out = [];
        const walk = n => { out.push(n.name); (n.children || []).forEach(walk); };
        walk(chart.getOption().series[0].data[0]);
        return out;
    }"""
    assert "甲一第一党小组" not in page.evaluate(names)
    # when: click 甲一支部 where ECharts laid it out
    point = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('org-chart'));
            const series = chart.getModel().getSeriesByIndex(0);
            const data = series.getData();
            for (let i = 0; i < data.count(); i++) {
                if (data.getName(i) === '甲一支部') {
                    return data.getItemGraphicEl(i).transformCoordToGlobal(0, 0);
                }
            }
            return null;
        }"""
    )
    box = page.locator("#org-chart").bounding_box()
    with page.expect_response(lambda r: f"/orgs/chart/data/?root={furnished['A1'].pk}" in r.url):
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    # then: the groups are part of the chart, and the node's links are offered
    page.wait_for_function(
        "() => JSON.stringify(echarts.getInstanceByDom(document.getElementById('org-chart'))"
        ".getOption().series[0].data).includes('甲一第一党小组')"
    )
    assert {"甲一第一党小组", "甲一第二党小组"} <= set(page.evaluate(names))
    expect(page.locator("#chart-selected")).to_contain_text("甲一支部")
